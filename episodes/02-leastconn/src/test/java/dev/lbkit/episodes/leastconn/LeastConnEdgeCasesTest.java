package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.TestBackend;
import org.junit.jupiter.api.Test;

/**
 * Episode 02 corners the sequence tests do not reach: the provider's names, and servers coming back
 * UP.
 */
class LeastConnEdgeCasesTest {

    @Test
    void providerServesLeastconnFirstAndSticky() {
        assertThat(new LeastConnAlgorithms().algorithms())
                .as("episode 02 serves all three")
                .containsExactlyInAnyOrder(Algorithm.LEASTCONN, Algorithm.FIRST, Algorithm.STICKY);
    }

    /**
     * sticky's books without sockets, the running-total case StickyLinesParityTest measures: the
     * current s1 set to 3, then to 0, leaves a total of 0 (no server, with s2 and s3 up); s1 at 5
     * brings it back, on s2, chosen when s1 went out; s2 out, s1 (first usable) takes over.
     */
    @Test
    void stickyFollowsTheRunningTotalOfWeights() {
        TestBackend backend = TestBackend.weights(Algorithm.STICKY, 1, 1, 1);
        assertThat(backend.sequential(2)).containsOnly("s1");
        backend.weight("s1", 3);
        assertThat(backend.sequential(2)).as("a weight set while usable").containsOnly("s1");
        backend.weight("s1", 0);
        assertThat(backend.sequential(2)).as("the total is 0: no server").containsOnly("-");
        backend.weight("s1", 5);
        assertThat(backend.sequential(2))
                .as("the current server chosen at s1's going out")
                .containsOnly("s2");
        backend.down("s2");
        assertThat(backend.sequential(2))
                .as("the first usable in declaration order")
                .containsOnly("s1");
        backend.up("s2");
        assertThat(backend.sequential(2)).as("no move back").containsOnly("s1");
    }

    /** Every server starts at weight 1 under sticky: one configured with weight 0 is used. */
    @Test
    void stickyUsesAServerConfiguredWithWeightZero() {
        TestBackend backend = TestBackend.weights(Algorithm.STICKY, 0, 1);
        assertThat(backend.sequential(3)).containsOnly("s1");
        backend.weight("s1", 0);
        assertThat(backend.sequential(3)).as("until a weight is set").containsOnly("s2");
    }

    @Test
    void firstTakesAServerBackWhenItComesUpAgain() {
        TestBackend backend = TestBackend.of(Algorithm.FIRST, "s1 1 maxconn 2", "s2 1 maxconn 2");
        backend.down("s1");
        assertThat(backend.sequential(3)).as("s1 DOWN: first fills s2").containsOnly("s2");
        backend.up("s1");
        assertThat(backend.sequential(3))
                .as("s1 UP again: the lowest id is first again")
                .containsOnly("s1");
    }

    @Test
    void leastconnTakesAServerBackWhenItComesUpAgain() {
        TestBackend backend = TestBackend.weights(Algorithm.LEASTCONN, 1, 1);
        backend.down("s1");
        assertThat(backend.sequential(4)).as("s1 DOWN: everything on s2").containsOnly("s2");
        backend.up("s1");
        assertThat(backend.sequential(4))
                .as("s1 UP again: idle servers take turns, both serve again")
                .contains("s1", "s2");
    }
}
