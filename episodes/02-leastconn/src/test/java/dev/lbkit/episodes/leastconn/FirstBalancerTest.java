package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.TestBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirstBalancerTest {

    @Test
    void fillsServersOneAfterTheOther() {
        TestBackend backend =
                TestBackend.of(
                        Algorithm.FIRST, "s1 1 maxconn 2", "s2 1 maxconn 2", "s3 1 maxconn 2");
        List<String> concurrent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            concurrent.add(backend.take().name());
        }
        assertThat(concurrent)
                .as("maxconn 2, 6 requests in flight")
                .containsExactly("s1", "s1", "s2", "s2", "s3", "s3");
    }

    @Test
    void choosesTheLowestIdNotTheFirstDeclared() {
        TestBackend backend = TestBackend.of(Algorithm.FIRST, "s1 1 id 30", "s2 1 id 10", "s3 1");
        assertThat(backend.server("s3").id()).as("auto id skips nothing and takes 3").isEqualTo(3);
        assertThat(backend.sequential(3)).as("lowest id wins").containsExactly("s3", "s3", "s3");
        backend.down("s3");
        assertThat(backend.sequential(2)).as("then id 10").containsExactly("s2", "s2");
    }

    @Test
    void ignoresWeights() {
        TestBackend backend = TestBackend.weights(Algorithm.FIRST, 1, 100);
        assertThat(backend.sequential(3))
                .as("no maxconn: always the lowest id")
                .containsExactly("s1", "s1", "s1");
    }

    @Test
    void avoidsTheRedispatchedServerWhenAnotherIsFree() {
        TestBackend backend = TestBackend.weights(Algorithm.FIRST, 1, 1);
        assertThat(backend.takeAvoiding("s1").name()).as("s1 avoided").isEqualTo("s2");
    }

    @Test
    void fallsBackToTheFirstBackup() {
        TestBackend backend =
                TestBackend.of(Algorithm.FIRST, "a1 1", "b1 1 backup id 9", "b2 1 backup id 5");
        backend.down("a1");
        assertThat(backend.sequential(2))
                .as("first usable backup in declaration order, not by id")
                .containsExactly("b1", "b1");
    }
}
