package dev.lbkit.episodes.roundrobin;

/**
 * An ordered set of nodes keyed by an unsigned 32-bit int in which equal keys leave in arrival
 * order (first in, first out), the ordering HAProxy's ebtrees give its roundrobin, leastconn and
 * first algorithms.
 *
 * <p>Worked sequence: insert a with key 5, b with key 3, c with key 5, then d with key 3. In-order
 * walk from {@link #first()}: b, d, a, c. Remove b and insert it again with key 3: d, b, a, c (a
 * re-inserted node counts as new and goes last among its equals). Keys compare unsigned, so -1
 * (0xFFFFFFFF) sorts after every other key.
 *
 * <p>Nodes are intrusive and preallocated (one per server per tree family), so inserting, removing
 * and reading the first node never allocate. Each node is ordered by (key, insertion number); the
 * insertion number makes every node distinct and gives the FIFO order. The shape is a treap (a
 * binary search tree kept balanced by a fixed pseudo-random priority per node) with parent links,
 * and the leftmost node is cached: reading the first node costs nothing and removing it takes a few
 * steps, which is what roundrobin and leastconn do on almost every pick.
 *
 * <p>HAProxy documents the trees it uses for this in its source tree, {@code
 * include/import/eb32tree.h} (ebtree, "elastic binary trees"); the FIFO rule for duplicates is
 * spelled out in docs/concepts.md, and the parity tests pin it.
 *
 * @param <T> what each node carries (for lbkit, an algorithm's per-server state)
 */
public final class FifoTree<T> {

    /** A node that lives in at most one tree at a time; the tree it is in is {@link #tree()}. */
    public static final class Node<T> {
        private final T value;
        private final int priority;
        private int key;
        private long arrival;
        private Node<T> left;
        private Node<T> right;
        private Node<T> parent;
        private FifoTree<T> tree;

        /**
         * Creates a node carrying {@code value}; {@code salt} (any int, e.g. the server index)
         * seeds its balancing priority so that tree shapes, and thus timings, are reproducible from
         * run to run.
         */
        public Node(T value, int salt) {
            this.value = value;
            this.priority = mix(salt);
        }

        public T value() {
            return value;
        }

        /** The key this node was last inserted with. */
        public int key() {
            return key;
        }

        /** The tree this node is in, or null when it is in none. */
        public FifoTree<T> tree() {
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

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The node with the lowest key (the earliest inserted among equals), or null when empty. */
    public Node<T> first() {
        return leftmost;
    }

    /**
     * Inserts {@code node} with {@code key}, after every node already holding an equal key.
     *
     * @throws IllegalStateException if the node is already in a tree (remove it first)
     */
    public void insert(Node<T> node, int key) {
        if (node.tree != null) {
            throw new IllegalStateException("node " + node.value + " is already in a tree");
        }
        node.key = key;
        node.arrival = arrivals++;
        node.left = null;
        node.right = null;
        node.tree = this;
        Node<T> parent = null;
        Node<T> cursor = root;
        boolean goesLeft = false;
        boolean onlyLeftTurns = true;
        while (cursor != null) {
            parent = cursor;
            goesLeft = before(node, cursor);
            if (goesLeft) {
                cursor = cursor.left;
            } else {
                onlyLeftTurns = false;
                cursor = cursor.right;
            }
        }
        node.parent = parent;
        if (parent == null) {
            root = node;
        } else if (goesLeft) {
            parent.left = node;
        } else {
            parent.right = node;
        }
        if (onlyLeftTurns) {
            leftmost = node;
        }
        while (node.parent != null && node.priority > node.parent.priority) {
            rotateUp(node);
        }
        size++;
    }

    /** Removes {@code node}; does nothing if it is not in this tree. */
    public void remove(Node<T> node) {
        if (node.tree != this) {
            return;
        }
        if (node == leftmost) {
            leftmost = next(node);
        }
        // Sink the node until it has at most one child, then splice it out.
        while (node.left != null && node.right != null) {
            rotateUp(node.left.priority > node.right.priority ? node.left : node.right);
        }
        Node<T> child = node.left != null ? node.left : node.right;
        replace(node, child);
        node.left = null;
        node.right = null;
        node.parent = null;
        node.tree = null;
        size--;
    }

    /** The node right after {@code node} in the tree's order, or null when it is the last. */
    public Node<T> next(Node<T> node) {
        if (node.right != null) {
            Node<T> cursor = node.right;
            while (cursor.left != null) {
                cursor = cursor.left;
            }
            return cursor;
        }
        Node<T> child = node;
        Node<T> parent = node.parent;
        while (parent != null && parent.right == child) {
            child = parent;
            parent = parent.parent;
        }
        return parent;
    }

    /** The node right before {@code node} in the tree's order, or null when it is the first. */
    public Node<T> previous(Node<T> node) {
        if (node.left != null) {
            Node<T> cursor = node.left;
            while (cursor.right != null) {
                cursor = cursor.right;
            }
            return cursor;
        }
        Node<T> child = node;
        Node<T> parent = node.parent;
        while (parent != null && parent.left == child) {
            child = parent;
            parent = parent.parent;
        }
        return parent;
    }

    /**
     * The first node whose key is {@code >= key} (unsigned): among equals, the earliest inserted.
     */
    public Node<T> ceiling(int key) {
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

    /**
     * The last node of the tree (highest key, latest inserted among equals), or null when empty.
     */
    public Node<T> last() {
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

    /** Rotates {@code node} above its parent, keeping the in-order sequence. */
    private void rotateUp(Node<T> node) {
        Node<T> parent = node.parent;
        Node<T> grandparent = parent.parent;
        if (parent.left == node) {
            parent.left = node.right;
            if (node.right != null) {
                node.right.parent = parent;
            }
            node.right = parent;
        } else {
            parent.right = node.left;
            if (node.left != null) {
                node.left.parent = parent;
            }
            node.left = parent;
        }
        parent.parent = node;
        node.parent = grandparent;
        if (grandparent == null) {
            root = node;
        } else if (grandparent.left == parent) {
            grandparent.left = node;
        } else {
            grandparent.right = node;
        }
    }

    /** Puts {@code replacement} (possibly null) where {@code node} hangs. */
    private void replace(Node<T> node, Node<T> replacement) {
        Node<T> parent = node.parent;
        if (replacement != null) {
            replacement.parent = parent;
        }
        if (parent == null) {
            root = replacement;
        } else if (parent.left == node) {
            parent.left = replacement;
        } else {
            parent.right = replacement;
        }
    }
}
