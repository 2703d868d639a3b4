package dev.lbkit.balancer.health;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.HttpCheck;
import dev.lbkit.balancer.config.ServerSpec;
import dev.lbkit.balancer.config.Timeouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks for every server with {@code check}: a TCP connect, or with {@code option
 * httpchk} an HTTP request whose 2xx or 3xx answer passes, every {@code inter} milliseconds. The
 * first checks are spread over the interval; state changes go through {@link
 * Backend#setRunning(Server, boolean)} so the algorithm hears them.
 *
 * <p><b>Lock order.</b> A checker has no lock of its own: its {@link CheckState} and last result
 * are guarded by its backend's lock ({@link Backend#lock()}), the lock that guards the server's own
 * state. A check's outcome and the server's move UP or DOWN are one step under that lock, and
 * {@code show stat} reads a server and its check under that one lock, so neither ever waits for a
 * second lock while holding the first. The check itself (connect, request, answer) runs with no
 * lock held, and the UP/DOWN log line is written after the lock is let go. This class's own monitor
 * only keeps {@link #start()} and {@link #close()} apart; nothing else is locked under it.
 */
public final class HealthChecks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

    private final List<Checker> checkers = new ArrayList<>();
    private final Map<Server, Checker> byServer = new IdentityHashMap<>();

    /** Written under this object's monitor (start, close); read by the checkers without it. */
    private volatile ScheduledExecutorService scheduler;

    public HealthChecks(List<Backend> backends) {
        for (Backend backend : backends) {
            for (Server server : backend.servers()) {
                if (server.spec().check()) {
                    Checker checker = new Checker(backend, server);
                    checkers.add(checker);
                    byServer.put(server, checker);
                }
            }
        }
    }

    /** Schedules the first check of each server, spread evenly over its interval. */
    public synchronized void start() {
        if (checkers.isEmpty() || scheduler != null) {
            return;
        }
        scheduler =
                Executors.newScheduledThreadPool(
                        Math.min(4, checkers.size()),
                        runnable -> {
                            Thread thread = new Thread(runnable, "lbkit-health");
                            thread.setDaemon(true);
                            return thread;
                        });
        for (int i = 0; i < checkers.size(); i++) {
            Checker checker = checkers.get(i);
            long firstDelay = (long) interOf(checker.server.spec()) * i / checkers.size();
            scheduler.schedule(checker, firstDelay, TimeUnit.MILLISECONDS);
        }
    }

    /** A snapshot of the server's check state, or empty when it has no {@code check}. */
    public Optional<Snapshot> of(Server server) {
        Checker checker = byServer.get(server);
        if (checker == null) {
            return Optional.empty();
        }
        synchronized (checker.backend.lock()) {
            CheckState s = checker.state;
            return Optional.of(
                    new Snapshot(
                            s.status(),
                            s.up(),
                            s.health(),
                            s.rise(),
                            s.fall(),
                            s.failedChecks(),
                            s.downTransitions(),
                            checker.lastResult));
        }
    }

    /**
     * A server's check state as {@code show stat} shows it.
     *
     * @param lastResult HAProxy's short check status ({@code L4OK}, {@code L4CON}, {@code L7OK},
     *     {@code L7STS}, {@code L4TOUT}, ...) or {@code INI} before the first check
     */
    public record Snapshot(
            String status,
            boolean up,
            int health,
            int rise,
            int fall,
            long failedChecks,
            long downTransitions,
            String lastResult) {}

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    private static int interOf(ServerSpec spec) {
        return spec.interMs() > 0 ? spec.interMs() : 2000;
    }

    /**
     * When the next check runs, as in HAProxy: {@code inter} while the server is steadily UP
     * (health at its top), {@code downinter} while it is steadily DOWN (health 0), {@code
     * fastinter} in between (going down, coming up, or at start, when health is only {@code rise});
     * either of the last two falls back to {@code inter} when not set.
     */
    static int nextInterval(ServerSpec spec, CheckState state) {
        int inter = interOf(spec);
        if (state.health() == state.rise() + state.fall() - 1) {
            return inter;
        }
        if (!state.up() && state.health() == 0) {
            return spec.downinterMs() > 0 ? spec.downinterMs() : inter;
        }
        return spec.fastinterMs() > 0 ? spec.fastinterMs() : inter;
    }

    /** One server's checker: runs a check, updates the state, schedules the next one. */
    private final class Checker implements Runnable {
        final Backend backend;
        final Server server;

        /** Guarded by {@code backend.lock()}, as the server's own state is. */
        final CheckState state;

        /** Guarded by {@code backend.lock()}. */
        String lastResult = "INI";

        Checker(Backend backend, Server server) {
            this.backend = backend;
            this.server = server;
            int rise = Math.max(1, server.spec().rise());
            // 3.4 starts a checked server UP at health 0, the lines before at rise (measured).
            int start = backend.line().compareTo(HaproxyLine.V3_4) >= 0 ? 0 : rise;
            this.state = new CheckState(rise, Math.max(1, server.spec().fall()), start);
            backend.attachCheck(server, state);
        }

        @Override
        public void run() {
            boolean paused;
            synchronized (backend.lock()) {
                // Checks pause while the server is in maintenance, as HAProxy's do.
                paused = server.maint();
            }
            String result = paused ? null : check();
            boolean passed = result != null && result.endsWith("OK");
            boolean wentUp = false;
            boolean wentDown = false;
            synchronized (backend.lock()) {
                if (result != null && !server.maint()) {
                    lastResult = result;
                    wentUp = passed && state.pass();
                    wentDown = !passed && state.fail();
                    if (wentUp || wentDown) {
                        backend.setRunning(server, wentUp);
                    } else if (passed && state.up() && server.stopping()) {
                        // A passing check ends a stopping state ('set server ... health
                        // stopping'): the server is UP again at once, as on HAProxy 2.6 to 3.4.
                        backend.setRunning(server, true);
                        wentUp = true;
                    }
                }
            }
            if (wentUp) {
                LOG.info("Server {}/{} is UP ({})", backend.name(), server.name(), result);
            } else if (wentDown) {
                LOG.warn("Server {}/{} is DOWN ({})", backend.name(), server.name(), result);
            }
            int next;
            synchronized (backend.lock()) {
                next = nextInterval(server.spec(), state);
            }
            ScheduledExecutorService current = scheduler;
            if (current != null && !current.isShutdown()) {
                try {
                    current.schedule(this, next, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // closing
                }
            }
        }

        /** Runs one check and returns HAProxy's short result code; codes ending in OK pass. */
        private String check() {
            ServerSpec spec = server.spec();
            int inter = interOf(spec);
            Timeouts timeouts = backend.section().timeouts();
            // As HAProxy documents: connect within min(timeout connect, inter), then read within
            // timeout check, or inter when that is not set.
            int connectTimeout =
                    (int)
                            (timeouts.connectMs() > 0
                                    ? Math.min(timeouts.connectMs(), inter)
                                    : inter);
            int readTimeout = (int) (timeouts.checkMs() > 0 ? timeouts.checkMs() : inter);
            try (Socket socket = new Socket()) {
                try {
                    socket.connect(new InetSocketAddress(spec.host(), spec.port()), connectTimeout);
                } catch (SocketTimeoutException e) {
                    return "L4TOUT";
                } catch (IOException e) {
                    return "L4CON";
                }
                HttpCheck http = backend.section().httpCheck();
                if (http == null) {
                    return "L4OK";
                }
                socket.setSoTimeout(readTimeout);
                return httpCheck(socket, http);
            } catch (SocketTimeoutException e) {
                return "L7TOUT";
            } catch (IOException e) {
                return "L7RSP";
            }
        }

        /**
         * Sends the check's request and tests the answer: with no {@code http-check expect} rule a
         * 2xx or 3xx status passes; with rules, each must hold, in order, and the first that does
         * not gives the result: L7STS for a status rule, L7RSP for a body rule (as HAProxy 2.6 to
         * 3.4 report them). The body is read up to {@value #BODY_LIMIT} bytes (HAProxy's buffer),
         * to its Content-Length or to the end of the connection.
         */
        private String httpCheck(Socket socket, HttpCheck http) throws IOException {
            if (http.sendsNothing()) {
                // Nothing to send: wait for an answer until the read times out (L7TOUT), or the
                // server closes (L7RSP).
                socket.getInputStream().read();
                return "L7RSP";
            }
            StringBuilder request =
                    new StringBuilder()
                            .append(http.method())
                            .append(' ')
                            .append(http.uri())
                            .append(' ')
                            .append(http.version())
                            .append("\r\n");
            for (String header : http.headers()) {
                request.append(header).append("\r\n");
            }
            byte[] body =
                    http.body() == null
                            ? new byte[0]
                            : http.body().getBytes(StandardCharsets.ISO_8859_1);
            if (body.length > 0) {
                request.append("Content-Length: ").append(body.length).append("\r\n");
            }
            // HAProxy adds this for HTTP/1.1 only; lbkit always asks, so every answer ends.
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = readLine(in);
            // "HTTP/1.1 200 OK": the three digits after the first space decide
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2
                    || !parts[0].startsWith("HTTP/")
                    || parts[1].length() != 3
                    || !parts[1].chars().allMatch(Character::isDigit)) {
                return "L7RSP";
            }
            int status = Integer.parseInt(parts[1]);
            if (http.expects().isEmpty()) {
                return status >= 200 && status < 400 ? "L7OK" : "L7STS";
            }
            String answerBody = "";
            if (http.expects().stream().anyMatch(e -> !e.onStatus())) {
                answerBody = readBody(in, http.method().equalsIgnoreCase("HEAD"));
            }
            for (HttpCheck.Expect expect : http.expects()) {
                if (!expect.holds(status, answerBody)) {
                    return expect.onStatus() ? "L7STS" : "L7RSP";
                }
            }
            return "L7OK";
        }

        private static final int BODY_LIMIT = 16_384;

        /** The rest of the answer's head, then its body as far as {@link #BODY_LIMIT}. */
        private String readBody(InputStream in, boolean head) throws IOException {
            long length = -1;
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0
                        && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    try {
                        length = Long.parseLong(line.substring(colon + 1).trim());
                    } catch (NumberFormatException e) {
                        length = -1;
                    }
                }
            }
            if (head) {
                return "";
            }
            int limit = (int) Math.min(BODY_LIMIT, length < 0 ? BODY_LIMIT : length);
            byte[] bytes = in.readNBytes(limit);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }

        private String readLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n' && line.length() < 8192) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
