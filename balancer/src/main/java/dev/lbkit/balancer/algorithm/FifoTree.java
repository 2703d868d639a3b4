package dev.lbkit.balancer.algorithm;

/**
 * An ordered set of nodes keyed by an unsigned 32-bit int in which equal keys leave in arrival order
 * (first in, first out), the ordering HAProxy's ebtrees give its roundrobin, leastconn and first
 * algorithms.
 *
 * <p>Worked sequence: insert a with key 5, b with key 3, c with key 5, then d with key 3. In-order walk
 * from {@link #first()}: b, d, a, c. Remove b and insert it again with key 3: d, b, a, c (a re-inserted
 * node counts as new and goes last among its equals). Keys compare unsigned, so -1 (0xFFFFFFFF) sorts
 * after every other key.
 *
 * <p>Nodes are intrusive and preallocated (one per server per tree family), so inserting, removing and
 * reading the first node never allocate. Each node is ordered by (key, insertion number); the insertion
 * number makes every node distinct and gives the FIFO order. The shape is a treap (a binary search tree
 * kept balanced by a fixed pseudo-random priority per node), with the leftmost node cached so
 * {@link #first()} costs nothing.
 *
 * <p>HAProxy documents the trees it uses for this in its source tree, {@code include/import/eb32tree.h}
 * (ebtree, "elastic binary trees"); the FIFO rule for duplicates is spelled out in the lbkit spec,
 * {@code haproxy-algorithms.md} §1.
 *
 * @param <T> what each node carries (for lbkit, an algorithm's per-server state)
 */
final class FifoTree<T> {

    /** A node that lives in at most one tree at a time; the tree it is in is {@link #tree()}. */
    static final class Node<T> {
        private final T value;
        private final int priority;
        private int key;
        private long arrival;
        private Node<T> left;
        private Node<T> right;
        private FifoTree<T> tree;

        /**
         * Creates a node carrying {@code value}; {@code salt} (any int, e.g. the server index) seeds its
         * balancing priority so that tree shapes, and thus timings, are reproducible from run to run.
         */
        Node(T value, int salt) {
            this.value = value;
            this.priority = mix(salt);
        }

        T value() {
            return value;
        }

        /** The key this node was last inserted with. */
        int key() {
            return key;
        }

        /** The tree this node is in, or null when it is in none. */
        FifoTree<T> tree() {
            return tree;
        }

        private static int mix(int salt) {
            // A murmur3 finalizer: neighbouring salts get unrelated priorities.
            int h = salt * 0x9E3779B9 + 0x7F4A7C15;
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            h ^= h >>> 16;
            return h;
        }
    }

    private Node<T> root;
    private Node<T> leftmost;
    private long arrivals;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The node with the lowest key (the earliest inserted among equals), or null when empty. */
    Node<T> first() {
        return leftmost;
    }

    /**
     * Inserts {@code node} with {@code key}, after every node already holding an equal key.
     *
     * @throws IllegalStateException if the node is already in a tree (remove it first)
     */
    void insert(Node<T> node, int key) {
        if (node.tree != null) {
            throw new IllegalStateException("node " + node.value + " is already in a tree");
        }
        node.key = key;
        node.arrival = arrivals++;
        node.left = null;
        node.right = null;
        node.tree = this;
        root = insert(root, node);
        if (leftmost == null || before(node, leftmost)) {
            leftmost = node;
        }
        size++;
    }

    /** Removes {@code node}; does nothing if it is not in this tree. */
    void remove(Node<T> node) {
        if (node.tree != this) {
            return;
        }
        if (node == leftmost) {
            leftmost = next(node);
        }
        root = remove(root, node);
        node.left = null;
        node.right = null;
        node.tree = null;
        size--;
    }

    /** The node right after {@code node} in the tree's order, or null when it is the last. */
    Node<T> next(Node<T> node) {
        if (node.right != null) {
            return leftmostOf(node.right);
        }
        Node<T> successor = null;
        Node<T> cursor = root;
        while (cursor != null && cursor != node) {
            if (before(node, cursor)) {
                successor = cursor;
                cursor = cursor.left;
            } else {
                cursor = cursor.right;
            }
        }
        return successor;
    }

    /** The node right before {@code node} in the tree's order, or null when it is the first. */
    Node<T> previous(Node<T> node) {
        if (node.left != null) {
            Node<T> cursor = node.left;
            while (cursor.right != null) {
                cursor = cursor.right;
            }
            return cursor;
        }
        Node<T> predecessor = null;
        Node<T> cursor = root;
        while (cursor != null && cursor != node) {
            if (before(cursor, node)) {
                predecessor = cursor;
                cursor = cursor.right;
            } else {
                cursor = cursor.left;
            }
        }
        return predecessor;
    }

    /** The first node whose key is {@code >= key} (unsigned): among equals, the earliest inserted. */
    Node<T> ceiling(int key) {
        Node<T> found = null;
        Node<T> cursor = root;
        while (cursor != null) {
            if (Integer.compareUnsigned(cursor.key, key) >= 0) {
                found = cursor;
                cursor = cursor.left;
            } else {
                cursor = cursor.right;
            }
        }
        return found;
    }

    /** The last node of the tree (highest key, latest inserted among equals), or null when empty. */
    Node<T> last() {
        Node<T> cursor = root;
        if (cursor == null) {
            return null;
        }
        while (cursor.right != null) {
            cursor = cursor.right;
        }
        return cursor;
    }

    private static <T> boolean before(Node<T> a, Node<T> b) {
        int byKey = Integer.compareUnsigned(a.key, b.key);
        return byKey < 0 || (byKey == 0 && a.arrival < b.arrival);
    }

    private static <T> Node<T> leftmostOf(Node<T> node) {
        while (node.left != null) {
            node = node.left;
        }
        return node;
    }

    private static <T> Node<T> insert(Node<T> subtree, Node<T> node) {
        if (subtree == null) {
            return node;
        }
        if (before(node, subtree)) {
            subtree.left = insert(subtree.left, node);
            if (subtree.left.priority > subtree.priority) {
                return rotateRight(subtree);
            }
        } else {
            subtree.right = insert(subtree.right, node);
            if (subtree.right.priority > subtree.priority) {
                return rotateLeft(subtree);
            }
        }
        return subtree;
    }

    private static <T> Node<T> remove(Node<T> subtree, Node<T> node) {
        if (subtree == node) {
            return merge(node.left, node.right);
        }
        if (before(node, subtree)) {
            subtree.left = remove(subtree.left, node);
        } else {
            subtree.right = remove(subtree.right, node);
        }
        return subtree;
    }

    /** Joins two treaps where every node of {@code low} comes before every node of {@code high}. */
    private static <T> Node<T> merge(Node<T> low, Node<T> high) {
        if (low == null) {
            return high;
        }
        if (high == null) {
            return low;
        }
        if (low.priority > high.priority) {
            low.right = merge(low.right, high);
            return low;
        }
        high.left = merge(low, high.left);
        return high;
    }

    private static <T> Node<T> rotateRight(Node<T> top) {
        Node<T> newTop = top.left;
        top.left = newTop.right;
        newTop.right = top;
        return newTop;
    }

    private static <T> Node<T> rotateLeft(Node<T> top) {
        Node<T> newTop = top.right;
        top.right = newTop.left;
        newTop.left = top;
        return newTop;
    }
}
