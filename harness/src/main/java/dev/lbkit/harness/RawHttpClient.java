package dev.lbkit.harness;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately small HTTP/1.1 client over a plain socket. The harness needs what general-purpose
 * clients hide: the request-target sent byte for byte (absolute-form, "//", "%2F", odd queries are
 * what {@code balance uri} hashes), the client socket bound to a chosen 127.x.y.z source address
 * (what {@code balance source} hashes), headers in a chosen order, and keep-alive under our
 * control.
 */
public final class RawHttpClient implements AutoCloseable {
    private final InetSocketAddress server;
    private final InetAddress source;
    private final byte[] preamble;
    private final int timeoutMs;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    /** A parsed answer: status code, headers (lower-case names, first occurrence) and body text. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * @param source the local address to bind before connecting (any 127.x.y.z is local on Linux),
     *     or null
     */
    public RawHttpClient(InetSocketAddress server, InetAddress source, int timeoutMs) {
        this(server, source, null, timeoutMs);
    }

    /**
     * @param proxy the PROXY protocol header each new connection opens with, or null for none
     */
    public RawHttpClient(
            InetSocketAddress server, InetAddress source, ProxyHeader proxy, int timeoutMs) {
        this.server = server;
        this.source = source;
        this.preamble = proxy == null ? null : proxy.bytes();
        this.timeoutMs = timeoutMs;
    }

    /**
     * Sends one request on the current connection (opening one if needed) and reads the answer.
     * With {@code keepAlive} false the request says {@code Connection: close} and the socket is
     * closed after.
     *
     * @param extraHeaders header lines after Host, in order, e.g. {@code "X-Key: a"}
     */
    public Response get(String target, String host, List<String> extraHeaders, boolean keepAlive)
            throws IOException {
        return send("GET", target, host, extraHeaders, keepAlive);
    }

    /**
     * As {@link #get}, with another method (no body). A {@code Host:} line among {@code
     * extraHeaders} is sent instead of {@code host}.
     */
    public Response send(
            String method, String target, String host, List<String> extraHeaders, boolean keepAlive)
            throws IOException {
        if (socket == null || socket.isClosed()) {
            open();
        }
        StringBuilder request = new StringBuilder();
        request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (extraHeaders.stream().noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
            request.append("Host: ").append(host).append("\r\n");
        }
        for (String header : extraHeaders) {
            request.append(header).append("\r\n");
        }
        if (!keepAlive) {
            request.append("Connection: close\r\n");
        }
        request.append("\r\n");
        try {
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Response response = readResponse();
            String connection = response.header("connection");
            if (!keepAlive || (connection != null && connection.equalsIgnoreCase("close"))) {
                close();
            }
            return response;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void open() throws IOException {
        socket = new Socket();
        socket.setReuseAddress(true);
        if (source != null) {
            socket.bind(new InetSocketAddress(source, 0));
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(timeoutMs);
        socket.connect(server, timeoutMs);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        if (preamble != null) {
            out.write(preamble);
        }
    }

    private Response readResponse() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a status line");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        String encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = readChunked();
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
            if (body.length < Integer.parseInt(length)) {
                // The answer was cut short: the connection has ended, the next request needs a
                // new one.
                close();
            }
        } else if (status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
            close();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new IOException("connection closed inside a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            int size =
                    Integer.parseInt(
                            (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(),
                            16);
            if (size == 0) {
                for (String trailer = readLine();
                        trailer != null && !trailer.isEmpty();
                        trailer = readLine()) {
                    // trailers are not needed by the harness
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket we are done with: nothing left to do
            }
            socket = null;
        }
    }
}
