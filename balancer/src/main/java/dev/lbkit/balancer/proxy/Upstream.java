package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Timeouts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.server.Request;

/**
 * lbkit's connections to the servers. Requests without a body go through event loops on
 * non-blocking connections ({@link AsyncConnection}); requests with a body, and answers too big to
 * relay in one piece, use blocking ones ({@link ServerConnection}). Per server there is a stack of
 * idle keep-alive connections of each kind that requests take from and give back to, the most
 * recently used first (as HAProxy's idle lists do); connections idle for longer than {@link
 * #IDLE_MS} are closed in the background.
 *
 * <p>This replaced an OkHttp client. A general-purpose client does per call what a proxy does not
 * need (URL and address canonicalisation, an interceptor chain, call bookkeeping), and that was
 * about 60% of lbkit's CPU time per request; see docs/benchmarks.md.
 */
public final class Upstream implements AutoCloseable {
    /**
     * Idle connections of each kind kept per server at most, enough for the client concurrency a
     * proxy should serve. Below it, a server keeps only as many as it recently had requests at once
     * (see {@link ServerPool#idleLimit}).
     */
    static final int MAX_IDLE_PER_SERVER = 1024;

    /** How long an idle connection is kept. */
    static final long IDLE_MS = 30_000;

    /**
     * {@code -Dlbkit.upstreamLoops=selectors}: server connections on the frontends' selectors, one
     * thread per exchange; by default on loops with threads of their own, which measured faster on
     * two cores shared with the load generator and the servers (docs/benchmarks.md, last compared
     * in the round of 2026-12-04 04:33-06:11 UTC). Read when the Upstream is made.
     */
    private final boolean onSelectors =
            "selectors".equals(System.getProperty("lbkit.upstreamLoops"));

    private final List<Pools> views = new CopyOnWriteArrayList<>();
    private final int threads;

    /** The frontends' selectors, each also the event loop of the server connections it opens. */
    private final List<UpstreamLoop.SelectorLoop> selectorLoops = new CopyOnWriteArrayList<>();

    /** Every frontend's selectors, in the order they started: selector i pairs with loop i. */
    private final List<ManagedSelector> adoptedSelectors = new CopyOnWriteArrayList<>();

    /** Loops with threads of their own, started when a request comes from elsewhere. */
    private volatile UpstreamLoop.ThreadLoop[] threadLoops;

    private final AtomicInteger nextLoop = new AtomicInteger();
    private final ScheduledExecutorService reaper =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread thread = new Thread(r, "lbkit-upstream-reaper");
                        thread.setDaemon(true);
                        return thread;
                    });

    /**
     * @param threads event-loop threads for the non-blocking connections: the config's {@code
     *     nbthread}, else one per CPU, as in HAProxy (the frontends get as many selectors)
     */
    public Upstream(int threads) {
        this.threads = threads;
        reaper.scheduleWithFixedDelay(this::closeExpired, 5, 5, TimeUnit.SECONDS);
        if (onSelectors) {
            // The selectors' deadline ticks; thread loops tick themselves, so by default the reaper
            // wakes only every 5 s (a 10 ms tick for nothing cost about 1 % of the CPU under load).
            reaper.scheduleAtFixedRate(
                    () -> selectorLoops.forEach(UpstreamLoop.SelectorLoop::tick),
                    UpstreamLoop.TICK_MS,
                    UpstreamLoop.TICK_MS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** The number of event-loop threads, as HAProxy's {@code nbthread}. */
    public int threads() {
        return threads;
    }

    /**
     * A frontend's selectors (started): from now on they also run the server connections of the
     * requests they read.
     */
    void adopt(List<ManagedSelector> selectors) {
        adoptedSelectors.addAll(selectors);
        if (!onSelectors) {
            // Not used as loops: no ticks, no wake-ups for them.
            return;
        }
        for (ManagedSelector selector : selectors) {
            selectorLoops.add(new UpstreamLoop.SelectorLoop(selector));
        }
    }

    /** A frontend's selectors are stopping: their connections go with them. */
    void forget(List<ManagedSelector> selectors) {
        adoptedSelectors.removeAll(selectors);
        selectorLoops.removeIf(loop -> selectors.contains(loop.managed()));
        for (Pools pools : views) {
            for (ServerPool pool : pools.byServer.values()) {
                pool.closeOn(
                        loop ->
                                loop instanceof UpstreamLoop.SelectorLoop s
                                        && selectors.contains(s.managed()));
            }
        }
    }

    /**
     * The loop for a request's server connection: the selector that reads its client connection, so
     * both sides are handled on one thread; by default the loop with a thread of its own paired
     * with that selector (the first frontend's selector i with loop i), so an exchange passes
     * between two threads only, always the same two, and the client connection's state and its
     * server connections' stay in their caches. Cached on the client connection. A request from
     * elsewhere gets the loops in turn.
     */
    UpstreamLoop loopFor(Request request) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        while (endPoint instanceof EndPoint.Wrapper wrapper) {
            endPoint = wrapper.unwrap();
        }
        // Every frontend connection is a ClientEndPoint (Frontend's connector makes them).
        if (!(endPoint instanceof ClientEndPoint client)) {
            return anyThreadLoop();
        }
        UpstreamLoop loop = client.upstreamLoop();
        if (loop == null) {
            loop = onSelectors ? selectorLoop(client.managedSelector()) : pairedLoop(client);
            client.upstreamLoop(loop);
        }
        return loop;
    }

    private UpstreamLoop selectorLoop(ManagedSelector managed) {
        for (UpstreamLoop.SelectorLoop loop : selectorLoops) {
            if (loop.managed() == managed) {
                return loop;
            }
        }
        return anyThreadLoop();
    }

    private UpstreamLoop pairedLoop(ClientEndPoint client) {
        int index = adoptedSelectors.indexOf(client.managedSelector());
        if (index < 0) {
            return anyThreadLoop();
        }
        UpstreamLoop.ThreadLoop[] loops = threadLoops();
        return loops[index % loops.length];
    }

    private UpstreamLoop anyThreadLoop() {
        UpstreamLoop.ThreadLoop[] loops = threadLoops();
        return loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
    }

    /** The loops with threads of their own, started at the first call. */
    private UpstreamLoop.ThreadLoop[] threadLoops() {
        UpstreamLoop.ThreadLoop[] loops = threadLoops;
        if (loops == null) {
            synchronized (this) {
                loops = threadLoops;
                if (loops == null) {
                    loops = new UpstreamLoop.ThreadLoop[threads];
                    for (int i = 0; i < threads; i++) {
                        loops[i] = new UpstreamLoop.ThreadLoop("lbkit-upstream-" + i);
                    }
                    threadLoops = loops;
                }
            }
        }
        return loops;
    }

    /** The pools for one backend's timeouts (0 = none, as in HAProxy). */
    Pools forTimeouts(Timeouts timeouts) {
        Pools pools = new Pools(timeouts.connectMs(), timeouts.serverMs());
        views.add(pools);
        return pools;
    }

    private void closeExpired() {
        long oldest = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(IDLE_MS);
        for (Pools pools : views) {
            for (ServerPool pool : pools.byServer.values()) {
                pool.closeIdleSince(oldest);
                pool.newPeriod();
            }
        }
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        for (Pools pools : views) {
            for (ServerPool pool : pools.byServer.values()) {
                pool.closeAll();
            }
        }
        views.clear();
        for (UpstreamLoop loop : selectorLoops) {
            loop.close();
        }
        selectorLoops.clear();
        UpstreamLoop.ThreadLoop[] loops = threadLoops;
        if (loops != null) {
            for (UpstreamLoop loop : loops) {
                loop.close();
            }
        }
    }

    /** A connection that can wait in a pool. */
    interface Idle extends AutoCloseable {
        long idleSinceNanos();

        @Override
        void close();
    }

    /** One backend's connections: a pool per server, with the backend's timeouts. */
    final class Pools {
        /**
         * Runs {@code task} after {@code ms} on the upstream's own timer thread (the pause before a
         * retry); the task should hand its work back to its loop. Dropped when lbkit stops.
         */
        void later(long ms, Runnable task) {
            try {
                reaper.schedule(task, ms, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // lbkit is stopping: its connections close, and the request with them.
            }
        }

        private final long connectMs;
        private final long serverMs;
        private final Map<Server, ServerPool> byServer = new ConcurrentHashMap<>();

        private Pools(long connectMs, long serverMs) {
            this.connectMs = connectMs;
            this.serverMs = serverMs;
        }

        long serverMs() {
            return serverMs;
        }

        /**
         * An idle blocking connection to {@code server}, or a new one; an IOException means the
         * connect failed.
         */
        ServerConnection acquire(Server server) throws IOException {
            ServerConnection idle = pool(server).blocking.poll();
            if (idle != null) {
                idle.readTimeout(serverMs);
                return idle;
            }
            return connect(server);
        }

        /**
         * Always a new blocking connection (after a pooled one turned out closed by the server).
         */
        ServerConnection connect(Server server) throws IOException {
            ServerConnection fresh = ServerConnection.open(pool(server).address(), connectMs);
            try {
                fresh.readTimeout(serverMs);
            } catch (IOException e) {
                fresh.close();
                throw e;
            }
            return fresh;
        }

        /**
         * Gives a blocking connection back: kept for the next request when {@code reusable}, closed
         * otherwise.
         */
        void release(Server server, ServerConnection connection, boolean reusable) {
            if (reusable && connection.clean()) {
                AsyncConnection origin = connection.origin();
                if (origin != null) {
                    origin.backFromHandOff(pool(server)::offerAsync);
                    return;
                }
                connection.idleNow();
                ServerPool pool = pool(server);
                pool.blocking.offer(connection, pool.idleLimit());
            } else {
                connection.close();
            }
        }

        /** The loop for {@code request}'s server connection (see {@link Upstream#loopFor}). */
        UpstreamLoop loopFor(Request request) {
            return Upstream.this.loopFor(request);
        }

        /**
         * An idle non-blocking connection to {@code server}, claimed, one of {@code loop}'s when
         * there is one; null when there is none at all.
         */
        AsyncConnection takeAsync(Server server, UpstreamLoop loop) {
            ServerPool pool = pool(server);
            AsyncConnection connection = take(pool.async(loop));
            if (connection != null) {
                return connection;
            }
            for (ServerPool.LoopStack other : pool.asyncStacks()) {
                connection = take(other.idle());
                if (connection != null) {
                    return connection;
                }
            }
            return null;
        }

        private static AsyncConnection take(IdleStack<AsyncConnection> idle) {
            AsyncConnection connection;
            while ((connection = idle.poll()) != null) {
                if (connection.take()) {
                    return connection;
                }
            }
            return null;
        }

        /**
         * Starts a new non-blocking connection to {@code server} on {@code loop}; {@code forward}
         * hears when it is ready.
         */
        void connectAsync(Server server, UpstreamLoop loop, AsyncForward forward)
                throws IOException {
            AsyncConnection.connect(loop, pool(server).address(), connectMs, forward);
        }

        /** Gives a non-blocking connection back after its answer was relayed. */
        void releaseAsync(Server server, AsyncConnection connection, boolean reusable) {
            if (reusable && connection.backToIdle()) {
                pool(server).offerAsync(connection);
            } else {
                connection.close();
            }
        }

        /** A non-blocking connection that is already idle again (a streamed answer's) goes back. */
        void idleAgain(Server server, AsyncConnection connection) {
            pool(server).offerAsync(connection);
        }

        /**
         * Closes every idle connection to {@code server}: one was found closed, the others likely
         * are.
         */
        void dropIdle(Server server) {
            pool(server).closeAll();
        }

        /**
         * The pools by {@link Server#index()}, a copy of {@link #byServer} read on the request path
         * without hashing (the map lookups were 1.2 % of lbkit's CPU samples at 64 connections,
         * docs/benchmarks.md). A slot holds the pool of the server last seen at that index; {@link
         * #pool} checks the server is the same one.
         */
        private volatile ServerPool[] byIndex = new ServerPool[0];

        private ServerPool pool(Server server) {
            ServerPool[] pools = byIndex;
            int i = server.index();
            if (i >= 0 && i < pools.length) {
                ServerPool pool = pools[i];
                if (pool != null && pool.server == server) {
                    return pool;
                }
            }
            return poolSlow(server);
        }

        private synchronized ServerPool poolSlow(Server server) {
            ServerPool pool = byServer.computeIfAbsent(server, ServerPool::new);
            int i = server.index();
            if (i >= 0) {
                ServerPool[] pools = byIndex;
                if (i >= pools.length) {
                    pools = java.util.Arrays.copyOf(pools, i + 1);
                } else {
                    pools = pools.clone();
                }
                pools[i] = pool;
                byIndex = pools;
            }
            return pool;
        }
    }

    /** The idle connections to one server, of both kinds. */
    private static final class ServerPool {
        private final Server server;
        final IdleStack<ServerConnection> blocking = new IdleStack<>();

        /**
         * Idle non-blocking connections, per loop (a request takes its own loop's first), at most
         * {@link #MAX_IDLE_PER_SERVER} in all. Searched by identity on the request path (there are
         * as many loops as nbthread, and a scan of two beats a hash lookup); replaced whole, under
         * this pool's lock, when a loop comes or goes.
         */
        private volatile LoopStack[] byLoop = new LoopStack[0];

        private record LoopStack(UpstreamLoop loop, IdleStack<AsyncConnection> idle) {}

        private final AtomicInteger asyncIdle = new AtomicInteger();

        private volatile InetSocketAddress address;

        /**
         * The most requests the server had at once, read whenever a connection to it comes back: in
         * the current period of the reaper (5 s) and in the one before.
         */
        private final AtomicInteger peakNow = new AtomicInteger();

        private volatile int peakBefore;

        ServerPool(Server server) {
            this.server = server;
        }

        /**
         * How many idle connections of each kind the server may keep: as many as it had requests at
         * once lately (this period and the last), at least one, at most {@link
         * #MAX_IDLE_PER_SERVER}. More could never all be reused at once. Without this bound,
         * traffic that opens a connection per request (a client's first request never takes another
         * client's idle connection, as HAProxy's {@code http-reuse safe}) filled the pool to its
         * maximum with connections kept for {@link #IDLE_MS}: 3,072 for three servers, whose
         * buffers filled the heap (docs/benchmarks.md). HAProxy likewise keeps about as many idle
         * connections as it recently used at once.
         */
        int idleLimit() {
            int served = server.served();
            int peak = peakNow.get();
            if (served > peak) {
                // Written only when the peak rises: the request path mostly just reads it.
                peak = peakNow.accumulateAndGet(served, Math::max);
            }
            return Math.max(1, Math.min(MAX_IDLE_PER_SERVER, Math.max(peak, peakBefore)));
        }

        /** A new period of the reaper: idle connections beyond the recent need are closed. */
        void newPeriod() {
            peakBefore = peakNow.getAndSet(server.served());
            int limit = idleLimit();
            blocking.closeBeyond(limit);
            for (LoopStack entry : byLoop) {
                entry.idle.closeBeyond(limit);
            }
        }

        /**
         * The server's address, resolved once it can be (a name that does not resolve yet is tried
         * again next time).
         */
        InetSocketAddress address() {
            InetSocketAddress a = address;
            if (a == null) {
                a = new InetSocketAddress(server.spec().host(), server.spec().port());
                if (!a.isUnresolved()) {
                    address = a;
                }
            }
            return a;
        }

        IdleStack<AsyncConnection> async(UpstreamLoop loop) {
            for (LoopStack entry : byLoop) {
                if (entry.loop == loop) {
                    return entry.idle;
                }
            }
            return asyncSlow(loop);
        }

        private synchronized IdleStack<AsyncConnection> asyncSlow(UpstreamLoop loop) {
            LoopStack[] stacks = byLoop;
            for (LoopStack entry : stacks) {
                if (entry.loop == loop) {
                    return entry.idle;
                }
            }
            LoopStack added = new LoopStack(loop, new IdleStack<>(asyncIdle));
            LoopStack[] grown = java.util.Arrays.copyOf(stacks, stacks.length + 1);
            grown[stacks.length] = added;
            byLoop = grown;
            return added.idle;
        }

        /** Every loop's idle stack, for a request that finds none on its own loop. */
        LoopStack[] asyncStacks() {
            return byLoop;
        }

        void offerAsync(AsyncConnection connection) {
            async(connection.loop()).offer(connection, idleLimit());
        }

        void closeIdleSince(long oldestNanos) {
            blocking.closeIdleSince(oldestNanos);
            for (LoopStack entry : byLoop) {
                entry.idle.closeIdleSince(oldestNanos);
            }
        }

        synchronized void closeOn(java.util.function.Predicate<UpstreamLoop> which) {
            List<LoopStack> kept = new ArrayList<>();
            for (LoopStack entry : byLoop) {
                if (which.test(entry.loop)) {
                    entry.idle.closeAll();
                } else {
                    kept.add(entry);
                }
            }
            byLoop = kept.toArray(LoopStack[]::new);
        }

        void closeAll() {
            blocking.closeAll();
            for (LoopStack entry : byLoop) {
                entry.idle.closeAll();
            }
        }
    }

    /**
     * Idle connections, most recently used on top, at most {@link #MAX_IDLE_PER_SERVER}. A deque
     * under this stack's lock: a request's thread takes from it and the upstream loop gives back,
     * so two threads use it, but one at a time nearly always. A {@code ConcurrentLinkedDeque} in
     * its place allocated a node per give-back and walked past removed nodes to find the top: 1.7 %
     * of the CPU samples at 64 connections with one wrk thread, 1.2 to 1.3 % so
     * (docs/benchmarks.md).
     */
    private static final class IdleStack<C extends Idle> {
        private final ArrayDeque<C> idle = new ArrayDeque<>();

        /** The idle connections counted against the limit: this stack's, or a server's. */
        private final AtomicInteger size;

        IdleStack() {
            this(new AtomicInteger());
        }

        IdleStack(AtomicInteger size) {
            this.size = size;
        }

        C poll() {
            C connection;
            synchronized (this) {
                connection = idle.pollFirst();
            }
            if (connection != null) {
                size.decrementAndGet();
            }
            return connection;
        }

        /** Keeps {@code connection} on top, or closes it when {@code limit} are idle already. */
        void offer(C connection, int limit) {
            if (size.incrementAndGet() > limit) {
                size.decrementAndGet();
                connection.close();
                return;
            }
            synchronized (this) {
                idle.offerFirst(connection);
            }
        }

        private synchronized C pollOldest() {
            return idle.pollLast();
        }

        /**
         * Closes the oldest connections while more than {@code limit} are idle (counted with the
         * stacks that share this one's count).
         */
        void closeBeyond(int limit) {
            C last;
            while (size.get() > limit && (last = pollOldest()) != null) {
                size.decrementAndGet();
                last.close();
            }
        }

        /** Closes connections idle since before {@code oldestNanos}; they sit at the bottom. */
        void closeIdleSince(long oldestNanos) {
            while (true) {
                C last;
                synchronized (this) {
                    last = idle.peekLast();
                    if (last == null || last.idleSinceNanos() - oldestNanos >= 0) {
                        return;
                    }
                    idle.pollLast();
                }
                size.decrementAndGet();
                last.close();
            }
        }

        void closeAll() {
            C connection;
            while ((connection = poll()) != null) {
                connection.close();
            }
        }
    }
}
