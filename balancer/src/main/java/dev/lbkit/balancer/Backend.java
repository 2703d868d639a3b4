package dev.lbkit.balancer;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.health.CheckState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A backend at run time: its servers, its algorithm and the one lock that orders every pick and
 * every state change, as HAProxy's per-backend lock does. Everything that changes a server (a
 * request taken or released, a health check, the runtime API) goes through here, so the algorithm
 * sees the same sequence of events HAProxy's would.
 *
 * <p><b>Lock order.</b> {@link #lock()} guards all of this backend's run-time state: the servers'
 * state and counters, the algorithm, and the health-check state of its servers (HealthChecks keeps
 * that under this lock too, not under a lock of its own). It is a leaf lock: code holding it only
 * reads and writes that memory and calls the algorithm, whose callbacks are pure (see {@link
 * LoadBalancer}); it takes no other lock, does no I/O and does not log. As no thread ever waits for
 * anything while holding it, it can never close a wait cycle, whatever a thread holds when it takes
 * it (an upstream loop takes it inside its selector's monitors, see UpstreamLoop). Issue 25 was
 * what happens otherwise: a health checker held a lock of its own while marking its server DOWN
 * here, {@code show stat} held this lock while reading the checker's state under the checker's
 * lock, and each waited for the other for good.
 */
public final class Backend {
    private final ProxySection section;
    private final HaproxyLine line;
    private final List<Server> servers;
    private final LoadBalancer lb;

    /** roundrobin, static-rr or first: a waiting backend queue means every server is full. */
    private final boolean rotates;

    private final Object lock = new Object();

    /** Each server {@code cookie} value's first server (empty without a {@code cookie} line). */
    private final Map<String, Server> byCookie;

    private final LongSupplier clockMillis;
    private long cumulativeRequests;

    /** Requests waiting for any server (every usable one was full when they came), oldest first. */
    private final Deque<QueuePlace> queue = new ArrayDeque<>();

    /**
     * Requests waiting for one server in particular (a hash picked it while it was full), oldest
     * first.
     */
    private final Map<Server, Deque<QueuePlace>> serverQueues = new IdentityHashMap<>();

    private long queueSequence;

    /** Times the backend lost its last usable server (HAProxy's backend {@code chkdown}). */
    private long downTransitions;

    /**
     * The backend's ready server ({@link HaproxyLine#keepsAReadyServer}, 3.2 and later): the last
     * server that looked at the queues with nothing in flight, neither on it nor on the backend.
     * The next request that goes to the backend's queue takes it (and clears it) and is sent there
     * at once if it still serves nothing, usable or not: a request no algorithm would send there
     * can still land on it. A state change that leaves it not running (down, stopping, maintenance,
     * warming up) clears it; a drain or a weight of 0 does not.
     */
    private Server readyServer;

    /** The step timer of each server warming up ({@link #startWarmUp}). */
    private final Map<Server, ScheduledFuture<?>> warmUps = new IdentityHashMap<>();

    /** The health-check state of each server with {@code check} ({@link #attachCheck}). */
    private final Map<Server, CheckState> checks = new IdentityHashMap<>();

    /**
     * The most requests ever waiting in {@link #queue} at once (HAProxy's backend {@code qmax}).
     */
    private int maxQueued;

    /** Requests refused because their server's queue was full (the backend's {@code econ}). */
    private long refusedQueueFull;

    /**
     * Fires {@code timeout queue}; one daemon thread for every backend, which ends after a second
     * with nothing to do (a request served from the queue cancels its timer), so no thread stays
     * behind once the queues are empty.
     */
    private static final ScheduledThreadPoolExecutor QUEUE_TIMER = queueTimer();

    private static ScheduledThreadPoolExecutor queueTimer() {
        ScheduledThreadPoolExecutor timer =
                new ScheduledThreadPoolExecutor(
                        1,
                        job -> {
                            Thread thread = new Thread(job, "lbkit-queue-timer");
                            thread.setDaemon(true);
                            return thread;
                        });
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * What {@link #pickTakeOrQueue} did: took a slot on {@code server}, queued the request (its
     * continuation gets the server later, or null when {@code timeout queue} ran out), found no
     * usable server at all ({@code server} null, not queued), or was sent to a server whose own
     * queue already held {@code maxqueue} requests ({@code fullQueueOf}, {@code server} null:
     * refused at once, HAProxy answers 503 and logs that server with {@code SQ}).
     */
    public record Pick(Server server, boolean queued, Server fullQueueOf, QueuePlace place) {
        static final Pick NONE = new Pick(null, false, null, null);

        /** Refused because {@link #fullQueueOf} had a full queue. */
        public boolean queueFull() {
            return fullQueueOf != null;
        }
    }

    /**
     * A queued request's place: its continuation and its place in the order of arrival. {@link
     * #withdraw} takes it out again.
     */
    public static final class QueuePlace {
        private final Consumer<Server> continuation;
        private final RequestInfo request;

        // Set by enqueue; again when a redispatch moves the request (under the lock).
        private long sequence;
        private Server target;
        private boolean done;

        /** Its {@code timeout queue}, cancelled when a slot comes first; null without one. */
        private volatile ScheduledFuture<?> timer;

        private QueuePlace(Consumer<Server> continuation, RequestInfo request) {
            this.continuation = continuation;
            this.request = request;
        }
    }

    public Backend(
            ProxySection section, BiFunction<ProxySection, List<Server>, LoadBalancer> algorithm) {
        this(section, algorithm, HaproxyLine.DEFAULT);
    }

    /** A backend that behaves as HAProxy {@code line} where the lines differ. */
    public Backend(
            ProxySection section,
            BiFunction<ProxySection, List<Server>, LoadBalancer> algorithm,
            HaproxyLine line) {
        this(section, algorithm, Backend::monotonicMillis, line);
    }

    /**
     * A backend whose picks are timed by {@code clockMillis} (milliseconds, monotonic), read once
     * per request and handed to the algorithm; tests pass a clock of their own.
     */
    public Backend(
            ProxySection section,
            BiFunction<ProxySection, List<Server>, LoadBalancer> algorithm,
            LongSupplier clockMillis) {
        this(section, algorithm, clockMillis, HaproxyLine.DEFAULT);
    }

    private Backend(
            ProxySection section,
            BiFunction<ProxySection, List<Server>, LoadBalancer> algorithm,
            LongSupplier clockMillis,
            HaproxyLine line) {
        this.line = line;
        this.clockMillis = clockMillis;
        this.section = section;
        this.servers =
                section.servers().stream()
                        .map(spec -> new Server(spec, section.servers().indexOf(spec)))
                        .toList();
        this.lb = algorithm.apply(section, servers);
        Algorithm kind = section.balance().algorithm();
        this.rotates =
                kind == Algorithm.ROUNDROBIN
                        || kind == Algorithm.STATIC_RR
                        || kind == Algorithm.FIRST;
        Map<String, Server> cookies = new java.util.HashMap<>();
        for (Server server : section.cookie().enabled() ? servers : List.<Server>of()) {
            String value = section.cookie().serverCookies().get(server.name());
            if (value != null) {
                cookies.putIfAbsent(value, server);
            }
        }
        this.byCookie = cookies;
    }

    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    public String name() {
        return section.name();
    }

    public ProxySection section() {
        return section;
    }

    /**
     * The servers in declaration order. Read their state under {@link #lock()} for a consistent
     * view.
     */
    public List<Server> servers() {
        return servers;
    }

    public Optional<Server> server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The lock that orders picks and state changes; hold it to read several counters at once. A
     * leaf lock (see the class comment): take no other lock, do no I/O and do not log while holding
     * it.
     */
    public Object lock() {
        return lock;
    }

    /**
     * Whether the algorithm fixes weights at startup (HAProxy's static algorithms); see {@link
     * LoadBalancer#staticWeights()}.
     */
    public boolean staticWeights() {
        return lb.staticWeights();
    }

    /**
     * The server's user weight now (runtime API {@code get weight}); the runtime API changes it
     * from other threads.
     */
    public int uweight(Server server) {
        synchronized (lock) {
            return server.uweight();
        }
    }

    /** Total requests that reached this backend (HAProxy's backend {@code stot}). */
    public long cumulativeRequests() {
        synchronized (lock) {
            return cumulativeRequests;
        }
    }

    /**
     * Picks a server and takes a slot on it in one step, so concurrent requests see each other's
     * in-flight counts exactly as HAProxy's leastconn and random do. Returns null if none is
     * usable; every non-null result must be given back with {@link #release(Server)}.
     */
    public Server pickAndTake(RequestInfo request, Server avoid) {
        synchronized (lock) {
            cumulativeRequests++;
            long now = clockMillis.getAsLong();
            Server chosen = lb.pick(request, avoid, now);
            if (chosen != null) {
                chosen.countPick();
                chosen.addServed(1);
                lb.taken(chosen, now);
            }
            return chosen;
        }
    }

    /**
     * As {@link #pickAndTake}, but when every usable server is full ({@code maxconn}) the request
     * waits, as in HAProxy: in the backend's queue when the algorithm found no server with a free
     * slot, or in that server's own queue when a hash picked a full server. A server that frees a
     * slot takes the oldest request of its own queue and the backend's, whichever came first,
     * without a new pick (so a dequeued request takes no turn of the rotation). After {@code
     * waitMs} ({@code timeout queue}, else {@code timeout connect}) a request still waiting is
     * dropped and its continuation gets null (HAProxy answers 503). The continuation runs on the
     * thread that freed the slot, or on the queue timer's, outside the lock; it must not block.
     *
     * <p>A server's own queue holds at most its {@code maxqueue} requests: a request picked for a
     * full server whose queue is full too is refused at once ({@link Pick#queueFull}), not sent to
     * another server, with or without {@code option redispatch}; but when a cookie chose that
     * server, {@code option redispatch} balances the request as if it had no cookie, avoiding the
     * cookie's server (a hash that gives that server again meets its full queue: refused). The
     * backend's queue has no limit, so an algorithm that passes full servers over (roundrobin,
     * static-rr, first) never meets a {@code maxqueue}. The algorithm's choice counts in the
     * server's {@code lbtot} even when the request waits or is refused, as in HAProxy.
     */
    public Pick pickTakeOrQueue(RequestInfo request, Consumer<Server> continuation, long waitMs) {
        Pick pick;
        synchronized (lock) {
            cumulativeRequests++;
            pick = place(request, continuation, null, null);
        }
        return timed(pick, waitMs);
    }

    /**
     * A retry moved off {@code from} ({@code option redispatch}): the request gives its slot there
     * back (a request waiting for {@code from} may take it), then is balanced again as {@link
     * #pickTakeOrQueue} balances a new one, its cookie ignored and the algorithm passing {@code
     * from} over where it can. So it may wait in a queue when the servers it can go to are full, or
     * be refused by a full {@code maxqueue}, as HAProxy does, rather than take a slot past a
     * server's {@code maxconn}. Requests that {@code from}'s freed slot dequeues are continued
     * before this returns.
     */
    public Pick redispatch(
            RequestInfo request, Server from, Consumer<Server> continuation, long waitMs) {
        List<Runnable> next;
        Pick pick;
        synchronized (lock) {
            next = giveBack(from);
            cumulativeRequests++;
            pick = place(request, continuation, null, from);
        }
        next.forEach(Runnable::run);
        return timed(pick, waitMs);
    }

    /** Starts {@code timeout queue} for a request {@code pick} queued. */
    private Pick timed(Pick pick, long waitMs) {
        QueuePlace waiter = pick.place();
        if (waiter != null && waitMs > 0) {
            waiter.timer =
                    QUEUE_TIMER.schedule(() -> expire(waiter), waitMs, TimeUnit.MILLISECONDS);
        }
        return pick;
    }

    /**
     * Balances {@code request} once, under the lock: a slot on the server the algorithm picks, no
     * usable server, a refusal by a full {@code maxqueue}, or a place at the back of a queue
     * ({@code waiter}, or a new place when it is null).
     */
    private Pick place(
            RequestInfo request,
            Consumer<Server> continuation,
            QueuePlace waiter,
            Server redispatchedFrom) {
        long now = clockMillis.getAsLong();
        // A server a cookie names is taken without asking the algorithm: its lbtot does not move,
        // and the request counts as persisted once it has a slot or a place in the queue. A
        // redispatched request's cookie no longer counts.
        Server named = waiter == null && redispatchedFrom == null ? persistent(request) : null;
        Server avoid = redispatchedFrom;
        if (named != null && named.full() && named.queueFull() && section.redispatch()) {
            // option redispatch: the cookie's server can take the request neither now nor in its
            // queue, so it is balanced as if it had no cookie, the algorithm passing that server
            // over when it can (measured on 2.6.12: CookieFullQueueParityTest).
            avoid = named;
            named = null;
        }
        Server chosen =
                named != null ? named : queuesBehind() ? null : lb.pick(request, avoid, now);
        if (chosen != null && named == null && chosen != avoid) {
            // HAProxy counts a pick in lbtot only when it changes the request's server: a
            // redispatch the algorithm sends back to the server it left does not count.
            chosen.countPick();
        }
        if (chosen != null && !chosen.full()) {
            take(chosen, now);
            if (named != null) {
                named.countPersisted();
            }
            return new Pick(chosen, false, null, null);
        }
        if (chosen == null && lb.noServerAvailable(servers)) {
            return Pick.NONE;
        }
        if (chosen == null && readyServer != null) {
            // On its way into the backend's queue the request takes the ready server, even when
            // that one has work by now (then it waits as it would have).
            Server ready = readyServer;
            readyServer = null;
            if (ready.served() == 0) {
                take(ready, now);
                return new Pick(ready, false, null, null);
            }
        }
        if (chosen != null && chosen.queueFull()) {
            chosen.countRefusedQueueFull();
            refusedQueueFull++;
            return new Pick(null, false, chosen, null);
        }
        if (named != null) {
            named.countPersisted();
        }
        QueuePlace queued = waiter != null ? waiter : new QueuePlace(continuation, request);
        enqueue(queued, chosen);
        return new Pick(null, true, null, queued);
    }

    /**
     * What the request's persistence cookie said, for {@code %tsc} ({@link
     * CookieRules#clientFlag}).
     */
    public char cookieFlag(List<String> cookieLines) {
        synchronized (lock) {
            return CookieRules.clientFlag(
                    section.cookie(), cookieLines, byCookie, Backend::upForCookies);
        }
    }

    /**
     * The server the request's persistence cookie names, when the backend has a {@code cookie} line
     * and that server may take the request: any server that is not DOWN or in maintenance
     * (draining, stopping and weight 0 included, backups too while active servers are up), or any
     * at all with {@code option persist}. Measured on 2.6.12. A request a server's own queue gives
     * back (the server went out of service) is balanced again without its cookie (not measured).
     */
    private Server persistent(RequestInfo request) {
        if (byCookie.isEmpty()) {
            return null;
        }
        boolean persist = section.cookie().persist();
        return CookieRules.named(
                section.cookie(),
                request.headerLines().apply("Cookie"),
                byCookie,
                s -> persist || upForCookies(s));
    }

    /**
     * A server a cookie may send requests to without {@code option persist}: not DOWN, not MAINT.
     */
    private static boolean upForCookies(Server server) {
        // Maintenance inherited from a tracked server counts as maintenance (measured on 2.6.12).
        return server.running() && !server.inMaintenance();
    }

    /**
     * Puts {@code waiter} at the back of {@code chosen}'s own queue, or of the backend's when the
     * algorithm chose no server; it takes the next place in the order of arrival.
     */
    private void enqueue(QueuePlace waiter, Server chosen) {
        waiter.sequence = queueSequence++;
        waiter.target = chosen;
        if (chosen != null) {
            serverQueues.computeIfAbsent(chosen, s -> new ArrayDeque<>()).addLast(waiter);
            chosen.addQueued(1);
        } else {
            queue.addLast(waiter);
            maxQueued = Math.max(maxQueued, queue.size());
        }
    }

    /** {@code waiter} has left its queue for good (a server, or a refusal): its timer stops. */
    private static void leftQueue(QueuePlace waiter) {
        waiter.done = true;
        ScheduledFuture<?> timer = waiter.timer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /**
     * With {@code roundrobin}, {@code static-rr} or {@code first}, a request that finds requests
     * waiting in the backend's queue queues behind them without asking the algorithm: for these
     * algorithms HAProxy takes a waiting backend queue to mean every server is full, so the
     * rotation does not move for such a request. (Asking anyway advanced every full server it
     * passed, and the next free pick went to another server than HAProxy's: QueueParityTest, seed
     * 300999.)
     */
    private boolean queuesBehind() {
        return rotates && !queue.isEmpty();
    }

    /**
     * Takes a queued request out of its queue, because its client closed its side while it waited
     * ({@code option abortonclose}): true when it was still waiting; false when it got a server or
     * ran out of {@code timeout queue} first, and its continuation runs as usual.
     */
    public boolean withdraw(Pick pick) {
        QueuePlace waiter = pick.place();
        if (waiter == null || !leave(waiter)) {
            return false;
        }
        ScheduledFuture<?> timer = waiter.timer;
        if (timer != null) {
            timer.cancel(false);
        }
        return true;
    }

    private void take(Server server, long now) {
        server.addServed(1);
        lb.taken(server, now);
    }

    private void expire(QueuePlace waiter) {
        if (leave(waiter)) {
            waiter.continuation.accept(null);
        }
    }

    /** Takes {@code waiter} out of its queue: false when it had left already (served or gone). */
    private boolean leave(QueuePlace waiter) {
        synchronized (lock) {
            if (waiter.done) {
                return false;
            }
            waiter.done = true;
            if (waiter.target != null) {
                serverQueues.get(waiter.target).remove(waiter);
                waiter.target.addQueued(-1);
            } else {
                queue.remove(waiter);
            }
            return true;
        }
    }

    /**
     * Requests waiting in this backend's own queue (for any server); HAProxy's backend {@code
     * qcur}.
     */
    public int backendQueued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /**
     * The most requests ever waiting in this backend's own queue at once (backend {@code qmax}).
     */
    public int maxBackendQueued() {
        synchronized (lock) {
            return maxQueued;
        }
    }

    /** Requests refused because their server's queue was full (the backend's {@code econ}). */
    public long refusedQueueFull() {
        synchronized (lock) {
            return refusedQueueFull;
        }
    }

    /** Requests waiting in this backend's queue and in its servers' queues. */
    public int queued() {
        synchronized (lock) {
            int total = queue.size();
            for (Deque<QueuePlace> q : serverQueues.values()) {
                total += q.size();
            }
            return total;
        }
    }

    /** The request on {@code server} has ended; a queued request may take the slot it frees. */
    public void release(Server server) {
        List<Runnable> next;
        synchronized (lock) {
            next = giveBack(server);
        }
        next.forEach(Runnable::run);
    }

    /**
     * Under the lock: a request gives back its slot on {@code server}, which goes to the oldest
     * request waiting for it; returns the continuations to run once the lock is released.
     */
    private List<Runnable> giveBack(Server server) {
        server.addServed(-1);
        lb.released(server);
        // Only a line that keeps a ready server needs to know whether the server looked.
        boolean looks = line.keepsAReadyServer() && mayDequeue(server);
        List<Runnable> next = dequeue(server);
        if (looks) {
            offerReady(server);
        }
        return next;
    }

    /**
     * Whether a server that frees a slot looks at the queues at all, as HAProxy decides it: some
     * request waits in its own queue, or in the backend's and it is usable, and it has room.
     */
    private boolean mayDequeue(Server server) {
        return (server.queued() > 0 || (!queue.isEmpty() && server.usable()))
                && (server.maxconn() == 0 || server.served() < server.maxconn());
    }

    /**
     * After {@code server} looked at the queues: with nothing in flight on it and on the backend,
     * and no ready server yet, it becomes the backend's ready server (3.2 and later).
     */
    private void offerReady(Server server) {
        if (line.keepsAReadyServer()
                && readyServer == null
                && servers.stream().allMatch(s -> s.served() == 0)) {
            readyServer = server;
        }
    }

    /**
     * HAProxy's operational state of {@code server}, as far as the ready server cares: 0 stopped
     * (down or in maintenance), 1 stopping, 2 warming up, 3 running (a drain does not count).
     */
    private static int runState(Server server) {
        if (!server.running() || server.inMaintenance()) {
            return 0;
        }
        if (server.stopping()) {
            return 1;
        }
        return server.warming() ? 2 : 3;
    }

    /**
     * Gives {@code server}'s free slots to the oldest waiting requests, its own queue and the
     * backend's taken together in order of arrival; returns their continuations, to be run once the
     * lock is released.
     */
    private List<Runnable> dequeue(Server server) {
        List<Runnable> next = List.of();
        Deque<QueuePlace> own = serverQueues.get(server);
        while (server.maxconn() == 0 || server.served() < server.maxconn()) {
            QueuePlace first = own == null ? null : own.peekFirst();
            // A server out of service (maintenance, drain, DOWN) still serves the requests already
            // waiting in its own queue, as HAProxy does, but takes none from the backend's.
            QueuePlace shared = server.usable() ? queue.peekFirst() : null;
            QueuePlace waiter =
                    first == null
                            ? shared
                            : shared == null
                                    ? first
                                    : first.sequence < shared.sequence ? first : shared;
            if (waiter == null) {
                break;
            }
            if (waiter == first) {
                own.pollFirst();
                server.addQueued(-1);
            } else {
                queue.pollFirst();
            }
            leftQueue(waiter);
            take(server, clockMillis.getAsLong());
            if (next.isEmpty()) {
                next = new ArrayList<>();
            }
            QueuePlace served = waiter;
            next.add(() -> served.continuation.accept(server));
        }
        return next;
    }

    /** Health checks: the server is (or is no longer) passing its checks. */
    public void setRunning(Server server, boolean running) {
        change(server, () -> server.setRunning(running));
    }

    /** What the runtime API's {@code set server ... health} sets. */
    public enum Health {
        UP,
        STOPPING,
        DOWN
    }

    /**
     * The health state {@code server}'s checks keep, under this backend's lock from now on ({@link
     * dev.lbkit.balancer.health.HealthChecks} calls this once per checked server), so that a change
     * of admin state or a forced health moves it in the same step as the server.
     */
    public void attachCheck(Server server, CheckState check) {
        synchronized (lock) {
            checks.put(server, check);
        }
    }

    /** Times the backend went DOWN: its last usable server went out (the backend's chkdown). */
    public long downTransitions() {
        synchronized (lock) {
            return downTransitions;
        }
    }

    /** The HAProxy line this backend behaves as, where the lines differ. */
    public HaproxyLine line() {
        return line;
    }

    /**
     * Runtime API {@code set server ... health up|stopping|down}, as measured on HAProxy 2.6 to
     * 3.4: the server becomes UP, stopping (NOLB: no new request) or DOWN at once, with or without
     * health checks; checks move its health to the top (UP, stopping) or to 0 (DOWN) and go on from
     * there, so a passing check ends a stopping state and {@code rise} passing checks end a DOWN. A
     * server in maintenance is left as it is (leaving maintenance sets its health anyway).
     */
    public void forceHealth(Server server, Health health) {
        change(
                server,
                () -> {
                    if (server.maint()) {
                        return;
                    }
                    CheckState check = checks.get(server);
                    switch (health) {
                        case UP -> server.setRunning(true);
                        case STOPPING -> server.setStopping();
                        case DOWN -> server.setRunning(false);
                    }
                    if (check != null) {
                        check.force(health != Health.DOWN);
                    }
                });
    }

    /**
     * Puts the server in maintenance or takes it out, leaving a drain as it is (a test's and a
     * picture's shortcut; the runtime API's commands go through {@link #setAdminState}).
     */
    public void setMaint(Server server, boolean maint) {
        change(server, () -> changeMaint(server, maint));
    }

    /**
     * Into or out of maintenance, with what HAProxy 2.6 to 3.4 do to the operational state
     * (measured): entering from UP, stopping or drain counts in the check's {@code chkdown} and
     * pauses the checks; leaving makes the server UP whatever it was (DOWN or stopping before
     * included), a checked one at health {@code rise}.
     */
    private void changeMaint(Server server, boolean maint) {
        if (maint == server.maint()) {
            return;
        }
        CheckState check = checks.get(server);
        if (maint) {
            if (check != null) {
                check.enterMaintenance();
            }
        } else if (server.tracked() != null) {
            // A tracker leaves maintenance in the state of the server it tracks.
            server.setMaint(false);
            server.followTracked();
            return;
        } else {
            server.setRunning(true);
            if (check != null) {
                check.leaveMaintenance();
            }
        }
        server.setMaint(maint);
    }

    /** Runtime API {@code set server ... state drain|ready}. */
    public void setDrain(Server server, boolean drain) {
        change(server, () -> server.setDrain(drain));
    }

    /**
     * Runtime API {@code set server ... state ready|drain|maint}, {@code enable server} (as ready:
     * it ends a drain too, as on HAProxy 2.6 to 3.4) and {@code disable server} (as maint): both
     * admin flags in one step, so no pick, no {@code show stat} and no algorithm callback sees the
     * state in between (going from maint to drain one flag at a time would make the server usable
     * for a moment).
     */
    public void setAdminState(Server server, boolean maint, boolean drain) {
        change(
                server,
                () -> {
                    changeMaint(server, maint);
                    server.setDrain(drain);
                });
    }

    /**
     * Runtime API {@code set maxconn server}: the server's new limit (0 for none), and the requests
     * waiting for it take the slots a higher limit opens, at once.
     */
    public void setMaxconn(Server server, long maxconn) {
        synchronized (lock) {
            server.setMaxconn(maxconn);
            boolean looks = mayDequeue(server);
            List<Runnable> next = dequeue(server);
            if (looks) {
                offerReady(server);
            }
            if (!next.isEmpty()) {
                // Under the lock here: the continuations run on the queue timer's thread instead.
                QUEUE_TIMER.execute(() -> next.forEach(Runnable::run));
            }
        }
    }

    /** Runtime API {@code set server ... weight N}. */
    public void setWeight(Server server, int uweight) {
        synchronized (lock) {
            int old = server.uweight();
            boolean wasUsable = server.usable();
            server.setUweight(uweight);
            boolean isUsable = server.usable();
            if (wasUsable && isUsable) {
                if (old != uweight) {
                    lb.weightChanged(server, old);
                }
            } else {
                notifyUsability(server, wasUsable, isUsable);
            }
            lb.stateSet(server);
        }
    }

    private void change(Server server, Runnable mutation) {
        List<Runnable> elsewhere;
        synchronized (lock) {
            boolean wasUsable = server.usable();
            boolean wasUp = up(server);
            boolean wasMaint = server.inMaintenance();
            int runBefore = runState(server);
            int stateBefore = server.stateBits();
            mutation.run();
            if (!wasUp && up(server)) {
                startWarmUp(server);
            } else if (wasUp && !up(server)) {
                server.stopWarmUp();
                ScheduledFuture<?> step = warmUps.remove(server);
                if (step != null) {
                    step.cancel(false);
                }
            }
            notifyUsability(server, wasUsable, server.usable());
            if (server.stateBits() != stateBefore) {
                lb.stateSet(server);
            }
            // Leaving maintenance, or coming UP, the server looks at the queues; a state change
            // that leaves it not running takes back its place as the ready server.
            if ((wasMaint && !server.inMaintenance()) || (!wasUp && up(server))) {
                offerReady(server);
            }
            int runAfter = runState(server);
            if (runAfter != runBefore && runAfter != 3 && readyServer == server) {
                readyServer = null;
            }
            elsewhere = propagate(server);
        }
        for (Runnable follow : elsewhere) {
            if (Thread.holdsLock(lock)) {
                // The caller holds this backend's lock (a health check): taking another backend's
                // lock now could close a wait cycle, so the other backend follows on its own.
                QUEUE_TIMER.execute(follow);
            } else {
                follow.run();
            }
        }
    }

    /** UP in HAProxy's sense: running, not stopping, not in maintenance (drain does not count). */
    private static boolean up(Server server) {
        return server.running() && !server.stopping() && !server.inMaintenance();
    }

    /** Where each server of the running proxies belongs: how a tracker's backend is found. */
    private volatile Function<Server, Backend> backendOf = s -> this;

    /** Wires {@code track} between backends: {@code backendOf} finds any server's backend. */
    public void linkTracking(Function<Server, Backend> backendOf) {
        this.backendOf = backendOf;
    }

    /**
     * The servers that track {@code server} and belong to this backend take its new state at once,
     * under its lock, as HAProxy changes them in the same step. Returns how those in other backends
     * follow, which {@link #change} runs after releasing this backend's lock, so that no thread
     * holds two backends' locks.
     */
    private List<Runnable> propagate(Server server) {
        List<Runnable> elsewhere = List.of();
        for (Server tracker : server.trackers()) {
            Backend owner = backendOf.apply(tracker);
            if (owner == this) {
                follow(tracker);
            } else {
                if (elsewhere.isEmpty()) {
                    elsewhere = new ArrayList<>();
                }
                elsewhere.add(() -> owner.follow(tracker));
            }
        }
        return elsewhere;
    }

    /** {@code tracker} takes the state of the server it tracks (its own admin state stays). */
    public void follow(Server tracker) {
        change(tracker, tracker::followTracked);
    }

    /**
     * A server with a {@code slowstart} that just came UP warms up (measured on HAProxy 2.6.12,
     * 3.0.11 and 3.4.7, whether it came from DOWN by its checks, from maintenance or from a forced
     * health; not at startup, and not by leaving a drain): it enters the algorithm with 1/16 of its
     * weight, then a step every second gives it more ({@link Server#warmUp}) until the slowstart
     * has passed. A weight set meanwhile is scaled by the step too; a static algorithm gives the
     * whole weight at once.
     */
    private void startWarmUp(Server server) {
        if (server.spec().slowstartSeconds() <= 0) {
            return;
        }
        server.startWarmUp(wallSecond(), !lb.staticWeights());
        ScheduledFuture<?>[] step = new ScheduledFuture<?>[1];
        step[0] =
                QUEUE_TIMER.scheduleWithFixedDelay(
                        () -> {
                            if (!warmUpStep(server)) {
                                step[0].cancel(false);
                            }
                        },
                        1000,
                        1000,
                        TimeUnit.MILLISECONDS);
        warmUps.put(server, step[0]);
    }

    /** One second of {@code server}'s warm-up; false once it is over (or was ended). */
    private boolean warmUpStep(Server server) {
        synchronized (lock) {
            if (warmUps.get(server) == null) {
                return false;
            }
            int before = server.eweight();
            boolean goesOn = server.warmUp(wallSecond(), !lb.staticWeights());
            if (server.eweight() != before && server.usable()) {
                lb.weightChanged(server, server.uweight());
            }
            if (!goesOn) {
                warmUps.remove(server);
            }
            offerReady(server);
            return goesOn;
        }
    }

    private static long wallSecond() {
        return System.currentTimeMillis() / 1000;
    }

    private void notifyUsability(Server server, boolean wasUsable, boolean isUsable) {
        if (!wasUsable && isUsable) {
            lb.serverUp(server);
            List<Runnable> next = dequeue(server);
            if (!next.isEmpty()) {
                // Under the lock here: the continuations run on the queue timer's thread instead.
                QUEUE_TIMER.execute(() -> next.forEach(Runnable::run));
            }
        } else if (wasUsable && !isUsable) {
            lb.serverDown(server);
            if (servers.stream().noneMatch(Server::usable)) {
                downTransitions++;
            }
            List<Runnable> next = ownQueueOfAServerGoingOut(server);
            if (!next.isEmpty()) {
                // Under the lock here: the continuations run on the queue timer's thread instead.
                QUEUE_TIMER.execute(() -> next.forEach(Runnable::run));
            }
        }
    }

    /**
     * What becomes of the requests waiting in the own queue of a server that goes out of service,
     * as measured side by side (QueueOfADisabledServerParityTest, a hash with {@code maxconn 1},
     * the server disabled or drained):
     *
     * <ul>
     *   <li>HAProxy 2.6: with {@code option redispatch} they are balanced again ({@link
     *       #redistribute}); without, they wait and the server serves them as its slots free.
     *   <li>HAProxy 3.0, 3.2 and 3.4: with {@code option redispatch} every one goes to that server
     *       at once, whatever its {@code maxconn}; without, a server put in maintenance has them
     *       balanced again and a drained one serves them as its slots free.
     * </ul>
     *
     * A server forced DOWN or stopping ({@code set server ... health down|stopping}) is treated as
     * a drained one, as measured on 2.6.12, 3.0.11 and 3.4.7 by the same test; one that goes DOWN
     * by its health checks is treated so too (not measured: the checks' timing is not paced).
     */
    private List<Runnable> ownQueueOfAServerGoingOut(Server server) {
        if (line.compareTo(HaproxyLine.V3_0) >= 0) {
            if (section.redispatch()) {
                return serveOwnQueueAtOnce(server);
            }
            return server.inMaintenance() ? redistribute(server) : List.of();
        }
        return section.redispatch() ? redistribute(server) : List.of();
    }

    /** Every request waiting in {@code server}'s own queue takes the server now (3.0 and later). */
    private List<Runnable> serveOwnQueueAtOnce(Server server) {
        Deque<QueuePlace> own = serverQueues.get(server);
        if (own == null || own.isEmpty()) {
            return List.of();
        }
        List<Runnable> next = new ArrayList<>();
        long now = clockMillis.getAsLong();
        for (QueuePlace waiter : own) {
            leftQueue(waiter);
            take(server, now);
            next.add(() -> waiter.continuation.accept(server));
        }
        server.addQueued(-own.size());
        own.clear();
        return next;
    }

    /**
     * A server that goes out of service gives up the requests waiting in its own queue ({@link
     * #ownQueueOfAServerGoingOut} says when): each, oldest first, is balanced again as a new
     * request would be (a slot on the server the algorithm now picks, or a place at the back of a
     * queue; a full {@code maxqueue} refuses it). Returns the continuations of those that got a
     * server or were refused, to run once the lock is released.
     */
    private List<Runnable> redistribute(Server server) {
        Deque<QueuePlace> own = serverQueues.get(server);
        if (own == null || own.isEmpty()) {
            return List.of();
        }
        List<QueuePlace> moving = new ArrayList<>(own);
        own.clear();
        server.addQueued(-moving.size());
        List<Runnable> next = new ArrayList<>();
        for (QueuePlace waiter : moving) {
            Pick pick = place(waiter.request, waiter.continuation, waiter, null);
            if (!pick.queued()) {
                leftQueue(waiter);
                next.add(() -> waiter.continuation.accept(pick.server()));
            }
        }
        return next;
    }
}
