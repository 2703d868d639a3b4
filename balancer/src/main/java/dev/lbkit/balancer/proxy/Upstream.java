package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Timeouts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
     * Idle connections of each kind kept per server, enough for the client concurrency a proxy
     * should serve.
     */
    static final int MAX_IDLE_PER_SERVER = 1024;

    /** How long an idle connection is kept. */
    static final long IDLE_MS = 30_000;

    private final List<Pools> views = new CopyOnWriteArrayList<>();
    private final UpstreamLoop[] loops;
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
        loops = new UpstreamLoop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new UpstreamLoop("lbkit-upstream-" + i);
        }
        reaper.scheduleWithFixedDelay(this::closeExpired, 5, 5, TimeUnit.SECONDS);
    }

    /** The number of event-loop threads, as HAProxy's {@code nbthread}. */
    public int threads() {
        return loops.length;
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
                pool.blocking.closeIdleSince(oldest);
                pool.async.closeIdleSince(oldest);
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
        for (UpstreamLoop loop : loops) {
            loop.close();
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
                    origin.backFromHandOff(pool(server).async::offer);
                    return;
                }
                connection.idleNow();
                pool(server).blocking.offer(connection);
            } else {
                connection.close();
            }
        }

        /** An idle non-blocking connection to {@code server}, claimed; null when there is none. */
        AsyncConnection takeAsync(Server server) {
            IdleStack<AsyncConnection> idle = pool(server).async;
            AsyncConnection connection;
            while ((connection = idle.poll()) != null) {
                if (connection.take()) {
                    return connection;
                }
            }
            return null;
        }

        /**
         * Starts a new non-blocking connection to {@code server}; {@code forward} hears when it is
         * ready.
         */
        void connectAsync(Server server, AsyncForward forward) throws IOException {
            UpstreamLoop loop = loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
            AsyncConnection.connect(loop, pool(server).address(), connectMs, forward);
        }

        /** Gives a non-blocking connection back after its answer was relayed. */
        void releaseAsync(Server server, AsyncConnection connection, boolean reusable) {
            if (reusable && connection.backToIdle()) {
                pool(server).async.offer(connection);
            } else {
                connection.close();
            }
        }

        /**
         * Closes every idle connection to {@code server}: one was found closed, the others likely
         * are.
         */
        void dropIdle(Server server) {
            pool(server).closeAll();
        }

        private ServerPool pool(Server server) {
            ServerPool pool = byServer.get(server);
            return pool != null ? pool : byServer.computeIfAbsent(server, ServerPool::new);
        }
    }

    /** The idle connections to one server, of both kinds. */
    private static final class ServerPool {
        private final Server server;
        final IdleStack<ServerConnection> blocking = new IdleStack<>();
        final IdleStack<AsyncConnection> async = new IdleStack<>();
        private volatile InetSocketAddress address;

        ServerPool(Server server) {
            this.server = server;
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

        void closeAll() {
            blocking.closeAll();
            async.closeAll();
        }
    }

    /** Idle connections, most recently used on top, at most {@link #MAX_IDLE_PER_SERVER}. */
    private static final class IdleStack<C extends Idle> {
        private final ConcurrentLinkedDeque<C> idle = new ConcurrentLinkedDeque<>();
        private final AtomicInteger size = new AtomicInteger();

        C poll() {
            C connection = idle.pollFirst();
            if (connection != null) {
                size.decrementAndGet();
            }
            return connection;
        }

        void offer(C connection) {
            if (size.incrementAndGet() > MAX_IDLE_PER_SERVER) {
                size.decrementAndGet();
                connection.close();
                return;
            }
            idle.offerFirst(connection);
        }

        /** Closes connections idle since before {@code oldestNanos}; they sit at the bottom. */
        void closeIdleSince(long oldestNanos) {
            C last;
            while ((last = idle.peekLast()) != null && last.idleSinceNanos() - oldestNanos < 0) {
                if (idle.removeLastOccurrence(last)) {
                    size.decrementAndGet();
                    last.close();
                }
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
