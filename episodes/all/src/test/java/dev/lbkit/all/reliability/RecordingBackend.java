package dev.lbkit.all.reliability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 that writes down every request it receives ("METHOD target
 * body=N"), so a test can tell what a proxy forwarded and what it refused. It answers 200 "ok".
 */
final class RecordingBackend implements AutoCloseable {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<String> cookies = new CopyOnWriteArrayList<>();
    private volatile boolean healthy = true;

    RecordingBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.createContext("/health", this::health);
        server.createContext("/download/", this::download);
        server.createContext("/status/", this::status);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Every request received so far, in arrival order. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    void forget() {
        seen.clear();
    }

    /** What {@code /health} answers from now on: 200 when healthy, 503 otherwise. */
    boolean healthy() {
        return healthy;
    }

    void setHealthy(boolean healthy) {
        this.healthy = healthy;
    }

    private void health(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        exchange.sendResponseHeaders(healthy ? 200 : 503, -1);
        exchange.close();
    }

    /**
     * {@code /status/NNN}: answers status NNN with the body "status NNN ok method=M host=H" (M the
     * request's method, H its Host header or -), not written down: what health checks ask.
     */
    private void status(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        int code =
                Integer.parseInt(exchange.getRequestURI().getPath().substring("/status/".length()));
        String host = exchange.getRequestHeaders().getFirst("Host");
        byte[] body =
                ("status "
                                + code
                                + " ok method="
                                + exchange.getRequestMethod()
                                + " host="
                                + (host == null ? "-" : host)
                                + "\n")
                        .getBytes(StandardCharsets.US_ASCII);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** {@code /download/N}: N bytes, streamed in chunks, never held whole. */
    private void download(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        long size =
                Long.parseLong(exchange.getRequestURI().getPath().substring("/download/".length()));
        exchange.sendResponseHeaders(200, size);
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = exchange.getResponseBody()) {
            for (long left = size; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        long bodyBytes;
        try (InputStream in = exchange.getRequestBody()) {
            bodyBytes = in.transferTo(OutputStream.nullOutputStream());
        }
        seen.add(
                exchange.getRequestMethod()
                        + " "
                        + exchange.getRequestURI()
                        + " body="
                        + bodyBytes);
        List<String> cookie = exchange.getRequestHeaders().get("Cookie");
        cookies.add(cookie == null ? "-" : String.join(" | ", cookie));
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null && query.startsWith("setcookie=")) {
            exchange.getResponseHeaders()
                    .add(
                            "Set-Cookie",
                            java.net.URLDecoder.decode(
                                    query.substring("setcookie=".length()),
                                    StandardCharsets.UTF_8));
        }
        byte[] body =
                ("ok " + bodyBytes + " " + exchange.getRequestURI() + "\n")
                        .getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * The {@code Cookie} lines of each request received, in order ("-" for none, lines joined by "
     * | "); a query {@code ?setcookie=<url-encoded>} makes the answer set that cookie.
     */
    List<String> cookies() {
        return cookies;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
