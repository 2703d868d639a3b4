package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.TestBackend;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticRoundRobinBalancerTest {

    private static List<String> split(String sequence) {
        return List.of(sequence.trim().split("\\s+"));
    }

    private static List<String> mapNames(int... weights) {
        TestBackend backend = TestBackend.weights(Algorithm.STATIC_RR, weights);
        return Arrays.stream(WeightedMap.build(backend.backend.servers(), Server::uweight))
                .map(Server::name)
                .toList();
    }

    @Test
    void weightedMapInterleavesGreedily() {
        assertThat(mapNames(2, 1, 3))
                .as("map for 2/1/3")
                .containsExactly("s1", "s3", "s1", "s3", "s2", "s3");
        assertThat(mapNames(5, 3, 2))
                .as("map for 5/3/2")
                .containsExactlyElementsOf(split("s1 s1 s2 s1 s3 s1 s2 s1 s2 s3"));
    }

    @Test
    void startsWithFirstDeclaredServer() {
        TestBackend backend = TestBackend.weights(Algorithm.STATIC_RR, 2, 1, 3);
        assertThat(backend.sequential(12))
                .as("static-rr 2/1/3 repeats s1 s3 s1 s3 s2 s3")
                .containsExactlyElementsOf(split("s1 s3 s1 s3 s2 s3 s1 s3 s1 s3 s2 s3"));
    }

    @Test
    void dividesWeightsByTheirGcd() {
        TestBackend scaled = TestBackend.weights(Algorithm.STATIC_RR, 20, 10, 30);
        assertThat(scaled.sequential(6))
                .as("20/10/30 walks the same 6-slot map as 2/1/3")
                .containsExactlyElementsOf(split("s1 s3 s1 s3 s2 s3"));
    }

    @Test
    void rebuildsTheMapOnDownAndUpButKeepsTheIndex() {
        // Observed on HAProxy 2.6.12: s1 s3 | s3 down: s2 s1 s1 s2 | s3 up: s3 s2 s3 s1.
        TestBackend backend = TestBackend.weights(Algorithm.STATIC_RR, 2, 1, 3);
        assertThat(backend.sequential(2)).as("index now 2").containsExactly("s1", "s3");
        backend.down("s3");
        // map [s1, s1, s2]; the index stays at 2.
        assertThat(backend.sequential(4))
                .as("walk continues at slot 2 of the new map")
                .containsExactly("s2", "s1", "s1", "s2");
        backend.up("s3");
        // index is 3, back in the 6-slot map [s1 s3 s1 s3 s2 s3].
        assertThat(backend.sequential(4))
                .as("slot 3 onwards after s3 is back")
                .containsExactly("s3", "s2", "s3", "s1");
    }

    @Test
    void resetsTheIndexWhenItIsPastTheNewMap() {
        TestBackend backend = TestBackend.weights(Algorithm.STATIC_RR, 2, 1, 3);
        backend.sequential(5);
        backend.down("s3");
        assertThat(backend.sequential(3))
                .as("index 5 >= 3 slots: back to slot 0")
                .containsExactly("s1", "s1", "s2");
    }

    @Test
    void ignoresRuntimeWeightChanges() {
        TestBackend backend = TestBackend.weights(Algorithm.STATIC_RR, 2, 1, 3);
        backend.weight("s2", 5);
        assertThat(backend.sequential(6))
                .as("the map is unchanged")
                .containsExactlyElementsOf(split("s1 s3 s1 s3 s2 s3"));
    }

    @Test
    void skipsASaturatedServerAndNeverReturnsIt() {
        TestBackend backend =
                TestBackend.of(Algorithm.STATIC_RR, "s1 1 maxconn 1", "s2 1 maxconn 1");
        Server first = backend.take();
        Server second = backend.take();
        assertThat(List.of(first.name(), second.name())).as("one each").containsExactly("s1", "s2");
        assertThat(backend.take()).as("both full: no server (HAProxy queues the request)").isNull();
        backend.release(first);
        assertThat(backend.take().name()).as("s1 free again").isEqualTo("s1");
    }

    @Test
    void returnsTheAvoidedServerOnlyAsALastResort() {
        TestBackend backend = TestBackend.weights(Algorithm.STATIC_RR, 1, 1);
        assertThat(backend.takeAvoiding("s1").name()).as("s1 avoided").isEqualTo("s2");
        TestBackend single = TestBackend.weights(Algorithm.STATIC_RR, 1);
        assertThat(single.takeAvoiding("s1").name()).as("nothing else").isEqualTo("s1");
    }

    @Test
    void fillsTheSoleBackupMapFromAllBackups() {
        // HAProxy 2.6.12 quirk: the map has weight(first backup) slots but is filled from every
        // usable backup.
        TestBackend twoThree =
                TestBackend.of(Algorithm.STATIC_RR, "a1 1", "b1 2 backup", "b2 3 backup");
        twoThree.down("a1");
        assertThat(twoThree.sequential(4))
                .as("backups 2/3 alternate")
                .containsExactly("b1", "b2", "b1", "b2");
        TestBackend twoFiveOne =
                TestBackend.of(
                        Algorithm.STATIC_RR, "a1 1", "b1 2 backup", "b2 5 backup", "b3 1 backup");
        twoFiveOne.down("a1");
        assertThat(twoFiveOne.sequential(4))
                .as("backups 2/5/1 all go to b2")
                .containsExactly("b2", "b2", "b2", "b2");
        TestBackend threeOneOne =
                TestBackend.of(
                        Algorithm.STATIC_RR, "a1 1", "b1 3 backup", "b2 1 backup", "b3 1 backup");
        threeOneOne.down("a1");
        assertThat(threeOneOne.sequential(4))
                .as("backups 3/1/1 all go to b1")
                .containsExactly("b1", "b1", "b1", "b1");
    }

    @Test
    void balancesAllBackupsWithAllbackups() {
        TestBackend backend =
                TestBackend.of(
                        Algorithm.STATIC_RR,
                        true,
                        "a1 1",
                        "b1 2 backup",
                        "b2 1 backup",
                        "b3 3 backup");
        backend.down("a1");
        assertThat(backend.sequential(6))
                .as("backups 2/1/3 like actives 2/1/3")
                .containsExactlyElementsOf(split("b1 b3 b1 b3 b2 b3"));
    }
}
