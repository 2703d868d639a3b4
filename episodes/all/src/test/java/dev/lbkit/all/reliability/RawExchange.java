package dev.lbkit.all.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends exact bytes on a fresh connection to 127.0.0.1 and reads everything the server sends back
 * until it closes the connection or stays silent for a while: the status of every answer, so a test
 * sees a refusal, a forward, and also a second (smuggled) answer on the same connection.
 */
final class RawExchange {
    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.[01] (\\d{3})");

    private RawExchange() {}

    /**
     * What came back.
     *
     * @param statuses the status code of each answer, in order (empty: none)
     * @param closed whether the server closed the connection (rather than going silent)
     * @param millis from the first byte sent to the end of reading
     */
    record Outcome(List<Integer> statuses, boolean closed, long millis, String text) {
        /** The first status, or 0 when the server answered nothing. */
        int first() {
            return statuses.isEmpty() ? 0 : statuses.get(0);
        }

        /**
         * "400", "200+200", or "none" (closed or silent without an answer): how tests name an
         * outcome.
         */
        String summary() {
            return statuses.isEmpty()
                    ? "none"
                    : String.join("+", statuses.stream().map(String::valueOf).toList());
        }
    }

    /**
     * Sends {@code request}, then half-closes (so the server knows nothing more comes) unless
     * {@code keepSending}, and reads until the server closes or is silent for {@code silenceMs}.
     */
    static Outcome send(int port, byte[] request, boolean halfClose, int silenceMs)
            throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(silenceMs);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            return readAll(socket.getInputStream(), start);
        }
    }

    static Outcome send(int port, String request, boolean halfClose, int silenceMs)
            throws IOException {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1), halfClose, silenceMs);
    }

    static Outcome readAll(InputStream in, long startNanos) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        boolean closed = false;
        try {
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException silent) {
            // the server keeps the connection open but says nothing more
        } catch (IOException reset) {
            closed = true;
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
        List<Integer> statuses = new ArrayList<>();
        Matcher m = STATUS_LINE.matcher(text);
        while (m.find()) {
            statuses.add(Integer.parseInt(m.group(1)));
        }
        return new Outcome(statuses, closed, (System.nanoTime() - startNanos) / 1_000_000, text);
    }
}
