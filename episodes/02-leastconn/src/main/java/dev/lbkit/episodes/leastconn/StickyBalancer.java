package dev.lbkit.episodes.leastconn;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import java.util.List;

/**
 * {@code balance sticky} (HAProxy 3.0 and later): every request goes to one server, the current
 * one, for as long as it stays usable. When it stops being usable (down, in maintenance, drained,
 * weight 0), the first usable server in declaration order becomes the current one, and it stays so
 * when the old one comes back. Backups serve only while no active server is usable; the first
 * active server to come back then takes over.
 *
 * <p>Worked sequence: {@code s3, s1, s2} declared in that order (ids play no part), backup {@code
 * b1}. Requests go to s3. s3 goes down: s1. s3 comes back: still s1. s1 gets weight 0: s3 (first in
 * declaration order). All three down: b1. s2 up: s2, and it keeps the traffic when s3 and s1 come
 * back. The current server is chosen when the state changes, not when the next request comes: s1
 * down and up again with no request between leaves the traffic on whichever server replaced it.
 *
 * <p>Three things follow from how HAProxy keeps its books for this algorithm, and lbkit keeps the
 * same books to give the same answers (each measured on 3.0.11, 3.2.26 and 3.4.7, see
 * StickyLinesParityTest):
 *
 * <ul>
 *   <li><b>Every server starts with weight 1</b>, whatever its {@code weight} line says: a server
 *       configured with {@code weight 0} is usable until something makes HAProxy work its weight
 *       out again (a weight set by the runtime API, even to 0, or its coming back from down,
 *       maintenance or drain). Going down or into maintenance does not.
 *   <li><b>A running total of the usable servers' weights</b> decides whether the backend has any
 *       server at all: when it is 0 the request gets a 503 at once, whoever is current. A server
 *       adds the weight it has when it becomes usable and takes away the weight it has when it
 *       stops; a weight changed while it stays usable is not added. So with s1, s2, s3 at weight 1
 *       (total 3), setting the current s1 to 3 and then to 0 takes 3 away: the total reaches 0 and
 *       HAProxy answers 503 although s2 and s3 are up, until a server's coming back adds to it.
 *   <li><b>With backups only</b> (no active usable, {@code option allbackups} off), that test reads
 *       the weight of the backup that was first usable at startup, whether or not it still is.
 * </ul>
 *
 * <p>When the total is not 0 but no server is current (every server down, a backup's weight still
 * counted), the request waits in the backend's queue, as for full servers, until a server comes up
 * or {@code timeout queue} ends it with a 503. From 3.2 on, a server that has just left maintenance
 * is the backend's ready server and takes such a request at once, once, even at weight 0 or drained
 * (the engine's {@code Backend} keeps it, for every algorithm). HAProxy 3.0.11 instead aborts when
 * a request has to wait like this; lbkit as 3.0 lets it wait. A full current server ({@code
 * maxconn}) is not passed over: the request waits in its own queue, as with a map-based hash (read
 * from HAProxy's code; not yet measured).
 *
 * <p>HAProxy documents {@code sticky} under {@code balance} for {@code mode log} backends; in an
 * HTTP backend it balances as above (HAProxy 2.6 refuses the keyword). docs/concepts.md covers it.
 */
final class StickyBalancer implements LoadBalancer {

    private static final int RUNNING = Server.RUNNING_BIT;
    private static final int STOPPING = Server.STOPPING_BIT;
    private static final int MAINT = Server.MAINT_BIT;
    private static final int DRAIN = Server.DRAIN_BIT;

    private final List<Server> servers;

    /**
     * The weight each server counts with now, and the one it will count with at the next update.
     */
    private final int[] weightNow;

    private final int[] weightNext;

    /** Each server's state as of its last update ({@link Server#stateBits}). */
    private final int[] stateNow;

    private int activeUsable;
    private int backupUsable;
    private int activeWeight;
    private int backupWeight;

    /** The figures the last update left: a total weight of 0 means no server at all. */
    private int totalWeight;

    private int usedCount;

    /** The first usable backup at startup, unless {@code option allbackups}: never recomputed. */
    private final Server firstBackup;

    private Server current;

    StickyBalancer(List<Server> servers, boolean allBackups) {
        this.servers = servers;
        int n = servers.size();
        this.weightNow = new int[n];
        this.weightNext = new int[n];
        this.stateNow = new int[n];
        Server first = null;
        for (Server server : servers) {
            int i = server.index();
            weightNow[i] = 1;
            weightNext[i] = 1;
            stateNow[i] = server.stateBits();
            if (!usable(stateNow[i], 1)) {
                continue;
            }
            if (server.backup()) {
                if (backupUsable == 0 && !allBackups) {
                    first = server;
                }
                backupUsable++;
                backupWeight++;
            } else {
                activeUsable++;
                activeWeight++;
            }
        }
        this.firstBackup = first;
        updateTotals();
        electFirst();
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        return totalWeight == 0 ? null : current;
    }

    @Override
    public boolean noServerAvailable(List<Server> all) {
        return totalWeight == 0;
    }

    /** All the work is done in {@link #stateSet}, which sees every change these report. */
    @Override
    public void serverUp(Server server) {}

    @Override
    public void serverDown(Server server) {}

    @Override
    public void weightChanged(Server server, int oldUweight) {}

    @Override
    public void stateSet(Server server) {
        int i = server.index();
        int before = stateNow[i];
        int after = server.stateBits();
        if (weightWorkedOut(before, after)) {
            weightNext[i] = server.uweight();
        }
        if (before == after && weightNow[i] == weightNext[i]) {
            return;
        }
        boolean was = usable(before, weightNow[i]);
        boolean will = usable(after, weightNext[i]);
        if (will && !was) {
            if (server.backup()) {
                backupUsable++;
                backupWeight += weightNext[i];
            } else {
                activeUsable++;
                activeWeight += weightNext[i];
            }
            if (current == null || (current.backup() && !server.backup())) {
                current = server;
            }
        } else if (!will && was) {
            if (server.backup()) {
                backupUsable--;
                backupWeight -= weightNow[i];
            } else {
                activeUsable--;
                activeWeight -= weightNow[i];
            }
            if (server == current && usedCount != 0) {
                // Reads the counts as the previous update left them, as HAProxy does.
                electFirst(server, after, weightNext[i]);
            }
        }
        updateTotals();
        stateNow[i] = after;
        weightNow[i] = weightNext[i];
    }

    /**
     * Whether this change makes HAProxy work the server's weight out again from its user weight: a
     * weight set (the state did not change), or the server coming back from maintenance, from a
     * drain (out of maintenance) or to running.
     */
    private static boolean weightWorkedOut(int before, int after) {
        if (before == after) {
            return true;
        }
        boolean leavesMaint = (before & MAINT) != 0 && (after & MAINT) == 0;
        boolean leavesDrain = (before & DRAIN) != 0 && (after & (DRAIN | MAINT)) == 0;
        return leavesMaint || leavesDrain || (!running(before) && running(after));
    }

    /** Running in HAProxy's sense: up, not stopping, not in maintenance (drain does not count). */
    private static boolean running(int state) {
        return (state & (RUNNING | STOPPING | MAINT)) == RUNNING;
    }

    private static boolean usable(int state, int weight) {
        return weight != 0 && state == RUNNING;
    }

    private void updateTotals() {
        if (activeUsable > 0) {
            totalWeight = activeWeight;
            usedCount = activeUsable;
        } else if (firstBackup != null) {
            totalWeight = weightNext[firstBackup.index()];
            usedCount = 1;
        } else {
            totalWeight = backupWeight;
            usedCount = backupUsable;
        }
    }

    private void electFirst() {
        electFirst(null, 0, 0);
    }

    /**
     * The first server in declaration order that will be usable, among the actives while any is,
     * else among the backups; {@code changing} is read with its new state and weight.
     */
    private void electFirst(Server changing, int itsState, int itsWeight) {
        boolean backups = activeUsable == 0;
        current = null;
        for (Server server : servers) {
            if (server.backup() != backups) {
                continue;
            }
            int i = server.index();
            boolean will =
                    server == changing
                            ? usable(itsState, itsWeight)
                            : usable(stateNow[i], weightNext[i]);
            if (will) {
                current = server;
                return;
            }
        }
    }
}
