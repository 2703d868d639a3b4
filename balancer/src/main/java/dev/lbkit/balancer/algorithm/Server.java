package dev.lbkit.balancer.algorithm;

import dev.lbkit.balancer.config.ServerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One server of a backend at run time: its configured facts plus the state that changes while lbkit
 * runs (weight, health, maintenance, in-flight requests). Only {@link dev.lbkit.balancer.Backend}
 * changes it, under the backend's lock; algorithms read it.
 */
public final class Server {
    private final ServerSpec spec;
    private final int index;
    private int uweight;
    private boolean maint;
    private boolean drain;
    private boolean running = true;
    private boolean stopping;
    private int weightEnteringMaint;

    /**
     * The share of the user weight an algorithm is given, in sixteenths: 16 but while the server
     * warms up after coming back UP ({@code slowstart}, see {@link #warmUp}).
     */
    private int warmSixteenths = 16;

    /** In a {@code slowstart} warm-up (HAProxy's STARTING state), since {@link #warmingSince}. */
    private boolean warming;

    private long warmingSince;

    /** The server this one tracks ({@code track}), or null; and those that track this one. */
    private Server tracked;

    private String trackedName;
    private final List<Server> trackers = new ArrayList<>();

    /**
     * "proxy/server" of the tracked server when it is in maintenance (its own or inherited), or
     * null: HAProxy's {@code MAINT (via ...)}.
     */
    private String maintVia;

    /** Drained because the tracked server is (HAProxy shows a plain DRAIN). */
    private boolean drainVia;

    /** {@code maxconn}, 0 for none: the config's, or the runtime API's ({@link #setMaxconn}). */
    private long maxconn;

    private int served;
    private int queued;
    private int maxQueued;
    private long refusedQueueFull;
    private int maxServed;
    private long lbtot;
    private long persisted;

    /** Answers relayed from this server by status class: 1xx to 5xx, then any other code. */
    private final java.util.concurrent.atomic.AtomicLongArray responses =
            new java.util.concurrent.atomic.AtomicLongArray(6);

    /**
     * When the server's state last changed (health, maintenance, drain), from {@link
     * System#nanoTime()}.
     */
    private volatile long lastChangeNanos = System.nanoTime();

    public Server(ServerSpec spec, int index) {
        this.spec = spec;
        this.index = index;
        this.uweight = spec.weight();
        this.maint = spec.disabled();
        this.weightEnteringMaint = uweight;
        this.maxconn = spec.maxconn();
    }

    /** The server's current {@code maxconn} (0: no limit), up to 4294967295. */
    public long maxconn() {
        return maxconn;
    }

    /** The runtime API's {@code set maxconn server}: 0 for no limit. */
    public void setMaxconn(long maxconn) {
        this.maxconn = maxconn;
    }

    /**
     * The effective weight the dynamic algorithms compute with: 16 times the user weight (HAProxy's
     * BE_WEIGHT_SCALE leaves room for fractions), less while the server warms up.
     */
    public int eweight() {
        return uweight * warmSixteenths;
    }

    /**
     * The weight {@code show stat}, the stats page and the exporter show: the effective weight in
     * user-weight units, rounded up (below the user weight only while warming up).
     */
    public int shownWeight() {
        return warming ? (eweight() + 15) / 16 : uweight;
    }

    /** In a {@code slowstart} warm-up: came back UP less than {@code slowstart} ago. */
    public boolean warming() {
        return warming;
    }

    /**
     * The share of its weight a warming server is given, in percent (HAProxy's {@code throttle}),
     * or -1 when there is none to show: not warming, or draining (weight 0 or admin drain).
     */
    public int throttle() {
        if (!warming || uweight == 0 || drain) {
            return -1;
        }
        // HAProxy rounds up by 15/16 of a user weight's 1/100, not by a whole one: with weight 10
        // and 1/16 of it the column shows 6, with weight 1, 7 (measured on 2.6.12).
        return (100 * eweight() + 15) / (16 * uweight);
    }

    /**
     * Starts a warm-up: the server just came UP (from DOWN, stopping or maintenance) at wall-clock
     * second {@code nowSecond} and has a {@code slowstart}. {@code ramps}: the backend's algorithm
     * is dynamic (a static one, which fixes weights at startup, gives the full weight at once while
     * the server still counts as warming).
     */
    public void startWarmUp(long nowSecond, boolean ramps) {
        warming = true;
        warmingSince = nowSecond;
        warmUp(nowSecond, ramps);
    }

    /**
     * One step of the warm-up at wall-clock second {@code nowSecond}, as HAProxy takes one every
     * second: after {@code e} whole seconds of a slowstart of {@code S}, the server gets {@code (16
     * * e + S) / S} sixteenths of its weight (1/16 at once, all of it after S). Returns false once
     * the warm-up is over, which counts as a change of state.
     */
    public boolean warmUp(long nowSecond, boolean ramps) {
        if (!warming) {
            return false;
        }
        long slowstart = spec.slowstartSeconds();
        long elapsed = nowSecond - warmingSince;
        if (elapsed < 0 || elapsed >= slowstart) {
            warming = false;
            warmSixteenths = 16;
            lastChangeNanos = System.nanoTime();
            return false;
        }
        warmSixteenths = ramps ? (int) Math.min(16, (16 * elapsed + slowstart) / slowstart) : 16;
        return true;
    }

    /** The share of its user weight the server has now, in sixteenths (16 but in a warm-up). */
    public int warmSixteenths() {
        return warmSixteenths;
    }

    /**
     * For a copy of a server's state (the live view's lookahead): the share of its weight it has,
     * in sixteenths, as read from {@link #warmSixteenths()}; no step follows by itself.
     */
    public void holdWarmUp(int sixteenths) {
        warming = sixteenths < 16;
        warmSixteenths = sixteenths;
    }

    /** Ends a warm-up at once: the server went DOWN, stopping or into maintenance. */
    public void stopWarmUp() {
        warming = false;
        warmSixteenths = 16;
    }

    /** The user weight the server had when it last went into maintenance. */
    public int weightEnteringMaint() {
        return weightEnteringMaint;
    }

    public ServerSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    /** Position in declaration order, from 0. Every tie-break in HAProxy follows this order. */
    public int index() {
        return index;
    }

    /** The server id (puid): ring keys and {@code balance first} use it, never the name. */
    public int id() {
        return spec.id();
    }

    public boolean backup() {
        return spec.backup();
    }

    /** The user weight, 0..256: the configured one until the runtime API changes it. */
    public int uweight() {
        return uweight;
    }

    /** Requests in flight on this server right now (HAProxy's {@code served}). */
    public int served() {
        return served;
    }

    /** The most requests ever in flight on this server at once (HAProxy's {@code smax}). */
    public int maxServed() {
        return maxServed;
    }

    /** How many times the algorithm chose this server (HAProxy's {@code lbtot}). */
    public long lbtot() {
        return lbtot;
    }

    public boolean maint() {
        return maint;
    }

    public boolean drain() {
        return drain;
    }

    /**
     * The operational state: false once checks (or {@code set server ... health down}) have marked
     * it DOWN. A stopping server is running.
     */
    public boolean running() {
        return running;
    }

    /** Stopping (status NOLB): running, but taking no new request (see {@link #setStopping}). */
    public boolean stopping() {
        return stopping;
    }

    /**
     * At its {@code maxconn}, or with requests waiting in its own queue: HAProxy then passes it
     * over (or queues the request).
     */
    public boolean full() {
        return maxconn > 0 && (queued > 0 || served >= maxconn);
    }

    /**
     * Full for {@code balance leastconn}: its requests in flight and queued reach {@code maxconn +
     * maxqueue}. HAProxy's leastconn still picks a server at its {@code maxconn} while its own
     * queue has room, and the request then waits in that queue; without a {@code maxqueue} this is
     * {@link #full()}'s limit.
     */
    public boolean fullForLeastconn() {
        return maxconn > 0 && served + queued >= maxconn + spec.maxqueue();
    }

    /** Requests waiting in this server's own queue. */
    public int queued() {
        return queued;
    }

    public void addQueued(int delta) {
        queued += delta;
        maxQueued = Math.max(maxQueued, queued);
    }

    /**
     * The most requests ever waiting in this server's own queue at once (HAProxy's {@code qmax}).
     */
    public int maxQueued() {
        return maxQueued;
    }

    /**
     * Whether this server's own queue holds {@code maxqueue} requests already, so one more sent to
     * it is refused.
     */
    public boolean queueFull() {
        int maxqueue = spec.maxqueue();
        return maxqueue > 0 && queued >= maxqueue;
    }

    /**
     * Requests refused because this server's queue was full (HAProxy counts them in the server's
     * {@code econ}).
     */
    public long refusedQueueFull() {
        return refusedQueueFull;
    }

    public void countRefusedQueueFull() {
        refusedQueueFull++;
    }

    /**
     * Usable for load balancing: weight above 0, not in maintenance or drain, and UP (not DOWN and
     * not stopping).
     */
    public boolean usable() {
        return uweight > 0 && !inMaintenance() && !inDrain() && running && !stopping;
    }

    /**
     * In maintenance of its own or inherited from the server it tracks: HAProxy treats both alike
     * (no request, not even one a persistence cookie names).
     */
    public boolean inMaintenance() {
        return maint || maintVia != null;
    }

    /** Drained, by its own admin state or by the server it tracks. */
    public boolean inDrain() {
        return drain || drainVia;
    }

    /** {@link #stateBits}: running (passing its checks, or none). */
    public static final int RUNNING_BIT = 1;

    /** {@link #stateBits}: stopping (NOLB). */
    public static final int STOPPING_BIT = 2;

    /** {@link #stateBits}: in maintenance, its own or the tracked server's. */
    public static final int MAINT_BIT = 4;

    /** {@link #stateBits}: drained, its own or the tracked server's. */
    public static final int DRAIN_BIT = 8;

    /** The state a change may set, as bits: running, stopping, maintenance, drain. */
    public int stateBits() {
        return (running() ? RUNNING_BIT : 0)
                | (stopping() ? STOPPING_BIT : 0)
                | (inMaintenance() ? MAINT_BIT : 0)
                | (inDrain() ? DRAIN_BIT : 0);
    }

    /** The server this one tracks, or null. */
    public Server tracked() {
        return tracked;
    }

    /** The servers that track this one. */
    public List<Server> trackers() {
        return trackers;
    }

    /**
     * The server whose checks decide this one's state: itself, or the end of its {@code track}
     * chain (the config check refuses chains that loop).
     */
    public Server checkedBy() {
        Server at = this;
        while (at.tracked != null) {
            at = at.tracked;
        }
        return at;
    }

    /** Wires {@code track}: this server follows {@code tracked}, named "proxy/server". */
    public void track(Server tracked, String trackedName) {
        this.tracked = tracked;
        this.trackedName = trackedName;
        tracked.trackers.add(this);
    }

    /** "proxy/server" of the server whose maintenance this one inherits, or null. */
    public String maintVia() {
        return maintVia;
    }

    /** Drained by the server it tracks. */
    public boolean drainVia() {
        return drainVia;
    }

    /**
     * Takes the tracked server's state: UP, stopping or DOWN as it is, and its maintenance and
     * drain (its own or inherited) as inherited ones; this server's own admin state stays.
     */
    public void followTracked() {
        Server from = tracked;
        // HAProxy names the server tracked, whether its maintenance is its own or inherited.
        String via = from.inMaintenance() ? trackedName : null;
        if (!Objects.equals(via, maintVia) || drainVia != from.inDrain()) {
            lastChangeNanos = System.nanoTime();
        }
        if (maintVia == null && via != null && !maint) {
            weightEnteringMaint = uweight;
        }
        maintVia = via;
        drainVia = from.inDrain();
        if (from.stopping) {
            if (!stopping || !running) {
                setStopping();
            }
        } else {
            setRunning(from.running);
        }
    }

    // Mutators: package dev.lbkit.balancer.Backend calls these under its lock.

    public void setUweight(int uweight) {
        this.uweight = uweight;
    }

    public void setMaint(boolean maint) {
        if (this.maint != maint) {
            lastChangeNanos = System.nanoTime();
            if (maint) {
                weightEnteringMaint = uweight;
            }
        }
        this.maint = maint;
    }

    public void setDrain(boolean drain) {
        if (this.drain != drain) {
            lastChangeNanos = System.nanoTime();
        }
        this.drain = drain;
    }

    /** UP ({@code true}) or DOWN; either ends a stopping state. */
    public void setRunning(boolean running) {
        if (this.running != running || stopping) {
            lastChangeNanos = System.nanoTime();
        }
        this.running = running;
        this.stopping = false;
    }

    /**
     * Stopping (HAProxy's NOLB, the runtime API's {@code set server ... health stopping}): still UP
     * for its health checks and for the requests it holds, but given no new one.
     */
    public void setStopping() {
        if (!running || !stopping) {
            lastChangeNanos = System.nanoTime();
        }
        this.running = true;
        this.stopping = true;
    }

    /**
     * Counts one answer this server sent, by its status class (HAProxy's {@code hrsp_1xx} ...
     * {@code hrsp_other}). Lock-free: called by the threads that relay answers.
     */
    public void countResponse(int status) {
        responses.incrementAndGet(responseClass(status));
    }

    /**
     * Answers counted for status class {@code index}: 0 for 1xx ... 4 for 5xx, 5 for other codes.
     */
    public long responses(int index) {
        return responses.get(index);
    }

    /** Seconds since the server's state last changed (HAProxy's {@code lastchg}). */
    public long secondsSinceChange() {
        return (System.nanoTime() - lastChangeNanos) / 1_000_000_000L;
    }

    /** The index {@link #responses(int)} counts {@code status} under. */
    public static int responseClass(int status) {
        return status >= 100 && status < 600 ? status / 100 - 1 : 5;
    }

    public void addServed(int delta) {
        served += delta;
        maxServed = Math.max(maxServed, served);
    }

    public void countPick() {
        lbtot++;
    }

    /**
     * Requests a persistence cookie sent here without the algorithm (they count in HAProxy's {@code
     * stot}, not in its {@code lbtot}).
     */
    public long persisted() {
        return persisted;
    }

    public void countPersisted() {
        persisted++;
    }

    /** Requests sent here, by the algorithm or by a persistence cookie (HAProxy's {@code stot}). */
    public long sessions() {
        return lbtot + persisted;
    }

    @Override
    public String toString() {
        return spec.name();
    }
}
