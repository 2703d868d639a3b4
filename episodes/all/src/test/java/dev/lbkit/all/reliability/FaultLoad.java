package dev.lbkit.all.reliability;

import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One fault under load: lbkit in front of a good server and a bad one, {@code clients} keep-alive
 * clients sending unique requests for {@code duration}, the fault happening meanwhile. Returns what
 * the clients saw, what lbkit's counters say, and what was left behind after lbkit closed.
 */
final class FaultLoad {
    /**
     * The configured timeouts; no answer may take longer than they allow (plus scheduling slack).
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

    static final Duration SERVER_TIMEOUT = Duration.ofSeconds(1);
    static final int RETRIES = 2;
    static final Duration WORST_CASE_ANSWER =
            CONNECT_TIMEOUT.multipliedBy(RETRIES + 1).plus(SERVER_TIMEOUT).plusSeconds(3);

    private static final String CONFIG =
            """
            global
                stats socket ipv4@127.0.0.1:{STATS} level admin
            defaults
                mode http
                timeout connect 500ms
                timeout client 5s
                timeout server 1s
                retries 2
                option redispatch
            listen web
                bind 127.0.0.1:{BIND}
                balance roundrobin
            {HTTPCHK}
                server good 127.0.0.1:{GOOD}{GOODCHECK}
                server bad 127.0.0.1:{BAD}{BADCHECK}
            """;

    /**
     * The faults of the issue, each with the statuses HAProxy gives for it (2xx from the good
     * server).
     */
    enum Fault {
        /**
         * The bad server is a healthy one, stopped a third into the run: requests in flight on it
         * get 502 (connection closed) or 504 (the dying server holds the connection without
         * answering), or, when it dies between its answer's head and body, the head and then a
         * closed connection (counted as {@code truncated}).
         */
        KILLED(Set.of(200, 502, 504)),
        /** Accepts and never answers: 504 after timeout server. */
        NEVER_ANSWERS(Set.of(200, 504)),
        /** Resets each connection after reading the request: 502. */
        RESETS(Set.of(200, 502)),
        /** Answers bytes that are not HTTP: 502. */
        ANSWERS_GARBAGE(Set.of(200, 502)),
        /**
         * Answers every request, but its health check flips between pass and fail every second.
         * Only this server is checked: a check on the good one (inter 200 ms, fall 1) can time out
         * under 200 clients on two cores, and with both servers down HAProxy and lbkit rightly
         * answer 503.
         */
        HEALTH_FLAPPING(Set.of(200));

        final Set<Integer> allowed;

        /**
         * Any fault may also see 504: with 200 clients, the servers and lbkit in one JVM on two
         * shared cores, the good server itself is now and then slower than timeout server (1 s),
         * and 504 is HAProxy's answer to that. Such a 504 must have waited the full timeout ({@code
         * earlyTimeouts}).
         */
        Fault(Set<Integer> allowed) {
            Set<Integer> statuses = new HashSet<>(allowed);
            statuses.add(504);
            this.allowed = Set.copyOf(statuses);
        }
    }

    /**
     * What one run showed.
     *
     * @param clients how many clients sent requests at once
     * @param byStatus answers per status code
     * @param failed requests that got no answer (I/O error or client timeout)
     * @param truncated answers cut short: a head and less body than its Content-Length, then the
     *     connection closed (what a proxy sends when its server dies in the middle of an answer)
     * @param misrouted answers whose body named another request (an answer given twice or to the
     *     wrong one)
     * @param earlyTimeouts 504s that came before timeout server had passed (a 504 must be a real
     *     timeout)
     * @param duplicates requests the good server received more than once
     * @param frontendTotal lbkit's FRONTEND req_tot from show stat after the run
     * @param frontendCurrent FRONTEND scur after the run
     * @param serversInFlight the servers' scur summed after the run
     * @param threadsLeft threads above the baseline once lbkit closed
     * @param lbkitThreadsLeft threads named lbkit-* once lbkit closed
     * @param fdsLeft open file descriptors above the baseline once lbkit closed
     * @param heapGrowthMb used heap after GC above the baseline, in MiB
     */
    record Result(
            Fault fault,
            int clients,
            long sent,
            Map<Integer, Long> byStatus,
            long failed,
            long truncated,
            long misrouted,
            long earlyTimeouts,
            long duplicates,
            long maxLatencyMs,
            long frontendTotal,
            long frontendCurrent,
            long serversInFlight,
            int threadsLeft,
            long lbkitThreadsLeft,
            long fdsLeft,
            long heapGrowthMb,
            Map<String, Integer> newThreads,
            List<String> failures) {

        long answered() {
            return byStatus.values().stream().mapToLong(Long::longValue).sum();
        }

        String line() {
            return String.format(
                    "%-16s sent=%d answered=%d failed=%d truncated=%d byStatus=%s maxLatency=%dms misrouted=%d earlyTimeouts=%d"
                            + " duplicates=%d | show stat req_tot=%d scur=%d servers scur=%d"
                            + " | leaks: threads=%+d %s lbkit-threads=%d fds=%+d heap=%+dMiB%s",
                    fault,
                    sent,
                    answered(),
                    failed,
                    truncated,
                    byStatus,
                    maxLatencyMs,
                    misrouted,
                    earlyTimeouts,
                    duplicates,
                    frontendTotal,
                    frontendCurrent,
                    serversInFlight,
                    threadsLeft,
                    newThreads,
                    lbkitThreadsLeft,
                    fdsLeft,
                    heapGrowthMb,
                    failures.isEmpty() ? "" : " | first failures: " + failures);
        }
    }

    private FaultLoad() {}

    static Result run(Fault fault, int clients, Duration duration) throws Exception {
        Baseline baseline = Baseline.take();
        RecordingBackend good = new RecordingBackend();
        AutoCloseable badCloser;
        int badPort;
        RecordingBackend badRecording = null;
        FaultServer faultServer = null;
        switch (fault) {
            case KILLED, HEALTH_FLAPPING -> {
                badRecording = new RecordingBackend();
                badPort = badRecording.port();
                badCloser = badRecording;
            }
            default -> {
                faultServer =
                        new FaultServer(
                                switch (fault) {
                                    case NEVER_ANSWERS -> FaultServer.Behaviour.NEVER_ANSWERS;
                                    case RESETS -> FaultServer.Behaviour.RESETS;
                                    default -> FaultServer.Behaviour.ANSWERS_GARBAGE;
                                });
                badPort = faultServer.port();
                badCloser = faultServer;
            }
        }
        int port = SideBySide.freePort();
        int stats = SideBySide.freePort();
        String check =
                switch (fault) {
                    case KILLED -> " check inter 300 fall 1 rise 1";
                    case HEALTH_FLAPPING -> " check inter 200 fall 1 rise 1";
                    default -> "";
                };
        String config =
                CONFIG.replace("{STATS}", "" + stats)
                        .replace("{BIND}", "" + port)
                        .replace("{GOOD}", "" + good.port())
                        .replace("{BAD}", "" + badPort)
                        .replace(
                                "{HTTPCHK}",
                                fault == Fault.HEALTH_FLAPPING
                                        ? "    option httpchk GET /health"
                                        : "")
                        .replace("{GOODCHECK}", "")
                        .replace("{BADCHECK}", check);
        Lbkit lbkit = Lbkit.start(ConfigParser.parse(config, "faults.cfg"));
        Load load = new Load(port, clients, duration);
        long startNanos = System.nanoTime();
        Thread faultThread = startFault(fault, badRecording, duration, startNanos);
        load.run();
        faultThread.interrupt();
        faultThread.join();
        // A request's counters drop just after its last byte leaves, so give them a moment to
        // settle.
        long[] counters = counters(RuntimeApiClient.send(stats, "show stat"));
        for (int i = 0; i < 30 && (counters[1] != 0 || counters[2] != 0); i++) {
            Thread.sleep(100);
            counters = counters(RuntimeApiClient.send(stats, "show stat"));
        }
        lbkit.close();
        good.close();
        badCloser.close();
        long duplicates = good.seen().size() - new HashSet<>(good.seen()).size();
        Baseline after = Baseline.settle(baseline);
        return new Result(
                fault,
                clients,
                load.sent.get(),
                new TreeMap<>(load.byStatus),
                load.failed.get(),
                load.truncated.get(),
                load.misrouted.get(),
                load.earlyTimeouts.get(),
                duplicates,
                load.maxLatencyMs.get(),
                counters[0],
                counters[1],
                counters[2],
                after.threads - baseline.threads,
                after.lbkitThreads,
                after.fds - baseline.fds,
                (after.heapBytes - baseline.heapBytes) / (1024 * 1024),
                newThreads(baseline, after),
                List.copyOf(load.failures));
    }

    /** Thread names with more threads after than before, and how many more. */
    private static Map<String, Integer> newThreads(Baseline before, Baseline after) {
        Map<String, Integer> more = new TreeMap<>();
        after.threadNames.forEach(
                (name, count) -> {
                    int extra = count - before.threadNames.getOrDefault(name, 0);
                    if (extra > 0) {
                        more.put(name, extra);
                    }
                });
        return more;
    }

    private static Thread startFault(
            Fault fault, RecordingBackend bad, Duration duration, long startNanos) {
        Thread thread =
                new Thread(
                        () -> {
                            try {
                                if (fault == Fault.KILLED) {
                                    Thread.sleep(duration.toMillis() / 3);
                                    bad.close();
                                } else if (fault == Fault.HEALTH_FLAPPING) {
                                    boolean healthy = true;
                                    while (true) {
                                        Thread.sleep(1000);
                                        healthy = !healthy;
                                        bad.setHealthy(healthy);
                                    }
                                }
                            } catch (InterruptedException done) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "fault-" + fault);
        thread.start();
        return thread;
    }

    /** FRONTEND req_tot, FRONTEND scur, and the servers' scur summed, from show stat's CSV. */
    static long[] counters(String csv) {
        List<String> lines = csv.lines().toList();
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        int pxname = header.indexOf("pxname");
        int svname = header.indexOf("svname");
        int reqTot = header.indexOf("req_tot");
        int scur = header.indexOf("scur");
        long frontendTotal = -1;
        long frontendCurrent = -1;
        long servers = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells.length <= Math.max(reqTot, scur) || !cells[pxname].equals("web")) {
                continue;
            }
            if (cells[svname].equals("FRONTEND")) {
                frontendTotal = Long.parseLong(cells[reqTot]);
                frontendCurrent = Long.parseLong(cells[scur]);
            } else if (!cells[svname].equals("BACKEND")) {
                servers += Long.parseLong(cells[scur]);
            }
        }
        return new long[] {frontendTotal, frontendCurrent, servers};
    }

    /**
     * The clients: each keeps one connection open, sends unique targets, and checks each answer is
     * its own.
     */
    private static final class Load {
        final int port;
        final int clients;
        final Duration duration;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong truncated = new AtomicLong();
        final AtomicLong misrouted = new AtomicLong();
        final AtomicLong earlyTimeouts = new AtomicLong();
        final AtomicLong maxLatencyMs = new AtomicLong();
        final Map<Integer, Long> byStatus = new ConcurrentHashMap<>();

        /** The first few requests without an answer: target, time into the run, and why. */
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());

        Load(int port, int clients, Duration duration) {
            this.port = port;
            this.clients = clients;
            this.duration = duration;
        }

        void run() throws InterruptedException {
            long deadline = System.nanoTime() + duration.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int client = i;
                Thread thread = new Thread(() -> clientLoop(client, deadline), "load-" + i);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }

        private void clientLoop(int client, long deadline) {
            // The client's own timeout is far beyond the worst case the config allows, so a hang
            // shows
            // up as a latency over the limit, not as a silent give-up.
            RawHttpClient http =
                    new RawHttpClient(
                            new InetSocketAddress("127.0.0.1", port),
                            null,
                            (int) WORST_CASE_ANSWER.toMillis() * 3);
            for (long n = 0; System.nanoTime() < deadline; n++) {
                String target = "/r/" + client + "-" + n;
                sent.incrementAndGet();
                long start = System.nanoTime();
                try {
                    RawHttpClient.Response response =
                            http.get(target, "lbkit.test", List.of(), true);
                    byStatus.merge(response.status(), 1L, Long::sum);
                    if (response.status() == 504
                            && System.nanoTime() - start < SERVER_TIMEOUT.toNanos() - 50_000_000L) {
                        earlyTimeouts.incrementAndGet();
                    }
                    String length = response.header("content-length");
                    if (length != null && response.body().length() < Long.parseLong(length)) {
                        truncated.incrementAndGet();
                    } else if (response.status() == 200
                            && !response.body().contains(" " + target + "\n")) {
                        misrouted.incrementAndGet();
                    }
                } catch (IOException e) {
                    if (failed.incrementAndGet() <= 5) {
                        failures.add(
                                String.format(
                                        "%s after %d ms: %s",
                                        target, (System.nanoTime() - start) / 1_000_000, e));
                    }
                    http.close();
                }
                maxLatencyMs.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
            }
            http.close();
        }
    }

    /** Threads, file descriptors and heap of this JVM at one moment. */
    private record Baseline(
            int threads,
            long lbkitThreads,
            long fds,
            long heapBytes,
            Map<String, Integer> threadNames) {
        static Baseline take() throws IOException {
            System.gc();
            long lbkit =
                    Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().startsWith("lbkit-"))
                            .count();
            long fds;
            try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
                fds = open.count();
            }
            Map<String, Integer> names = new TreeMap<>();
            Thread.getAllStackTraces()
                    .keySet()
                    .forEach(t -> names.merge(t.getName(), 1, Integer::sum));
            return new Baseline(
                    ManagementFactory.getThreadMXBean().getThreadCount(),
                    lbkit,
                    fds,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                    names);
        }

        /**
         * Waits (up to 10 s) for threads and descriptors to come back to the baseline, then
         * measures.
         */
        static Baseline settle(Baseline baseline) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Baseline now = take();
            while (System.nanoTime() < deadline
                    && (now.threads > baseline.threads
                            || now.fds > baseline.fds
                            || now.lbkitThreads > 0)) {
                Thread.sleep(200);
                now = take();
            }
            return now;
        }
    }
}
