package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.TestBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastConnBalancerTest {

    private static List<String> split(String sequence) {
        return List.of(sequence.trim().split("\\s+"));
    }

    @Test
    void rotatesInDeclarationOrderWhenIdleWhateverTheWeights() {
        TestBackend backend = TestBackend.weights(Algorithm.LEASTCONN, 2, 1, 3);
        assertThat(backend.sequential(12))
                .as("idle servers share key 0 and go last after each request")
                .containsExactlyElementsOf(split("s1 s2 s3 s1 s2 s3 s1 s2 s3 s1 s2 s3"));
    }

    @Test
    void weighsInFlightRequestsUnderLoad() {
        TestBackend backend = TestBackend.weights(Algorithm.LEASTCONN, 2, 1, 3);
        List<String> slow = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            slow.add(backend.take().name()); // the slow requests stay in flight
        }
        List<String> fast = backend.sequential(6); // each fast request ends before the next starts
        assertThat(slow)
                .as("9 overlapping requests follow (n+1)*4096/E")
                .containsExactlyElementsOf(split("s1 s2 s3 s3 s1 s3 s3 s1 s3"));
        assertThat(fast)
                .as("then 6 fast ones rotate among equal keys")
                .containsExactlyElementsOf(split("s2 s1 s3 s2 s1 s3"));
    }

    @Test
    void computesHaproxysKey() {
        assertThat(LeastConnBalancer.key(0, 16)).as("idle is 0 whatever the weight").isZero();
        assertThat(LeastConnBalancer.key(1, 48)).as("(1+1)*4096/48").isEqualTo(170);
        assertThat(LeastConnBalancer.key(3, 32)).as("(3+1)*4096/32").isEqualTo(512);
    }

    @Test
    void putsAServerBackUpAtTheEndOfItsEquals() {
        TestBackend backend = TestBackend.weights(Algorithm.LEASTCONN, 1, 1, 1);
        backend.down("s1");
        assertThat(backend.sequential(2)).as("s1 is out").containsExactly("s2", "s3");
        backend.up("s1");
        assertThat(backend.sequential(3))
                .as("s1 comes back after s2 and s3")
                .containsExactly("s2", "s3", "s1");
    }

    @Test
    void reinsertsOnWeightChangeEvenWithTheSameKey() {
        TestBackend backend = TestBackend.weights(Algorithm.LEASTCONN, 1, 1, 1);
        backend.weight("s1", 2);
        assertThat(backend.sequential(3))
                .as("s1 re-inserted last among the idle")
                .containsExactly("s2", "s3", "s1");
    }

    @Test
    void skipsSaturatedServersAndAvoidsTheRedispatchedOne() {
        TestBackend backend = TestBackend.of(Algorithm.LEASTCONN, "s1 1 maxconn 1", "s2 1");
        Server held = backend.take();
        assertThat(held.name()).as("first").isEqualTo("s1");
        assertThat(backend.takeAvoiding("s2").name())
                .as("s1 full, so the avoided s2 is the last resort")
                .isEqualTo("s2");
    }

    @Test
    void usesOnlyTheFirstBackupWithoutAllbackups() {
        TestBackend backend =
                TestBackend.of(Algorithm.LEASTCONN, "a1 1", "b1 1 backup", "b2 1 backup");
        backend.down("a1");
        assertThat(backend.sequential(3)).as("first backup only").containsExactly("b1", "b1", "b1");
    }
}
