package dev.lbkit.episodes.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test {@link SlowServerTest} applies to each side, on counts seen in real runs. */
class SlowServerStatisticTest {

    @Test
    void theSharesOfAHaproxy34RunPass() {
        // HAProxy 3.4.7, 2026-12-04: random(1) 108/112/140, random(2) 65/145/150.
        double z =
                SlowServerTest.keptOffZ(
                        Map.of("server1", 108, "server2", 112, "server3", 140),
                        Map.of("server1", 65, "server2", 145, "server3", 150));
        assertThat(z).isCloseTo(3.75, within(0.01)).isGreaterThan(SlowServerTest.Z_ALPHA_01);
    }

    /** A random(2) blind to load gives the slow server random(1)'s share, and is rejected. */
    @Test
    void twoChoicesThatIgnoreLoadAreRejected() {
        Map<String, Integer> pure = Map.of("server1", 120, "server2", 120, "server3", 120);
        assertThat(
                        SlowServerTest.keptOffZ(
                                pure, Map.of("server1", 118, "server2", 121, "server3", 121)))
                .isLessThan(SlowServerTest.Z_ALPHA_01);
        // Half of the slow server's third would still pass, but "less than half" was never the
        // test.
        assertThat(
                        SlowServerTest.keptOffZ(
                                pure, Map.of("server1", 97, "server2", 131, "server3", 132)))
                .as("a third falling to 26.9 %% (z 1.87) is within chance at alpha 0.01")
                .isLessThan(SlowServerTest.Z_ALPHA_01);
    }
}
