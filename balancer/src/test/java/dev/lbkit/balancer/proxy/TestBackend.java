package dev.lbkit.balancer.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real HTTP server on 127.0.0.1 (JDK httpserver). {@code /upload} counts the body bytes,
 * any other path answers with the server's name, the target it received and the headers it saw.
 */
public final class TestBackend implements AutoCloseable {
    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle plus
        // delayed
        // ACKs add ~40 ms to every exchange and hide the proxy's own latency.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final String name;
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    public TestBackend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /** Adds a handler for one path prefix. */
    public void route(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(path, handler);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        long bodyBytes;
        try (InputStream in = exchange.getRequestBody()) {
            bodyBytes = in.transferTo(OutputStream.nullOutputStream());
        }
        StringBuilder text = new StringBuilder();
        text.append("server=").append(name).append('\n');
        text.append("method=").append(exchange.getRequestMethod()).append('\n');
        text.append("target=").append(exchange.getRequestURI().toString()).append('\n');
        text.append("body=").append(bodyBytes).append('\n');
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            for (String value : header.getValue()) {
                text.append("h:")
                        .append(header.getKey().toLowerCase())
                        .append('=')
                        .append(value)
                        .append('\n');
            }
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("X-Server", name);
        exchange.getResponseHeaders().add("Connection", "X-Secret-Hop");
        exchange.getResponseHeaders().add("X-Secret-Hop", "must not pass");
        exchange.sendResponseHeaders(
                200, exchange.getRequestMethod().equals("HEAD") ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!exchange.getRequestMethod().equals("HEAD")) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
