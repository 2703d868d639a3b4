package dev.lbkit.episodes.random;

import dev.lbkit.harness.SingleBackendConfig;
import java.util.List;

/**
 * Builds the small configs episode 05 runs: one frontend, one backend {@code servers}, given
 * balance line and weights.
 */
public final class RandomConfigs {
    private RandomConfigs() {}

    /**
     * A config whose backend {@code servers} uses {@code balanceLine} over servers server1..serverN
     * with these weights. Addresses are placeholders: the harness points bind and servers at its
     * own ports.
     */
    public static String backend(String balanceLine, List<Integer> weights) {
        return new SingleBackendConfig("servers", "server", balanceLine, weights, List.of()).text();
    }
}
