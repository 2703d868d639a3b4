package dev.lbkit.balancer.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client over one socket, so tests control the exact bytes of the start line and
 * can send several requests on one keep-alive connection.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** One parsed answer. */
    public record Answer(int status, List<String[]> headers, String body) {
        public String header(String name) {
            return headers.stream()
                    .filter(h -> h[0].equalsIgnoreCase(name))
                    .map(h -> h[1])
                    .findFirst()
                    .orElse(null);
        }
    }

    /**
     * An answer whose connection closed before the end of its body: what a proxy sends when its
     * server dies in the middle of an answer whose head it has already passed on.
     */
    public static final class CutAnswer extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Answer head;

        CutAnswer(Answer head, int got, int expected) {
            super(
                    "answer "
                            + head.status()
                            + " cut after "
                            + got
                            + " of its "
                            + expected
                            + " body bytes");
            this.head = head;
        }

        /** The status line and headers that came before the cut. */
        public Answer head() {
            return head;
        }
    }

    /** Sends a GET for {@code target} (as written) and reads the answer. */
    public Answer get(String target) throws IOException {
        return send("GET " + target + " HTTP/1.1\r\nHost: lbkit.test\r\n\r\n");
    }

    public Answer send(String request) throws IOException {
        sendOnly(request);
        return read();
    }

    /**
     * Sends {@code request} (as written) without waiting for its answer; {@link #read} reads it.
     */
    public void sendOnly(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Sends a request whose answer has no body whatever its headers say (HEAD), and reads that
     * answer.
     */
    public Answer sendForHead(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return readHead();
    }

    /** The status line and headers of the next answer, with an empty body. */
    private Answer readHead() throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        String line;
        while (!(line = line()).isEmpty()) {
            int colon = line.indexOf(':');
            headers.add(
                    new String[] {
                        line.substring(0, colon).trim(), line.substring(colon + 1).trim()
                    });
        }
        return new Answer(status, headers, "");
    }

    public Answer read() throws IOException {
        Answer head = readHead();
        int status = head.status();
        List<String[]> headers = head.headers();
        String length = head.header("Content-Length");
        String encoding = head.header("Transfer-Encoding");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (length != null) {
            int expected = Integer.parseInt(length);
            byte[] read = in.readNBytes(expected);
            if (read.length < expected) {
                throw new CutAnswer(head, read.length, expected);
            }
            body.write(read);
        } else if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                int size = Integer.parseInt(line().split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(size));
                line();
            }
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c < 0 && line.length() == 0) {
            throw new IOException("connection closed");
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
