package dev.lbkit.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends overlapping requests to one side of a {@link SideBySide}: a {@link TimedTraffic} timetable
 * (each request launched at its planned time, in its own thread or on its keep-alive connection) or
 * a free-running {@link ConcurrentLoad} (N clients sending M requests as fast as answers come).
 * Either way it records which server answered each request.
 */
public final class ConcurrentDriver {
    private static final int TIMEOUT_MS = 60_000;

    private ConcurrentDriver() {}

    /**
     * Runs {@code traffic} against {@code side}: one thread per new connection and per named
     * keep-alive connection.
     */
    public static TimedRun timed(SideBySide sides, SideBySide.Endpoint side, TimedTraffic traffic)
            throws InterruptedException {
        List<TimedTraffic.TimedRequest> requests = traffic.requests();
        int n = requests.size();
        String[] answers = new String[n];
        Arrays.fill(answers, "(no answer)");
        long[] started = new long[n];
        long[] ended = new long[n];
        Arrays.fill(ended, -1);
        Map<String, List<Integer>> byConnection = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String connection = requests.get(i).connection();
            byConnection
                    .computeIfAbsent(
                            connection == null ? "#" + i : connection, k -> new ArrayList<>())
                    .add(i);
        }
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", side.port());
        String host = "127.0.0.1:" + side.port();
        // Leave the threads time to start before the first planned launch.
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        List<Thread> threads = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> group : byConnection.entrySet()) {
            boolean keepAlive = !group.getKey().startsWith("#");
            threads.add(
                    clientThread(
                            () -> {
                                try (RawHttpClient client =
                                        new RawHttpClient(address, null, TIMEOUT_MS)) {
                                    for (int i : group.getValue()) {
                                        sleepUntil(t0, requests.get(i).startMs());
                                        started[i] = sinceMs(t0);
                                        try {
                                            answers[i] =
                                                    sides.answeredBy(
                                                            client.get(
                                                                    requests.get(i).target(),
                                                                    host,
                                                                    List.of(),
                                                                    keepAlive));
                                        } catch (IOException e) {
                                            answers[i] = "error: " + e.getMessage();
                                        }
                                        ended[i] = sinceMs(t0);
                                    }
                                }
                            }));
        }
        List<String> probeAnswers = new ArrayList<>();
        threads.forEach(Thread::start);
        for (TimedTraffic.Probe probe : traffic.probes()) {
            sleepUntil(t0, probe.atMs());
            probeAnswers.add(
                    RuntimeApiClient.admin(side.side(), side.statsPort(), probe.command()));
        }
        for (Thread t : threads) {
            t.join();
        }
        List<Long> startedMs = Arrays.stream(started).boxed().toList();
        List<Long> endedMs = Arrays.stream(ended).boxed().toList();
        return new TimedRun(
                new Picks(side.side(), Arrays.asList(answers)),
                startedMs,
                endedMs,
                probeAnswers,
                traffic);
    }

    /**
     * Runs {@code load} against {@code side}: {@code clients} threads take request numbers from one
     * counter until all are sent; the answers are kept by request number (the order requests were
     * taken).
     */
    public static LoadRun load(SideBySide sides, SideBySide.Endpoint side, ConcurrentLoad load)
            throws InterruptedException {
        String[] answers = new String[load.requests()];
        Arrays.fill(answers, "(no answer)");
        AtomicInteger next = new AtomicInteger();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", side.port());
        String host = "127.0.0.1:" + side.port();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < load.clients(); c++) {
            clients.add(
                    clientThread(
                            () -> {
                                try (RawHttpClient client =
                                        new RawHttpClient(address, null, TIMEOUT_MS)) {
                                    for (int i = next.getAndIncrement();
                                            i < answers.length;
                                            i = next.getAndIncrement()) {
                                        try {
                                            answers[i] =
                                                    sides.answeredBy(
                                                            client.get(
                                                                    load.target(),
                                                                    host,
                                                                    List.of(),
                                                                    load.keepAlive()));
                                        } catch (IOException e) {
                                            answers[i] = "error: " + e.getMessage();
                                        }
                                    }
                                }
                            }));
        }
        long start = System.nanoTime();
        clients.forEach(Thread::start);
        for (Thread t : clients) {
            t.join();
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        return new LoadRun(load, new Picks(side.side(), Arrays.asList(answers)), elapsedMs);
    }

    private static void sleepUntil(long t0, long atMs) {
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(atMs);
        for (long left = deadline - System.nanoTime();
                left > 0;
                left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static long sinceMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** A daemon thread, so a hung request cannot keep a test JVM alive. */
    private static Thread clientThread(Runnable body) {
        Thread t = new Thread(body, "lbkit-client");
        t.setDaemon(true);
        return t;
    }
}
