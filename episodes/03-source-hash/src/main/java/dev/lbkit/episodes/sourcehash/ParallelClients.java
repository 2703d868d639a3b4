package dev.lbkit.episodes.sourcehash;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sends a traffic script from several clients at once, each request on its own new connection, and
 * records who answered each one by its index. Runtime API events still run exactly between the
 * requests they separate: the requests before an event all finish before it is sent.
 *
 * <p>Only for algorithms whose pick does not depend on what else is in flight: {@code balance
 * source} without {@code hash-balance-factor} or {@code maxconn} is a pure function of the client
 * address and the set of usable servers, so sending 1000 clients four at a time gives the same
 * picks as one at a time, in a quarter of the wall time.
 */
public final class ParallelClients {
    private static final int TIMEOUT_MS = 30_000;

    private ParallelClients() {}

    /**
     * Drives both sides at the same time, {@code perSide} connections in flight on each, and
     * compares.
     */
    public static Comparison compare(
            SideBySide sides, String title, String config, Traffic traffic, int perSide) {
        if (traffic.keepAlive()) {
            throw new IllegalArgumentException(
                    "ParallelClients sends a new connection per request; "
                            + "'"
                            + traffic.name()
                            + "' asks for one keep-alive connection: use SideBySide.run instead");
        }
        CompletableFuture<Picks> onHaproxy =
                CompletableFuture.supplyAsync(
                        () -> drive(sides.haproxy(), sides.serverNames(), traffic, perSide));
        Picks onLbkit = drive(sides.lbkit(), sides.serverNames(), traffic, perSide);
        return new Comparison(title, config, traffic, onHaproxy.join(), onLbkit);
    }

    /** Sends {@code traffic} to one side, {@code parallel} requests in flight between events. */
    public static Picks drive(
            SideBySide.Endpoint side, List<String> serverNames, Traffic traffic, int parallel) {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", side.port());
        int count = traffic.requests().size();
        String[] answers = new String[count];
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            int from = 0;
            while (from < count) {
                traffic.commandsBefore(from)
                        .forEach(command -> RuntimeApiClient.admin(side.statsPort(), command));
                int to = from + 1;
                while (to < count && traffic.commandsBefore(to).isEmpty()) {
                    to++;
                }
                Future<?>[] batch = new Future<?>[to - from];
                for (int i = from; i < to; i++) {
                    int index = i;
                    batch[i - from] =
                            pool.submit(
                                    () -> {
                                        answers[index] =
                                                send(
                                                        address,
                                                        traffic.requests().get(index),
                                                        serverNames);
                                    });
                }
                for (Future<?> f : batch) {
                    f.get();
                }
                from = to;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while driving " + side.side(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(
                    "a client thread failed against " + side.side(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Picks(side.side(), Arrays.asList(answers));
    }

    private static String send(
            InetSocketAddress address, Traffic.Request request, List<String> serverNames) {
        try (RawHttpClient client =
                new RawHttpClient(address, request.source(), request.proxy(), TIMEOUT_MS)) {
            RawHttpClient.Response response =
                    client.send(
                            request.method(),
                            request.target(),
                            "127.0.0.1:" + address.getPort(),
                            request.headers(),
                            false);
            return servedBy(response, serverNames);
        } catch (IOException e) {
            return "error: " + e.getMessage();
        }
    }

    /**
     * The replicas answer {@code X-Served-By: appN} for the N-th server line; anything else is its
     * status.
     */
    private static String servedBy(RawHttpClient.Response response, List<String> serverNames) {
        String header = response.header("x-served-by");
        if (header != null && header.matches("app\\d+")) {
            int n = Integer.parseInt(header.substring(3));
            if (n >= 1 && n <= serverNames.size()) {
                return serverNames.get(n - 1);
            }
        }
        return String.valueOf(response.status());
    }
}
