package dev.lbkit.harness;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.HashType;
import dev.lbkit.balancer.config.Mode;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.ServerSpec;
import dev.lbkit.balancer.config.Timeouts;
import dev.lbkit.balancer.config.Where;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a {@link Backend} from short server lines such as {@code "s1 2"} or {@code "b1 1 backup
 * maxconn 2 id 30"} (name, weight, then any of {@code backup}, {@code disabled}, {@code maxconn N},
 * {@code id N}) and drives it the way the proxy does: pick and take a slot, release it later. The
 * episodes' unit tests use it to assert exact pick sequences of their algorithm, which it finds on
 * the classpath like lbkit does.
 */
public final class TestBackend {
    private static final Where HERE = new Where("test.cfg", 1);
    private static final RequestInfo REQUEST =
            RequestInfo.of(InetAddress.getLoopbackAddress(), "/");

    public final Backend backend;

    private TestBackend(Backend backend) {
        this.backend = backend;
    }

    public static TestBackend of(Algorithm algorithm, String... serverLines) {
        return of(algorithm, false, serverLines);
    }

    public static TestBackend of(Algorithm algorithm, boolean allBackups, String... serverLines) {
        return new TestBackend(
                new Backend(section(algorithm, allBackups, serverLines), Algorithms::create));
    }

    /**
     * As {@link #of(Algorithm, String...)}, balancing as HAProxy {@code line} with the process
     * generator {@code prng} (e.g. {@code StatisticalPrng.reseededBy(v)} for a reproducible 3.2
     * run).
     */
    public static TestBackend of(
            HaproxyLine line, StatisticalPrng prng, Algorithm algorithm, String... serverLines) {
        return new TestBackend(
                new Backend(
                        section(algorithm, false, serverLines),
                        (section, servers) -> Algorithms.create(section, servers, line, prng)));
    }

    private static ProxySection section(
            Algorithm algorithm, boolean allBackups, String... serverLines) {
        return new ProxySection(
                ProxySection.Kind.BACKEND,
                "be",
                HERE,
                Mode.HTTP,
                List.of(),
                null,
                Balance.of(algorithm, HERE),
                HashType.defaults(),
                specs(serverLines),
                Timeouts.none(),
                3,
                false,
                null,
                null,
                allBackups,
                0);
    }

    /** Weights only: servers s1, s2, ... with these weights. */
    public static TestBackend weights(Algorithm algorithm, int... weights) {
        String[] lines = new String[weights.length];
        for (int i = 0; i < weights.length; i++) {
            lines[i] = "s" + (i + 1) + " " + weights[i];
        }
        return of(algorithm, lines);
    }

    /** {@code count} sequential requests: each one ends before the next starts. */
    public List<String> sequential(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Server server = take();
            names.add(server == null ? "-" : server.name());
            if (server != null) {
                backend.release(server);
            }
        }
        return names;
    }

    /**
     * Picks a server and takes a slot on it (the request stays in flight until {@link #release}).
     */
    public Server take() {
        return backend.pickAndTake(REQUEST, null);
    }

    public Server takeAvoiding(String name) {
        return backend.pickAndTake(REQUEST, server(name));
    }

    public void release(Server server) {
        backend.release(server);
    }

    public Server server(String name) {
        return backend.server(name)
                .orElseThrow(() -> new IllegalArgumentException("no server " + name));
    }

    public void down(String name) {
        backend.setMaint(server(name), true);
    }

    public void up(String name) {
        backend.setMaint(server(name), false);
    }

    public void weight(String name, int uweight) {
        backend.setWeight(server(name), uweight);
    }

    private static List<ServerSpec> specs(String... lines) {
        List<String[]> parsed = new ArrayList<>();
        Set<Integer> explicitIds = new HashSet<>();
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            parsed.add(words);
            Integer id = option(words, "id");
            if (id != null) {
                explicitIds.add(id);
            }
        }
        List<ServerSpec> specs = new ArrayList<>();
        Set<Integer> usedIds = new HashSet<>(explicitIds);
        int counter = 1;
        for (String[] words : parsed) {
            Integer id = option(words, "id");
            boolean explicit = id != null;
            if (!explicit) {
                // HAProxy: the smallest unused id >= the counter; the counter moves on after every
                // server.
                int candidate = counter;
                while (usedIds.contains(candidate)) {
                    candidate++;
                }
                id = candidate;
                usedIds.add(id);
            }
            counter++;
            Integer maxconn = option(words, "maxconn");
            List<String> flags = List.of(words);
            specs.add(
                    new ServerSpec(
                            words[0],
                            "127.0.0.1",
                            1,
                            Integer.parseInt(words[1]),
                            id,
                            explicit,
                            false,
                            2000,
                            2,
                            3,
                            flags.contains("backup"),
                            flags.contains("disabled"),
                            maxconn == null ? 0 : maxconn,
                            HERE));
        }
        return specs;
    }

    private static Integer option(String[] words, String name) {
        for (int i = 2; i < words.length - 1; i++) {
            if (words[i].equals(name)) {
                return Integer.parseInt(words[i + 1]);
            }
        }
        return null;
    }
}
