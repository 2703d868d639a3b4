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
    void providerServesLeastconnAndFirst() {
        assertThat(new LeastConnAlgorithms().algorithms())
                .as("episode 02 serves both")
                .containsExactlyInAnyOrder(Algorithm.LEASTCONN, Algorithm.FIRST);
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
