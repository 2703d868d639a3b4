package dev.lbkit.harness.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Docker daemon of this machine is like, asked directly over its API socket ({@code
 * DOCKER_HOST}, else the usual sockets) with plain HTTP/1.0, so the answer does not depend on
 * Testcontainers' own settings: does it answer, which version, which networks (a daemon started
 * with {@code "bridge": "none"} has no {@code bridge} network), which OS (Docker Desktop has no
 * host networking by default).
 *
 * <p>Testcontainers needs two settings on a bridge-less daemon, and reads them from the process
 * environment only: {@code TESTCONTAINERS_HOST_OVERRIDE=localhost} (it would otherwise look up the
 * {@code bridge} network's gateway when it thinks it runs in a container) and {@code
 * TESTCONTAINERS_RYUK_DISABLED=true} (Ryuk's image must be pulled). {@code ./lbkit} sets them when
 * it detects such a daemon; .ci/run exports them; the Maven profile {@code docker-bridgeless}
 * passes them to the tests.
 */
public final class DockerEnvironment {

    public static final String HOST_OVERRIDE = "TESTCONTAINERS_HOST_OVERRIDE";
    public static final String RYUK_DISABLED = "TESTCONTAINERS_RYUK_DISABLED";
    private static final Duration QUICK = Duration.ofSeconds(3);
    private static final Pattern NETWORK_NAME = Pattern.compile("\"Name\"\\s*:\\s*\"([^\"]+)\"");

    private DockerEnvironment() {}

    /** One answer of the Docker API: HTTP status and body. */
    public record Answer(int status, String body) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    /** Where the daemon listens: {@code DOCKER_HOST}, else the first existing usual socket. */
    public static Optional<String> endpoint() {
        String host = Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse("").strip();
        if (!host.isEmpty()) {
            return Optional.of(host);
        }
        String home = System.getProperty("user.home", "");
        for (String candidate :
                List.of(
                        "/var/run/docker.sock",
                        home + "/.docker/run/docker.sock",
                        home + "/.colima/default/docker.sock",
                        home + "/.rd/docker.sock")) {
            if (Files.exists(Path.of(candidate))) {
                return Optional.of("unix://" + candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * {@code GET path}, e.g. {@code /version}; empty when the daemon does not answer within {@code
     * timeout}.
     */
    public static Optional<Answer> get(String path, Duration timeout) {
        return request("GET", path, timeout);
    }

    /** {@code POST path} with an empty body, e.g. {@code /images/create?fromImage=...}. */
    public static Optional<Answer> post(String path, Duration timeout) {
        return request("POST", path, timeout);
    }

    /** The daemon's version, e.g. {@code 20.10.24+dfsg1}; empty when it does not answer. */
    public static Optional<String> serverVersion() {
        return get("/version", QUICK).filter(Answer::ok).flatMap(a -> field(a.body(), "Version"));
    }

    /**
     * Docker's operating system, e.g. {@code Debian GNU/Linux 12 (bookworm)} or {@code Docker
     * Desktop}.
     */
    public static Optional<String> operatingSystem() {
        return get("/info", QUICK)
                .filter(Answer::ok)
                .flatMap(a -> field(a.body(), "OperatingSystem"));
    }

    /**
     * The daemon's network names ({@code bridge}, {@code host}, {@code none}, ...); empty when it
     * does not answer.
     */
    public static Optional<List<String>> networks() {
        return get("/networks", QUICK)
                .filter(Answer::ok)
                .map(
                        a -> {
                            List<String> names = new ArrayList<>();
                            Matcher m = NETWORK_NAME.matcher(a.body());
                            while (m.find()) {
                                names.add(m.group(1));
                            }
                            return names;
                        });
    }

    /** True when the daemon answers and has no {@code bridge} network. */
    public static boolean bridgeless() {
        return networks().map(names -> !names.contains("bridge")).orElse(false);
    }

    /**
     * Whether both Testcontainers settings a bridge-less daemon needs are in this process's
     * environment.
     */
    public static boolean testcontainersSettingsSet() {
        return !Optional.ofNullable(System.getenv(HOST_OVERRIDE)).orElse("").isBlank()
                && "true"
                        .equalsIgnoreCase(
                                Optional.ofNullable(System.getenv(RYUK_DISABLED)).orElse(""));
    }

    /**
     * Empty, or (starting with "; ") why Testcontainers cannot use a daemon that answers: a
     * bridge-less one without the two settings, and what to do.
     */
    public static String whyTestcontainersMayNotReachIt() {
        if (!bridgeless() || testcontainersSettingsSet()) {
            return "";
        }
        return "; this Docker has no 'bridge' network, so Testcontainers needs "
                + HOST_OVERRIDE
                + "=localhost and "
                + RYUK_DISABLED
                + "=true in its environment: run the tests with -Pdocker-bridgeless (or export both;"
                + " ./lbkit doctor checks this)";
    }

    static Optional<String> field(String json, String name) {
        Matcher m =
                Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"")
                        .matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<Answer> request(String method, String path, Duration timeout) {
        Optional<String> endpoint = endpoint();
        if (endpoint.isEmpty()) {
            return Optional.empty();
        }
        ExecutorService executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "lbkit-docker-api");
                            t.setDaemon(true);
                            return t;
                        });
        AutoCloseableHolder holder = new AutoCloseableHolder();
        try {
            Future<Answer> answer =
                    executor.submit(() -> exchange(endpoint.get(), method, path, holder));
            return Optional.of(answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            holder.close();
            executor.shutdownNow();
        }
    }

    /** Closes the connection of a request that timed out. */
    private static final class AutoCloseableHolder {
        private volatile AutoCloseable closeable;

        void set(AutoCloseable c) {
            closeable = c;
        }

        void close() {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // closing a connection that is gone already
            }
        }
    }

    private static Answer exchange(
            String endpoint, String method, String path, AutoCloseableHolder holder)
            throws IOException {
        String request =
                method + " " + path + " HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n";
        byte[] raw;
        if (endpoint.startsWith("unix://")) {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                holder.set(channel);
                channel.connect(UnixDomainSocketAddress.of(endpoint.substring("unix://".length())));
                channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
                raw = readAll(Channels.newInputStream(channel));
            }
        } else if (endpoint.startsWith("tcp://")) {
            URI uri = URI.create(endpoint);
            try (Socket socket = new Socket()) {
                holder.set(socket);
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                raw = readAll(socket.getInputStream());
            }
        } else {
            throw new IOException("unsupported DOCKER_HOST " + endpoint);
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        int headerEnd = text.indexOf("\r\n\r\n");
        String statusLine = text.substring(0, Math.max(0, text.indexOf("\r\n")));
        String[] parts = statusLine.split(" ");
        int status = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return new Answer(status, headerEnd < 0 ? "" : text.substring(headerEnd + 4));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
