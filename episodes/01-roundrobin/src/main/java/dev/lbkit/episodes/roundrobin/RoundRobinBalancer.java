package dev.lbkit.episodes.roundrobin;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import java.util.List;

/**
 * {@code balance roundrobin}: HAProxy's "fast weighted round robin", which hands each server a
 * share of requests proportional to its weight and spreads each server's turns evenly over a window
 * of {@code sum(weights)} picks, starting with the heaviest server.
 *
 * <p>Worked sequence: weights 2/1/3 repeat {@code s3 s1 s3 s2 s3 s1}; weights 1/2/3/4/5 start
 * {@code s5 s4 s3 s5 s4 s2 s5 s3 s4 s5 s1 s5 s3 s4 s2}.
 *
 * <p>How it works. Each group (active servers, backup servers) has three trees: {@code curr} orders
 * the servers already placed in the current window by their next position; {@code init} and {@code
 * next} order servers by weight (heaviest first) and swap roles when a window ends. A server's
 * effective weight is E = 16 * weight. Every pick takes the head of {@code curr} if its position is
 * due, else the heaviest server of {@code init}, moves that server's position forward by {@code
 * next_weight / E} (carrying the remainder in {@code rweight}) and puts it back in {@code curr}, or
 * in {@code next} when its next turn falls beyond the window. Servers going DOWN leave their tree;
 * servers coming UP are placed a window-fraction ahead of the current position.
 *
 * <p>One rule depends on the HAProxy line: a weight change on a running server. 2.6 and 3.0 re-rank
 * the server where it stands; 3.2 and later treat it like a server coming UP ({@link
 * #weightChange32}).
 *
 * <p>HAProxy documents {@code roundrobin} under {@code balance} in its configuration manual; every
 * formula used here is in docs/concepts.md, and the parity tests pin it (and, for the lines after
 * 2.6, {@code docs/versions.md}).
 */
public final class RoundRobinBalancer implements LoadBalancer {

    /** HAProxy's BE_WEIGHT_SCALE: dynamic algorithms work with 16 * the user weight. */
    public static final int WEIGHT_SCALE = 16;

    /** HAProxy's SRV_EWGHT_MAX: the largest effective weight, 256 * 16. */
    public static final int EWEIGHT_MAX = 4096;

    /** HAProxy's SRV_UWGHT_RANGE: the position part of a {@code curr} key is scaled by this. */
    private static final int UWEIGHT_RANGE = 256;

    /** The FWRR state HAProxy keeps inside each server. */
    private static final class Slot {
        final Server server;
        final Group group;
        final FifoTree.Node<Slot> node;

        /** The effective weight the server was last placed with (HAProxy's cur_eweight). */
        int eweight;

        /** Next position: the curr_pos at which the server is due again. Unsigned. */
        int npos;

        /** Last position: where the server was when it was last picked. Unsigned. */
        int lpos;

        /** The remainder of next_weight / E carried from pick to pick. Unsigned. */
        int rweight;

        /** Links the servers a pick took out but could not use (saturated or avoided). */
        Slot nextSkipped;

        Slot(Server server, Group group) {
            this.server = server;
            this.group = group;
            this.node = new FifoTree.Node<>(this, server.index());
        }
    }

    /** One group of servers (active or backup) and its window. All ints are C unsigned 32-bit. */
    private static final class Group {
        final FifoTree<Slot> curr = new FifoTree<>();
        FifoTree<Slot> init = new FifoTree<>();
        FifoTree<Slot> next = new FifoTree<>();
        int currPos;
        int currWeight;
        int nextWeight;

        void switchTrees() {
            FifoTree<Slot> swap = init;
            init = next;
            next = swap;
            currWeight = nextWeight;
            currPos = currWeight;
        }
    }

    private final ServerGroups groups;
    private final Group active = new Group();
    private final Group backup = new Group();
    private final Slot[] slots;

    /** True from HAProxy 3.2 on: a running server's weight change takes the UP path (§2.2). */
    private final boolean weightChangeAsUp;

    /** A balancer with HAProxy 2.6's rules. */
    RoundRobinBalancer(List<Server> servers, boolean allBackups) {
        this(servers, allBackups, HaproxyLine.V2_6);
    }

    /** A balancer with the rules of HAProxy {@code line}. */
    RoundRobinBalancer(List<Server> servers, boolean allBackups, HaproxyLine line) {
        this.weightChangeAsUp = line.compareTo(HaproxyLine.V3_2) >= 0;
        this.groups = new ServerGroups(servers, allBackups);
        this.slots = new Slot[servers.size()];
        for (Server server : servers) {
            Slot slot = new Slot(server, server.backup() ? backup : active);
            slots[server.index()] = slot;
            if (groups.isUsable(server)) {
                slot.eweight = server.eweight();
                slot.group.nextWeight += slot.eweight;
            }
        }
        for (Group group : new Group[] {active, backup}) {
            group.currPos = group.nextWeight;
            group.currWeight = group.nextWeight;
        }
        for (Slot slot : slots) {
            if (groups.isUsable(slot.server)) {
                queueByWeight(slot.group.init, slot);
            }
        }
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        return switch (groups.which()) {
            case ACTIVE -> pickFrom(active, avoid);
            // HAProxy hands the sole backup everything, without looking at maxconn or avoid.
            case SOLE_BACKUP -> groups.soleBackup();
            case BACKUPS -> pickFrom(backup, avoid);
            case NONE -> null;
        };
    }

    private Server pickFrom(Group group, Server avoid) {
        boolean switched = false;
        Slot avoided = null;
        Slot skipped = null;
        Slot chosen;
        while (true) {
            if (group.currWeight == 0) {
                // An empty window: take in weights that changed since (e.g. the first server came
                // UP).
                group.currPos = group.nextWeight;
                group.currWeight = group.nextWeight;
            }
            while ((chosen = candidate(group)) == null) {
                if (switched) {
                    if (avoided != null) {
                        queue(avoided);
                        putBackSkipped(group, skipped, avoided, true);
                        return avoided.server;
                    }
                    putBackSkipped(group, skipped, null, true);
                    return null;
                }
                switched = true;
                group.switchTrees();
            }
            // Even a server we cannot use now is advanced and taken out, so it keeps its rhythm.
            advance(group, chosen);
            chosen.node.tree().remove(chosen.node);
            group.currPos++;
            if (!chosen.server.full()) {
                if (chosen.server != avoid || avoided != null) {
                    break;
                }
                avoided = chosen;
            }
            chosen.nextSkipped = skipped;
            skipped = chosen;
        }
        queue(chosen);
        putBackSkipped(group, skipped, chosen, switched);
        return chosen.server;
    }

    // snippet:start fwrr-candidate
    /** The head of curr if it is due, else the heaviest server not yet placed in this window. */
    private static Slot candidate(Group group) {
        FifoTree.Node<Slot> head = group.curr.first();
        if (head != null && Integer.compareUnsigned(head.value().npos, group.currPos) <= 0) {
            return head.value();
        }
        FifoTree.Node<Slot> fresh = group.init.first();
        if (fresh != null) {
            Slot slot = fresh.value();
            slot.npos = 0;
            slot.rweight = 0;
            return slot;
        }
        return head == null ? null : head.value();
    }

    // snippet:end fwrr-candidate

    // snippet:start fwrr-advance
    /**
     * Moves the server's next position one turn ahead: next_weight / E, plus the carried remainder.
     */
    private static void advance(Group group, Slot slot) {
        int e = slot.eweight;
        if (e == 0) {
            return;
        }
        if (slot.npos == 0) {
            slot.npos = group.currPos;
        }
        slot.lpos = slot.npos;
        slot.npos += Integer.divideUnsigned(group.nextWeight, e);
        slot.rweight += Integer.remainderUnsigned(group.nextWeight, e);
        if (Integer.compareUnsigned(slot.rweight, e) >= 0) {
            slot.rweight -= e;
            slot.npos++;
        }
    }

    // snippet:end fwrr-advance

    /**
     * Puts a server (in no tree) back: into curr by position, or into next when beyond the window.
     */
    private static void queue(Slot slot) {
        Group group = slot.group;
        if (slot.eweight == 0
                || Integer.compareUnsigned(slot.npos, 2 * group.currWeight) >= 0
                || Integer.compareUnsigned(slot.npos, group.currWeight + group.nextWeight) >= 0) {
            slot.npos -= group.currWeight;
            queueByWeight(group.next, slot);
        } else {
            int key =
                    UWEIGHT_RANGE * slot.npos
                            + Integer.divideUnsigned(
                                    EWEIGHT_MAX + slot.rweight - slot.eweight, WEIGHT_SCALE);
            group.curr.insert(slot.node, key);
        }
    }

    /** Heavier servers get smaller keys and so come first; equal weights keep their order. */
    private static void queueByWeight(FifoTree<Slot> tree, Slot slot) {
        tree.insert(slot.node, EWEIGHT_MAX - slot.eweight);
    }

    /**
     * Puts back the servers a pick took out but skipped, most recent first: by position as if they
     * had been used, or, when the window switched meanwhile, into init by weight (their place is
     * lost).
     */
    private static void putBackSkipped(Group group, Slot skipped, Slot chosen, boolean switched) {
        for (Slot slot = skipped; slot != null; ) {
            Slot following = slot.nextSkipped;
            slot.nextSkipped = null;
            if (slot != chosen) {
                if (switched) {
                    queueByWeight(group.init, slot);
                } else {
                    queue(slot);
                }
            }
            slot = following;
        }
    }

    @Override
    public void serverDown(Server server) {
        if (!groups.isUsable(server)) {
            return;
        }
        groups.down(server);
        Slot slot = slots[server.index()];
        // curr_weight stays: the current window runs on; only the next one shrinks.
        slot.group.nextWeight -= slot.eweight;
        removeFromTree(slot);
    }

    @Override
    public void serverUp(Server server) {
        if (groups.isUsable(server) || !server.usable()) {
            return;
        }
        groups.up(server);
        Slot slot = slots[server.index()];
        Group group = slot.group;
        slot.eweight = server.eweight();
        group.nextWeight += slot.eweight;
        if (slot.node.tree() == group.init) {
            slot.npos = 0;
            slot.rweight = 0;
        } else if (slot.node.tree() == group.next) {
            slot.npos += group.currWeight;
        } else {
            slot.npos = group.currPos;
        }
        // HAProxy then overwrites that base: the server waits a share of what is left of the
        // windows.
        slot.npos =
                group.currPos
                        + Integer.divideUnsigned(
                                group.nextWeight + group.currWeight - group.currPos, slot.eweight);
        removeFromTree(slot);
        queue(slot);
    }

    @Override
    public void weightChanged(Server server, int oldUweight) {
        if (!groups.isUsable(server)) {
            return;
        }
        Slot slot = slots[server.index()];
        Group group = slot.group;
        int newEweight = server.eweight();
        group.nextWeight = group.nextWeight - slot.eweight + newEweight;
        slot.eweight = newEweight;
        if (weightChangeAsUp && newEweight > 0) {
            weightChange32(group, slot);
            return;
        }
        FifoTree<Slot> tree = slot.node.tree();
        if (tree == group.init) {
            removeFromTree(slot);
            queueByWeight(group.init, slot);
            return;
        }
        if (tree == null) {
            slot.npos = group.currPos;
        } else {
            if (tree == group.next) {
                // A server queued for the next window keeps its position minus curr_weight; HAProxy
                // takes it back to this window's scale first (checked against 2.6.12: episode 06).
                slot.npos += group.currWeight;
            }
            removeFromTree(slot);
            if (newEweight > 0) {
                int previousNpos = slot.npos;
                int step = Integer.divideUnsigned(group.nextWeight, newEweight);
                slot.npos = slot.lpos + step;
                slot.rweight = 0;
                if (Integer.compareUnsigned(slot.npos, previousNpos) > 0) {
                    slot.npos = previousNpos;
                }
                if (Integer.compareUnsigned(slot.npos, group.currPos + 2) < 0) {
                    slot.npos = group.currPos + step;
                }
            } else {
                slot.npos = group.currPos + group.currWeight;
            }
        }
        queue(slot);
    }

    // snippet:start fwrr-weight-change-32
    /**
     * Since HAProxy 3.2: a weight change on a running server (old and new weight above 0) places
     * the server as if it had just come UP, wherever it stood, instead of re-ranking it in place.
     *
     * <p>Worked example (3.2, weights 2/1/3, {@code set server b/s2 weight 4} before any request):
     * the window is 96, curr_pos = curr_weight = 96 and next_weight becomes 96 - 16 + 64 = 144. s2
     * was still in init, so its position restarts at 0 and is then overwritten with 96 + (144 + 96
     * - 96) / 64 = 98: s2 goes into curr behind position 96, and init serves s3 then s1 first
     * ({@code s3 s1 s2 s3 s2 s1 ...}). 2.6 and 3.0 would re-key s2 in init as the heaviest server
     * and serve it first ({@code s2 s3 s2 s1 ...}).
     *
     * <p>Why: 3.2 gave every thread group its own trees, and the weight-change routine still asks
     * the per-server tree field that roundrobin no longer fills, so it always believes the server
     * was down. Measured on 3.2.26 and 3.4.7 (docs/versions.md); next_weight is already updated.
     */
    private static void weightChange32(Group group, Slot slot) {
        FifoTree<Slot> tree = slot.node.tree();
        if (tree == group.init) {
            slot.npos = 0;
            slot.rweight = 0;
        } else if (tree == group.next) {
            slot.npos += group.currWeight;
        } else if (tree == null) {
            slot.npos = group.currPos;
        }
        removeFromTree(slot);
        // The base just computed is overwritten, as on the UP path; rweight and lpos stay.
        slot.npos =
                group.currPos
                        + Integer.divideUnsigned(
                                group.nextWeight + group.currWeight - group.currPos, slot.eweight);
        queue(slot);
    }

    // snippet:end fwrr-weight-change-32

    private static void removeFromTree(Slot slot) {
        FifoTree<Slot> tree = slot.node.tree();
        if (tree != null) {
            tree.remove(slot.node);
        }
    }
}
