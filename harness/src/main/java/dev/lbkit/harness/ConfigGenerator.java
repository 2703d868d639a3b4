package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates random but valid configurations for parity runs: 2 to 12 servers, weights from 0 to 256
 * (0 and 256 included on purpose, but never the first two servers both at 0, so every config has a
 * server to balance to), some explicit {@code id}s. The same seed gives the same configs, so a
 * failing run can be replayed from the seed it prints.
 */
public final class ConfigGenerator {
    private final Random random;
    private final long seed;

    public ConfigGenerator(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    public long seed() {
        return seed;
    }

    /** One generated config and what a test needs to know about it. */
    public record Generated(
            String name, String config, List<String> serverNames, List<Integer> weights) {}

    /**
     * A config with one frontend and one backend {@code be} using {@code balanceLines} (e.g. {@code
     * "balance roundrobin"}, or {@code "balance uri\n hash-type consistent"}).
     */
    public Generated next(String name, String balanceLines) {
        int servers = 2 + random.nextInt(11);
        List<String> names = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        Set<Integer> usedIds = new HashSet<>();
        List<String> extras = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            names.add("s" + (i + 1));
            int weight = weight(i);
            if (i == 1 && weight == 0 && weights.get(0) == 0) {
                // never both of the first two at weight 0, so every config has something to balance
                weight = 1 + random.nextInt(256);
            }
            weights.add(weight);
            String extra = "";
            if (random.nextInt(4) == 0) {
                int id;
                do {
                    id = 1 + random.nextInt(64);
                } while (!usedIds.add(id));
                extra = "id " + id;
            }
            extras.add(extra);
        }
        String config =
                """
                # %s (generated, seed %d)
                global
                    maxconn 512

                """
                                .formatted(name, seed)
                        + new SingleBackendConfig("be", "s", balanceLines, weights, extras).text();
        return new Generated(name, config, names, weights);
    }

    private int weight(int index) {
        int roll = random.nextInt(10);
        if (roll == 0) {
            return 0;
        }
        if (roll == 1) {
            return 256;
        }
        if (roll < 6) {
            return 1 + random.nextInt(8);
        }
        // the first two servers draw from 1..256 here; next() keeps them from both being 0
        return index < 2 ? 1 + random.nextInt(256) : random.nextInt(257);
    }

    /** The random source, for tests that also randomise traffic from the same seed. */
    public Random random() {
        return random;
    }
}
