package dev.lbkit.backends;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One of the article's Flask apps, rebuilt with Javalin: {@code GET /} answers {@code Hello from
 * Flask App N!} and {@code GET /data} answers {@code Data from Flask App N!}.
 *
 * <p>Every response, 404s included, carries {@code X-Served-By: appN}, so a harness can tell which
 * replica answered without parsing bodies. The optional delay blocks the request thread the way
 * {@code time.sleep(5)} does in the leastconn article; a request's {@code delay_ms} query parameter
 * overrides it for that request only.
 *
 * <pre>{@code
 * try (FlaskReplica app1 = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ZERO)) {
 *     // GET http://127.0.0.1:<app1.port()>/  ->  "Hello from Flask App 1!"
 * }
 * }</pre>
 */
public final class FlaskReplica implements AutoCloseable {

    /** The response header naming the replica that answered, e.g. {@code X-Served-By: app2}. */
    public static final String SERVED_BY_HEADER = "X-Served-By";

    /** The query parameter that overrides the replica's delay for one request, in milliseconds. */
    public static final String DELAY_PARAM = "delay_ms";

    /** Flask's content type for a view that returns a {@code str}. */
    public static final String CONTENT_TYPE = "text/html; charset=utf-8";

    /**
     * Not in the article: {@code POST /body} answers {@link #bodyReceipt} of the body it received,
     * so a test can check that a proxy forwarded a body byte for byte.
     */
    public static final String BODY_PATH = "/body";

    /** The article's app N listens on port 5000 + N (5001-5003). */
    public static final int FIRST_DEFAULT_PORT = 5001;

    /**
     * Delayed requests block a thread each, so concurrency tests need many more than Jetty's
     * default.
     */
    private static final int MAX_THREADS = 256;

    /** A per-request delay above this is a typo, not a test scenario. */
    private static final long MAX_DELAY_MS = Duration.ofMinutes(10).toMillis();

    /** The page {@link #warmUp} asks for; no replica serves it. */
    static final String WARM_UP_PATH = "/.lbkit-warm-up";

    private final int app;
    private final String host;

    /**
     * The delay now: {@link #setDelay} (the live view's "slow a backend") changes it while the
     * replica runs.
     */
    private final AtomicReference<Duration> delay;

    private final Javalin server;

    private FlaskReplica(int app, String host, AtomicReference<Duration> delay, Javalin server) {
        this.app = app;
        this.host = host;
        this.delay = delay;
        this.server = server;
    }

    /**
     * Starts app {@code app} on {@code host:port} and returns once it accepts connections.
     *
     * @param app the app number N (1 or more); it names the replica {@code appN}
     * @param port the port to listen on, 0 for an ephemeral one (see {@link #port()})
     * @param delay how long every request sleeps before answering, {@link Duration#ZERO} for none
     */
    public static FlaskReplica start(int app, String host, int port, Duration delay) {
        if (app < 1) {
            throw new IllegalArgumentException("app number must be 1 or more, got " + app);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535 (0 = ephemeral), got " + port);
        }
        Objects.requireNonNull(host, "host");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        String name = nameOf(app);
        AtomicReference<Duration> delayNow = new AtomicReference<>(delay);
        Javalin server =
                Javalin.create(
                        cfg -> {
                            cfg.startup.showJavalinBanner = false;
                            cfg.jetty.host = host;
                            cfg.jetty.port = port;
                            cfg.jetty.threadPool = threadPool(name);
                            cfg.routes.before(ctx -> ctx.header(SERVED_BY_HEADER, name));
                            cfg.routes.get("/", ctx -> answer(ctx, helloText(app), delayNow.get()));
                            cfg.routes.get(
                                    "/data", ctx -> answer(ctx, dataText(app), delayNow.get()));
                            cfg.routes.post(
                                    BODY_PATH,
                                    ctx ->
                                            ctx.contentType("text/plain; charset=utf-8")
                                                    .result(bodyReceipt(ctx.bodyAsBytes())));
                            cfg.routes.error(
                                    404,
                                    ctx ->
                                            ctx.header(SERVED_BY_HEADER, name)
                                                    .contentType(CONTENT_TYPE)
                                                    .result(NOT_FOUND_PAGE));
                        });
        server.start();
        FlaskReplica replica = new FlaskReplica(app, host, delayNow, server);
        replica.warmUp();
        return replica;
    }

    /**
     * Sends the replica one request of its own before anyone else can. Javalin 7 builds its
     * servlet's settings (JSON mapper included) on the first request, without a lock: two first
     * requests at once, as when HAProxy and lbkit send theirs to the same replica together, could
     * fail one of them with a 500 (a NullPointerException inside Javalin, seen in CI). The request
     * asks for a page that does not exist, so it waits for no delay.
     */
    private void warmUp() {
        String target = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        try (Socket socket = new Socket(target, port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(
                            ("GET " + WARM_UP_PATH + " HTTP/1.0\r\nHost: " + target + "\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
            String status =
                    new BufferedReader(
                                    new InputStreamReader(
                                            socket.getInputStream(), StandardCharsets.US_ASCII))
                            .readLine();
            if (status == null || !status.contains(" 404 ")) {
                throw new IOException("it answered '" + status + "' where a 404 was due");
            }
        } catch (IOException e) {
            server.stop();
            throw new IllegalStateException(
                    name() + " on " + address() + " failed its warm-up request: " + e.getMessage(),
                    e);
        }
    }

    /** What {@code POST /body} answers: the body's length and SHA-256, in hex. */
    public static String bodyReceipt(byte[] body) {
        try {
            return body.length
                    + " bytes, sha256 "
                    + java.util.HexFormat.of()
                            .formatHex(
                                    java.security.MessageDigest.getInstance("SHA-256")
                                            .digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The body of {@code GET /} for app N. */
    public static String helloText(int app) {
        return "Hello from Flask App " + app + "!";
    }

    /** The body of {@code GET /data} for app N. */
    public static String dataText(int app) {
        return "Data from Flask App " + app + "!";
    }

    /** The replica's name as sent in {@value #SERVED_BY_HEADER}: {@code app1}, {@code app2}, ... */
    public static String nameOf(int app) {
        return "app" + app;
    }

    /** The article's port for app N: 5001 for app 1, 5002 for app 2, ... */
    public static int defaultPort(int app) {
        return FIRST_DEFAULT_PORT + app - 1;
    }

    public int app() {
        return app;
    }

    /** {@code appN}, the value of {@value #SERVED_BY_HEADER} in this replica's answers. */
    public String name() {
        return nameOf(app);
    }

    public String host() {
        return host;
    }

    /** The port actually bound (the ephemeral one when started with port 0). */
    public int port() {
        return server.port();
    }

    /** The delay every request gets unless it asks for its own with {@value #DELAY_PARAM}. */
    public Duration delay() {
        return delay.get();
    }

    /**
     * Changes the delay of the requests that arrive from now on (those already sleeping keep
     * theirs).
     */
    public void setDelay(Duration newDelay) {
        if (newDelay.isNegative() || newDelay.toMillis() > MAX_DELAY_MS) {
            throw new IllegalArgumentException(
                    "delay must be 0 to "
                            + MAX_DELAY_MS
                            + " ms, got "
                            + newDelay.toMillis()
                            + " ms");
        }
        delay.set(newDelay);
    }

    /** {@code host:port}, the form a {@code server} line in haproxy.cfg takes. */
    public String address() {
        return host + ":" + port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:5001}. */
    public String url() {
        return "http://" + address();
    }

    /** The Javalin app, for tests of this package. */
    Javalin javalin() {
        return server;
    }

    @Override
    public void close() {
        server.stop();
    }

    @Override
    public String toString() {
        return name()
                + "@"
                + address()
                + (delay().isZero() ? "" : " delay " + delay().toMillis() + " ms");
    }

    private static void answer(Context ctx, String body, Duration appDelay)
            throws InterruptedException {
        String requested = ctx.queryParam(DELAY_PARAM);
        long delayMs = appDelay.toMillis();
        if (requested != null) {
            try {
                delayMs = Long.parseLong(requested.strip());
            } catch (NumberFormatException notANumber) {
                delayMs = -1;
            }
            if (delayMs < 0 || delayMs > MAX_DELAY_MS) {
                ctx.status(400)
                        .contentType("text/plain; charset=utf-8")
                        .result(
                                DELAY_PARAM
                                        + " must be a whole number of milliseconds from 0 to "
                                        + MAX_DELAY_MS
                                        + ", got '"
                                        + requested
                                        + "'\n");
                return;
            }
        }
        if (delayMs > 0) {
            Thread.sleep(delayMs);
        }
        ctx.contentType(CONTENT_TYPE).result(body);
    }

    private static QueuedThreadPool threadPool(String name) {
        QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 8);
        pool.setName("flask-" + name);
        return pool;
    }

    /** Close to the page Flask (Werkzeug) sends for an unknown path. */
    private static final String NOT_FOUND_PAGE =
            """
            <!doctype html>
            <html lang=en>
            <title>404 Not Found</title>
            <h1>Not Found</h1>
            <p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
            """;
}
