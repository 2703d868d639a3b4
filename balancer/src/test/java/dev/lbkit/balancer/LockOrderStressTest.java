package dev.lbkit.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HttpCheck;
import dev.lbkit.balancer.health.FlappingHealth;
import dev.lbkit.balancer.proxy.RawHttp;
import dev.lbkit.balancer.proxy.TestBackend;
import dev.lbkit.balancer.proxy.TestConfigs;
import dev.lbkit.balancer.runtime.StatsSocketClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Everything that takes a backend's lock, at once, for a while: HTTP requests through lbkit to real
 * servers (a pick and a release each), health checks moving those servers UP and DOWN, and the
 * runtime API disabling, enabling, reweighting and showing them, on a roundrobin and a leastconn
 * backend. A {@link Watchdog} fails the test with a thread dump on a deadlock, or when a request or
 * an admin command waits longer than the configured timeouts allow. 20 s in the default build;
 * {@code -Dlbkit.stress.seconds=60} runs it for a minute.
 */
class LockOrderStressTest {
    private static final Duration RUN =
            Duration.ofSeconds(Long.getLong("lbkit.stress.seconds", 20));
    private static final long CONNECT_MS = 500;
    private static final long SERVER_MS = 2000;
    private static final int RETRIES = 2;

    /**
     * The longest a request may take by the config: every connect attempt timing out, then all of
     * timeout server.
     */
    private static final Duration REQUEST_LIMIT =
            Duration.ofMillis((RETRIES + 1) * CONNECT_MS + SERVER_MS);

    /**
     * Admin commands only read and write memory, and HAProxy's CLI has no timeout that would allow
     * more.
     */
    private static final Duration ADMIN_LIMIT = Duration.ofSeconds(2);

    private static final Map<String, Algorithm> PROXIES =
            Map.of("rr", Algorithm.ROUNDROBIN, "lc", Algorithm.LEASTCONN);
    private static final int SERVERS_PER_PROXY = 3;
    private static final int CLIENTS = 3;
    private static final int ADMINS = 2;
    private static final int INTER_MS = 20;

    /** A deadlocked lbkit never stops; the build must not wait for it. */
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private final Map<Integer, LongAdder> answersByStatus = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> commandsByKind = new ConcurrentHashMap<>();
    private Lbkit lbkit;
    private Watchdog watchdog;
    private StatsSocketClient stats;
    private long endNanos;

    @AfterEach
    void stop() throws Exception {
        boolean stopped = lbkit == null || Watchdog.closeWithin(CLOSE_LIMIT, lbkit);
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        assertThat(stopped)
                .as("lbkit stops within %d s once the test is over", CLOSE_LIMIT.toSeconds())
                .isTrue();
    }

    @Test
    void trafficChecksAndAdminCommandsTogetherNeverWaitPastTheirTimeouts() throws Exception {
        List<TestConfigs.Listen> listens = new ArrayList<>();
        for (String proxy : List.of("rr", "lc")) {
            TestConfigs.Listen listen =
                    TestConfigs.listen(proxy)
                            .algorithm(PROXIES.get(proxy))
                            .httpCheck(new HttpCheck("GET", "/health", "HTTP/1.0"))
                            .timeouts(CONNECT_MS, 30_000, SERVER_MS, 1000)
                            .retries(RETRIES, true);
            for (int s = 1; s <= SERVERS_PER_PROXY; s++) {
                TestBackend server = new TestBackend(proxy + "-s" + s);
                closeAfter.add(server);
                server.route("/health", new FlappingHealth(2, 2));
                listen.server(TestConfigs.checked("s" + s, server.port(), INTER_MS, 2, 2));
            }
            listens.add(listen);
        }
        listens.get(0).statsSocket("127.0.0.1", 0, null, "admin");
        lbkit = Lbkit.start(TestConfigs.config(listens));
        stats = new StatsSocketClient(lbkit, ADMIN_LIMIT.multipliedBy(2));
        watchdog = new Watchdog();
        closeAfter.add(watchdog);

        long startNanos = System.nanoTime();
        endNanos = startNanos + RUN.toNanos();
        ExecutorService workers =
                Executors.newFixedThreadPool(
                        CLIENTS + ADMINS,
                        runnable -> {
                            Thread thread = new Thread(runnable, "stress-worker");
                            thread.setDaemon(true);
                            return thread;
                        });
        for (int i = 0; i < CLIENTS; i++) {
            String proxy = i % 2 == 0 ? "rr" : "lc";
            int port = lbkit.frontends().get(i % 2).ports().get(0);
            workers.execute(() -> guarded("client of " + proxy, () -> sendRequests(proxy, port)));
        }
        for (int i = 0; i < ADMINS; i++) {
            long seed = i;
            workers.execute(() -> guarded("admin", () -> sendAdminCommands(new Random(seed))));
        }
        workers.shutdown();

        Optional<String> trip = watchdog.awaitTrip(RUN);
        assertThat(trip)
                .as("no deadlock, and no request or admin command waits past its timeout")
                .isEmpty();
        assertThat(workers.awaitTermination(REQUEST_LIMIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("every worker stops once the run is over")
                .isTrue();
        assertThat(watchdog.awaitTrip(Duration.ZERO))
                .as("no worker failed while stopping")
                .isEmpty();
        double seconds = (System.nanoTime() - startNanos) / 1e9;

        for (Backend backend : lbkit.backends()) {
            assertNothingInFlight(backend);
        }
        Map<String, Map<String, String>> last = stats.showStat();
        long downs =
                last.values().stream()
                        .filter(row -> row.get("type").equals("2"))
                        .mapToLong(row -> Long.parseLong(row.get("chkdown")))
                        .sum();
        long answered = answersByStatus.values().stream().mapToLong(LongAdder::sum).sum();
        System.out.printf(
                "lock-order stress: %.1f s, %d requests answered %s, admin commands answered %s,"
                        + " %d DOWN transitions (and about as many UP)%n",
                seconds, answered, sorted(answersByStatus), sorted(commandsByKind), downs);
        assertThat(count(answersByStatus, 200))
                .as("requests reached the servers")
                .isGreaterThanOrEqualTo(100);
        assertThat(commandsByKind.keySet())
                .as("every kind of admin command was sent")
                .containsExactlyInAnyOrder(
                        "disable server",
                        "enable server",
                        "set server weight",
                        "set server state",
                        "get weight",
                        "show stat");
        assertThat(downs)
                .as("health checks moved servers DOWN and UP throughout")
                .isGreaterThanOrEqualTo(20);
    }

    /** A keep-alive client: GET / again and again, each answered within the configured timeouts. */
    private void sendRequests(String proxy, int port) throws Exception {
        RawHttp http = new RawHttp(port);
        try {
            while (running()) {
                RawHttp client = http;
                RawHttp.Answer answer =
                        watchdog.watch(
                                "GET / through " + proxy, REQUEST_LIMIT, () -> client.get("/"));
                assertThat(answer.status())
                        .as(
                                "a request is answered by a server, or by lbkit's 503 when none is usable")
                        .isIn(200, 503);
                if (answer.status() == 200) {
                    assertThat(answer.body())
                            .as("the answer comes from one of %s's servers", proxy)
                            .startsWith("server=" + proxy + "-s");
                }
                answersByStatus.computeIfAbsent(answer.status(), s -> new LongAdder()).increment();
                if ("close".equalsIgnoreCase(answer.header("Connection"))) {
                    http.close();
                    http = new RawHttp(port);
                }
            }
        } finally {
            http.close();
        }
    }

    /** An operator at the stats socket, each answer checked against HAProxy's wording. */
    private void sendAdminCommands(Random random) throws Exception {
        // 'enable server' leaves drain on and only 'state ready' ends it, so ready comes as often
        // as drain and maint together.
        String[] states = {"ready", "ready", "drain", "maint"};
        while (running()) {
            String proxy = random.nextBoolean() ? "rr" : "lc";
            String server = proxy + "/s" + (1 + random.nextInt(SERVERS_PER_PROXY));
            // Enabling more often than disabling keeps most servers in service, so traffic mostly
            // reaches them.
            switch (random.nextInt(10)) {
                case 0 -> expectEmptyLine("disable server", "disable server " + server);
                case 1, 2 -> expectEmptyLine("enable server", "enable server " + server);
                case 3, 4 ->
                        expectEmptyLine(
                                "set server weight",
                                "set server " + server + " weight " + random.nextInt(257));
                case 5 ->
                        expectEmptyLine(
                                "set server state",
                                "set server "
                                        + server
                                        + " state "
                                        + states[random.nextInt(states.length)]);
                case 6 ->
                        assertThat(admin("get weight", "get weight " + server))
                                .as("get weight answers the current and the configured weight")
                                .matches("\\d+ \\(initial 1\\)\n\n");
                default -> {
                    Map<String, Map<String, String>> rows =
                            watchdog.watch("show stat", ADMIN_LIMIT, stats::showStat);
                    commandsByKind.computeIfAbsent("show stat", k -> new LongAdder()).increment();
                    assertOnePicture(rows, "rr");
                    assertOnePicture(rows, "lc");
                }
            }
        }
    }

    private void expectEmptyLine(String kind, String command) throws Exception {
        assertThat(admin(kind, command))
                .as("'%s' succeeds with HAProxy's empty line", command)
                .isEqualTo("\n");
    }

    private String admin(String kind, String command) throws Exception {
        String answer = watchdog.watch(command, ADMIN_LIMIT, () -> stats.ask(command));
        commandsByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
        return answer;
    }

    /**
     * {@code show stat} reads a backend under its one lock, so its rows agree: the BACKEND row
     * counts as active exactly the servers it shows usable (UP by their checks, weight above 0,
     * neither MAINT nor DRAIN).
     */
    private static void assertOnePicture(Map<String, Map<String, String>> rows, String proxy) {
        assertThat(rows.keySet())
                .as("show stat has %s's FRONTEND row, one per server, and BACKEND", proxy)
                .contains(
                        proxy + "/FRONTEND",
                        proxy + "/s1",
                        proxy + "/s2",
                        proxy + "/s3",
                        proxy + "/BACKEND");
        long usable = 0;
        for (int s = 1; s <= SERVERS_PER_PROXY; s++) {
            Map<String, String> row = rows.get(proxy + "/s" + s);
            if (row.get("status").startsWith("UP") && !row.get("weight").equals("0")) {
                usable++;
            }
        }
        assertThat(rows.get(proxy + "/BACKEND").get("act"))
                .as(
                        "%s's BACKEND row counts as active exactly the servers its rows show usable",
                        proxy)
                .isEqualTo(String.valueOf(usable));
    }

    private boolean running() {
        return !watchdog.tripped() && System.nanoTime() < endNanos;
    }

    private void guarded(String worker, Work work) {
        try {
            work.run();
        } catch (Throwable failure) {
            watchdog.workerFailed(worker, failure);
        }
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /** Waits (up to 5 s) until no server holds a request: every slot taken was given back. */
    private static void assertNothingInFlight(Backend backend) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int served = inFlight(backend);
        while (served != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            served = inFlight(backend);
        }
        assertThat(served)
                .as(
                        "every request's slot on %s is given back once the traffic stops",
                        backend.name())
                .isZero();
    }

    private static int inFlight(Backend backend) {
        synchronized (backend.lock()) {
            return backend.servers().stream().mapToInt(Server::served).sum();
        }
    }

    private static <K> Map<K, Long> sorted(Map<K, LongAdder> counts) {
        Map<K, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static long count(Map<Integer, LongAdder> counts, int status) {
        LongAdder adder = counts.get(status);
        return adder == null ? 0 : adder.sum();
    }
}
