package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.TestBackend;
import org.junit.jupiter.api.Test;

/**
 * Corners of episode 01's structures that the sequence tests do not reach: empty trees, backups,
 * divisors, flags.
 */
class RoundRobinEdgeCasesTest {

    @Test
    void aTreeIsEmptyUntilANodeIsInsertedAndAfterItIsRemoved() {
        FifoTree<String> tree = new FifoTree<>();
        assertThat(tree.isEmpty()).as("a new tree").isTrue();
        FifoTree.Node<String> node = new FifoTree.Node<>("a", 1);
        tree.insert(node, 5);
        assertThat(tree.isEmpty()).as("one node inserted").isFalse();
        assertThat(node.key()).as("the node keeps its key").isEqualTo(5);
        tree.remove(node);
        assertThat(tree.isEmpty()).as("its only node removed").isTrue();
    }

    @Test
    void equalKeysComeOutInInsertionOrderAndCeilingFindsTheFirstAtOrAbove() {
        FifoTree<String> tree = new FifoTree<>();
        String[] names = {"a", "b", "c", "d", "e", "f", "g", "h"};
        int[] keys = {3, 1, 3, 2, 3, 1, 7, 3};
        for (int i = 0; i < names.length; i++) {
            tree.insert(new FifoTree.Node<>(names[i], i * 7919), keys[i]);
        }
        StringBuilder order = new StringBuilder();
        for (FifoTree.Node<String> n = tree.first(); n != null; n = tree.next(n)) {
            order.append(n.value());
        }
        assertThat(order.toString())
                .as("by key, then first in first out among equal keys")
                .isEqualTo("bfdacehg");
        assertThat(tree.ceiling(3).value())
                .as("the first node with key >= 3 is the earliest 3")
                .isEqualTo("a");
        assertThat(tree.ceiling(4).value()).as("nothing at 4..6: the 7").isEqualTo("g");
        assertThat(tree.ceiling(8)).as("nothing at or above 8").isNull();
        assertThat(tree.last().value()).isEqualTo("g");
        assertThat(tree.previous(tree.last()).value())
                .as("the latest of the 3s precedes the 7")
                .isEqualTo("h");
    }

    @Test
    void providerServesRoundrobinAndStaticRr() {
        assertThat(new RoundRobinAlgorithms().algorithms())
                .as("episode 01 serves both")
                .containsExactlyInAnyOrder(Algorithm.ROUNDROBIN, Algorithm.STATIC_RR);
    }

    @Test
    void onlyStaticRrFixesItsWeightsAtStartup() {
        assertThat(TestBackend.weights(Algorithm.STATIC_RR, 1, 2).backend.staticWeights())
                .as("static-rr: the runtime API refuses other weights")
                .isTrue();
        assertThat(TestBackend.weights(Algorithm.ROUNDROBIN, 1, 2).backend.staticWeights())
                .as("roundrobin: weights may change at run time")
                .isFalse();
    }

    @Test
    void theMapDivisorIsTheGcdOfTheNonZeroWeights() {
        assertThat(
                        WeightedMap.startupDivisor(
                                TestBackend.weights(Algorithm.STATIC_RR, 20, 0, 30, 50)
                                        .backend
                                        .servers()))
                .as("gcd(20, 30, 50), the 0 ignored")
                .isEqualTo(10);
        assertThat(
                        WeightedMap.startupDivisor(
                                TestBackend.weights(Algorithm.STATIC_RR, 0, 0).backend.servers()))
                .as("no non-zero weight: 1")
                .isEqualTo(1);
        assertThat(
                        WeightedMap.startupDivisor(
                                TestBackend.weights(Algorithm.STATIC_RR, 7, 3).backend.servers()))
                .as("coprime weights: 1")
                .isEqualTo(1);
    }

    @Test
    void backupsTakeOverOneByOneAndNothingIsPickedWhenAllAreDown() {
        for (Algorithm algorithm : new Algorithm[] {Algorithm.ROUNDROBIN, Algorithm.STATIC_RR}) {
            TestBackend backend = TestBackend.of(algorithm, "s1 1", "b1 1 backup", "b2 1 backup");
            assertThat(backend.sequential(3))
                    .as("%s: the active server serves", algorithm)
                    .containsOnly("s1");
            backend.down("s1");
            assertThat(backend.sequential(3))
                    .as("%s: the first backup takes over", algorithm)
                    .containsOnly("b1");
            backend.down("b1");
            assertThat(backend.sequential(3))
                    .as("%s: then the next backup", algorithm)
                    .containsOnly("b2");
            backend.up("b1");
            assertThat(backend.sequential(3))
                    .as("%s: the first backup back", algorithm)
                    .containsOnly("b1");
            backend.down("b1");
            backend.down("b2");
            assertThat(backend.sequential(3))
                    .as("%s: nothing usable, nothing picked", algorithm)
                    .containsOnly("-");
            backend.up("b2");
            assertThat(backend.sequential(3))
                    .as("%s: one backup up again", algorithm)
                    .containsOnly("b2");
            backend.up("s1");
            assertThat(backend.sequential(3))
                    .as("%s: the active server back before any backup", algorithm)
                    .containsOnly("s1");
        }
    }
}
