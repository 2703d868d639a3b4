package dev.lbkit.episodes.random;

import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.SideBySide;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed pool of client threads sending {@code GET /} to one side, a new connection per request,
 * until a shared request budget is used up; counts which server answered. This is the load under
 * which "power of two choices" matters: several requests in flight at once, so servers differ in
 * how many they are serving when a new one is balanced.
 */
public final class ConcurrentClients {
    private static final int TIMEOUT_MS = 30_000;

    private ConcurrentClients() {}

    /**
     * What one side did under the load.
     *
     * @param counts answers per server name (or status / error text), in name order
     * @param wallMillis from the first request sent to the last answer read
     * @param meanMillis the mean time a client waited for one answer
     */
    public record Outcome(
            String side, Map<String, Integer> counts, long wallMillis, double meanMillis) {
        public Outcome {
            counts = Map.copyOf(counts);
        }

        public int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** The share of answers that came from {@code server}, 0..1. */
        public double share(String server) {
            return total() == 0 ? 0 : (double) counts.getOrDefault(server, 0) / total();
        }
    }

    /**
     * Sends {@code requests} requests from {@code clients} threads to {@code side} and waits for
     * all answers.
     */
    public static Outcome drive(
            SideBySide sides, SideBySide.Endpoint side, int clients, int requests)
            throws InterruptedException {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", side.port());
        String host = "127.0.0.1:" + side.port();
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        AtomicInteger budget = new AtomicInteger(requests);
        AtomicLong waitedNanos = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> running = new java.util.ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(
                        pool.submit(
                                () -> {
                                    go.await();
                                    while (budget.getAndDecrement() > 0) {
                                        long sent = System.nanoTime();
                                        counts.merge(
                                                send(address, host, sides.serverNames()),
                                                1,
                                                Integer::sum);
                                        waitedNanos.addAndGet(System.nanoTime() - sent);
                                    }
                                    return null;
                                }));
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(
                            "a client thread failed: " + e.getCause(), e.getCause());
                }
            }
            long wall = (System.nanoTime() - start) / 1_000_000;
            return new Outcome(
                    side.side(), new TreeMap<>(counts), wall, waitedNanos.get() / 1e6 / requests);
        } finally {
            pool.shutdownNow();
        }
    }

    private static String send(InetSocketAddress address, String host, List<String> serverNames) {
        try (RawHttpClient client = new RawHttpClient(address, null, TIMEOUT_MS)) {
            RawHttpClient.Response response = client.get("/", host, List.of(), false);
            String servedBy = response.header("x-served-by");
            if (servedBy != null && servedBy.startsWith("app")) {
                int n = Integer.parseInt(servedBy.substring(3));
                if (n >= 1 && n <= serverNames.size()) {
                    return serverNames.get(n - 1);
                }
            }
            return String.valueOf(response.status());
        } catch (IOException e) {
            return "error: " + e.getMessage();
        }
    }
}
