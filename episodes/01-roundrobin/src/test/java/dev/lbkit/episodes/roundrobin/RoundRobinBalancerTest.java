package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.TestBackend;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RoundRobinBalancerTest {

    private static List<String> split(String sequence) {
        return List.of(sequence.trim().split("\\s+"));
    }

    @Test
    void startsWithHeaviestServer() {
        TestBackend backend = TestBackend.weights(Algorithm.ROUNDROBIN, 2, 1, 3);
        assertThat(backend.sequential(24))
                .as("roundrobin 2/1/3 repeats s3 s1 s3 s2 s3 s1")
                .containsExactlyElementsOf(
                        Collections.nCopies(4, split("s3 s1 s3 s2 s3 s1")).stream()
                                .flatMap(List::stream)
                                .toList());
    }

    @Test
    void interleavesFiveWeights() {
        TestBackend backend = TestBackend.weights(Algorithm.ROUNDROBIN, 1, 2, 3, 4, 5);
        assertThat(backend.sequential(15))
                .as("roundrobin 1/2/3/4/5, first window")
                .containsExactlyElementsOf(split("s5 s4 s3 s5 s4 s2 s5 s3 s4 s5 s1 s5 s3 s4 s2"));
    }

    @Test
    void givesEachServerItsWeightPerWindow() {
        int[] weights = {7, 13, 256, 1, 2};
        TestBackend backend = TestBackend.weights(Algorithm.ROUNDROBIN, weights);
        int window = 7 + 13 + 256 + 1 + 2;
        Map<String, Integer> counts = new TreeMap<>();
        backend.sequential(3 * window).forEach(name -> counts.merge(name, 1, Integer::sum));
        assertThat(counts)
                .as("three windows give each server 3 * its weight")
                .isEqualTo(Map.of("s1", 21, "s2", 39, "s3", 768, "s4", 3, "s5", 6));
    }

    @Test
    void skipsADownServerAndPlacesItBackAheadOfTheCurrentPosition() {
        // Sequences observed on HAProxy 2.6.12 with disable/enable server on the runtime API.
        TestBackend backend = TestBackend.weights(Algorithm.ROUNDROBIN, 2, 1, 3, 1, 1);
        List<String> first = backend.sequential(5);
        backend.down("s2");
        List<String> whileDown = backend.sequential(12);
        backend.up("s2");
        List<String> afterUp = backend.sequential(16);
        assertThat(first).as("all up").containsExactlyElementsOf(split("s3 s1 s3 s2 s4"));
        assertThat(whileDown)
                .as("s2 down")
                .containsExactlyElementsOf(split("s1 s3 s3 s1 s5 s3 s1 s3 s4 s3 s1 s5"));
        assertThat(afterUp)
                .as("s2 back UP waits most of a window")
                .containsExactlyElementsOf(
                        split("s3 s1 s4 s3 s3 s1 s5 s2 s3 s1 s4 s3 s3 s1 s5 s2"));
    }

    @Test
    void usesOnlyTheFirstBackupWhenNoActiveServerIsLeft() {
        TestBackend backend =
                TestBackend.of(Algorithm.ROUNDROBIN, "a1 1", "b1 1 backup", "b2 5 backup");
        assertThat(backend.sequential(3)).as("actives first").containsExactly("a1", "a1", "a1");
        backend.down("a1");
        assertThat(backend.sequential(4))
                .as("without allbackups the first backup takes all")
                .containsExactly("b1", "b1", "b1", "b1");
        backend.down("b1");
        assertThat(backend.sequential(2))
                .as("then the next usable backup")
                .containsExactly("b2", "b2");
    }

    @Test
    void balancesAllBackupsWithAllbackups() {
        TestBackend backend =
                TestBackend.of(
                        Algorithm.ROUNDROBIN,
                        true,
                        "a1 1",
                        "b1 2 backup",
                        "b2 1 backup",
                        "b3 3 backup");
        backend.down("a1");
        assertThat(backend.sequential(6))
                .as("backups 2/1/3 balanced like actives 2/1/3")
                .containsExactlyElementsOf(split("b3 b1 b3 b2 b3 b1"));
    }

    @Test
    void skipsASaturatedServerButKeepsItsTurnForLater() {
        TestBackend backend =
                TestBackend.of(Algorithm.ROUNDROBIN, "s1 1 maxconn 1", "s2 1", "s3 1");
        Server held = backend.take();
        assertThat(held.name()).as("first pick").isEqualTo("s1");
        assertThat(backend.sequential(4)).as("s1 is full: skipped").doesNotContain("s1");
        backend.release(held);
        assertThat(backend.sequential(6)).as("s1 is back in rotation once free").contains("s1");
    }

    @Test
    void avoidsTheRedispatchedServerUnlessItIsTheOnlyOne() {
        TestBackend backend = TestBackend.weights(Algorithm.ROUNDROBIN, 1, 1);
        Server first = backend.takeAvoiding("s1");
        assertThat(first.name()).as("s1 is avoided").isEqualTo("s2");
        backend.release(first);
        TestBackend single = TestBackend.weights(Algorithm.ROUNDROBIN, 1);
        assertThat(single.takeAvoiding("s1").name())
                .as("the avoided server is a last resort")
                .isEqualTo("s1");
    }

    @Test
    void returnsNothingWhenEveryServerIsDown() {
        TestBackend backend = TestBackend.weights(Algorithm.ROUNDROBIN, 1, 1);
        backend.down("s1");
        backend.down("s2");
        assertThat(backend.take()).as("no usable server").isNull();
        backend.up("s2");
        assertThat(backend.sequential(2))
                .as("a server back UP is used")
                .containsExactly("s2", "s2");
    }

    @Test
    void followsARuntimeWeightChange() {
        // Observed on HAProxy 2.6.12 with "set server be/s1 weight 3" after two requests.
        TestBackend backend = TestBackend.weights(Algorithm.ROUNDROBIN, 1, 1);
        assertThat(backend.sequential(2)).as("1/1").containsExactly("s1", "s2");
        backend.weight("s1", 3);
        assertThat(backend.sequential(12))
                .as("after the change to 3/1")
                .containsExactlyElementsOf(split("s1 s2 s1 s1 s1 s2 s1 s1 s1 s2 s1 s1"));
        Map<String, Integer> counts = new TreeMap<>();
        backend.sequential(40).forEach(name -> counts.merge(name, 1, Integer::sum));
        assertThat(counts).as("then 3:1 per window").isEqualTo(Map.of("s1", 30, "s2", 10));
    }

    @Test
    void followsAWeightChangeOfAServerQueuedForTheNextWindow() {
        // Observed on HAProxy 2.6.12 (episode 06 parity test): weights 3/1/6, "set server be/s2
        // weight 2"
        // before request #155, when s2 already waits in the next window.
        TestBackend backend = TestBackend.weights(Algorithm.ROUNDROBIN, 3, 1, 6);
        backend.sequential(155);
        backend.weight("s2", 2);
        assertThat(backend.sequential(9))
                .as("requests #155..#163")
                .containsExactlyElementsOf(split("s3 s1 s3 s3 s1 s2 s3 s3 s1"));
    }
}
