package dev.lbkit.episodes.random;

import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.harness.Parity;
import org.junit.jupiter.api.Assumptions;

/**
 * Where episode 05's per-request comparisons apply. HAProxy 2.6 draws from a generator that starts
 * from the same value in every process, so with {@code nbthread 1} a run repeats itself and lbkit
 * must pick the same server for every request. From 3.0 on, HAProxy seeds the generator per
 * process: no two runs agree, on HAProxy itself either, so against such a HAProxy these tests say
 * why they do not apply, and {@link RandomLinesParityTest} compares 3.0, 3.2 and 3.4 by
 * distribution.
 */
final class RandomDraws {
    private RandomDraws() {}

    /** Whether the HAProxy the tests found here repeats its draws from run to run (2.6). */
    static boolean repeatable() {
        return !StatisticalPrng.seededPerProcess(Parity.haproxy().line());
    }

    /** Aborts the calling test (JUnit reports it skipped, with the reason) from 3.0 on. */
    static void exactComparisonAppliesHere() {
        appliesOnlyWhereDrawsRepeat(
                "seeds its random generator per process (from 3.0 on), so no two runs agree and a"
                        + " per-request comparison does not apply to it; RandomLinesParityTest"
                        + " compares 3.0, 3.2 and 3.4 by distribution");
    }

    /**
     * Aborts the calling test, saying the HAProxy found here and {@code why}, unless that HAProxy
     * repeats its draws.
     */
    static void appliesOnlyWhereDrawsRepeat(String why) {
        Assumptions.assumeTrue(repeatable(), () -> Parity.haproxy().describe() + " " + why);
    }
}
