package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FifoTreeTest {

    private static List<String> walk(FifoTree<String> tree) {
        List<String> order = new ArrayList<>();
        for (FifoTree.Node<String> n = tree.first(); n != null; n = tree.next(n)) {
            order.add(n.value());
        }
        return order;
    }

    @Test
    void equalKeysLeaveInArrivalOrder() {
        FifoTree<String> tree = new FifoTree<>();
        FifoTree.Node<String> a = new FifoTree.Node<>("a", 0);
        FifoTree.Node<String> b = new FifoTree.Node<>("b", 1);
        FifoTree.Node<String> c = new FifoTree.Node<>("c", 2);
        FifoTree.Node<String> d = new FifoTree.Node<>("d", 3);
        tree.insert(a, 5);
        tree.insert(b, 3);
        tree.insert(c, 5);
        tree.insert(d, 3);
        assertThat(walk(tree))
                .as("ascending keys, FIFO among equals")
                .containsExactly("b", "d", "a", "c");

        tree.remove(b);
        tree.insert(b, 3);
        assertThat(walk(tree))
                .as("a re-inserted node goes last among its equals")
                .containsExactly("d", "b", "a", "c");
        assertThat(tree.first()).as("first is the earliest of the lowest key").isSameAs(d);
    }

    @Test
    void keysCompareUnsigned() {
        FifoTree<String> tree = new FifoTree<>();
        tree.insert(new FifoTree.Node<>("max", 0), -1);
        tree.insert(new FifoTree.Node<>("zero", 1), 0);
        tree.insert(new FifoTree.Node<>("high-bit", 2), 0x8000_0000);
        assertThat(walk(tree))
                .as("0xFFFFFFFF sorts last, 0x80000000 after every positive key")
                .containsExactly("zero", "high-bit", "max");
    }

    @Test
    void ceilingGivesTheEarliestOfEqualsAndPreviousTheLatestOfTheLowerKey() {
        FifoTree<String> tree = new FifoTree<>();
        tree.insert(new FifoTree.Node<>("x1", 0), 10);
        tree.insert(new FifoTree.Node<>("y1", 1), 20);
        tree.insert(new FifoTree.Node<>("x2", 2), 10);
        tree.insert(new FifoTree.Node<>("y2", 3), 20);
        FifoTree.Node<String> ceiling = tree.ceiling(11);
        assertThat(ceiling.value())
                .as("lookup >= 11 finds the first-inserted key 20")
                .isEqualTo("y1");
        assertThat(tree.previous(ceiling).value())
                .as("previous is the last-inserted key 10")
                .isEqualTo("x2");
        assertThat(tree.ceiling(21)).as("nothing is >= 21").isNull();
        assertThat(tree.last().value()).as("last is the latest of the highest key").isEqualTo("y2");
    }

    @Test
    void refusesANodeThatIsAlreadyInATree() {
        FifoTree<String> tree = new FifoTree<>();
        FifoTree.Node<String> a = new FifoTree.Node<>("a", 0);
        tree.insert(a, 1);
        assertThatThrownBy(() -> new FifoTree<String>().insert(a, 2))
                .isInstanceOf(IllegalStateException.class);
    }

    /** A reference model: a list sorted by (unsigned key, arrival). */
    private record Entry(FifoTree.Node<Integer> node, int key, long arrival) {}

    @Test
    void matchesASortedListUnderRandomInsertsAndRemoves() {
        Random random = new Random(42);
        FifoTree<Integer> tree = new FifoTree<>();
        List<FifoTree.Node<Integer>> nodes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            nodes.add(new FifoTree.Node<>(i, i));
        }
        List<Entry> model = new ArrayList<>();
        long arrival = 0;
        Comparator<Entry> order =
                Comparator.<Entry, Integer>comparing(Entry::key, Integer::compareUnsigned)
                        .thenComparingLong(Entry::arrival);
        for (int step = 0; step < 20_000; step++) {
            FifoTree.Node<Integer> node = nodes.get(random.nextInt(nodes.size()));
            if (node.tree() == null) {
                int key =
                        random.nextInt(8)
                                - 2; // few distinct keys, some negative: many ties, unsigned order
                tree.insert(node, key);
                model.add(new Entry(node, key, arrival++));
                model.sort(order);
            } else {
                tree.remove(node);
                model.removeIf(e -> e.node() == node);
            }
            if (step % 97 == 0 || step > 19_900) {
                List<Integer> expected = model.stream().map(e -> e.node().value()).toList();
                List<Integer> actual = new ArrayList<>();
                for (FifoTree.Node<Integer> n = tree.first(); n != null; n = tree.next(n)) {
                    actual.add(n.value());
                }
                assertThat(actual)
                        .as("in-order walk equals the sorted model at step " + step)
                        .containsExactlyElementsOf(expected);
                assertThat(tree.size()).as("size").isEqualTo(expected.size());
                List<Integer> backwards = new ArrayList<>();
                for (FifoTree.Node<Integer> n = tree.last(); n != null; n = tree.previous(n)) {
                    backwards.add(0, n.value());
                }
                assertThat(backwards)
                        .as("backward walk is the same order")
                        .containsExactlyElementsOf(expected);
            }
        }
    }
}
