package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.Bind;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.log.AccessLog;
import io.javalin.Javalin;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One frontend (or listen) section at run time: a Javalin server per {@code bind}, each bound
 * exactly to the bind's address and port, all feeding the same backend.
 */
public final class Frontend implements AutoCloseable {
    /** The largest request line plus headers HAProxy 2.6 accepts with its default buffers. */
    static final int HAPROXY_MAX_REQUEST_HEAD = 16384 - 1024;

    private final ProxySection section;
    private final FrontendStats stats = new FrontendStats();
    private final List<Javalin> servers = new ArrayList<>();
    private final List<ServerConnector> connectors = new ArrayList<>();
    private Upstream upstream;

    /** The access log, or null when this frontend logs nothing. */
    private final AccessLog accessLog;

    private Frontend(ProxySection section) {
        this.section = section;
        this.accessLog = AccessLog.open(section.name(), section.log());
    }

    /**
     * Starts listening on every bind of {@code section}; {@code backend} may be null when the
     * section has no default backend (requests then get HAProxy's 503).
     */
    public static Frontend start(ProxySection section, Backend backend, Upstream upstream) {
        return start(
                section,
                Routes.to(backend),
                upstream,
                OwnPages.NONE,
                HaproxyLine.DEFAULT,
                listenBacklog(0));
    }

    /**
     * The length of each bind's queue of connections not yet accepted, as HAProxy 2.6 sets it when
     * neither the bind nor the frontend says otherwise: the process's {@code maxconn} (HAProxy's
     * frontends take it as theirs), else as many as the kernel allows ({@code net.core.somaxconn}
     * caps the value). Without it the JDK asks for 50, and 1024 clients connecting at once lost
     * SYNs and waited 1 to 3 s for their retransmissions (docs/benchmarks.md, 2026-12-05). Measured
     * on HAProxy 2.6.12 with {@code ss -ltn}; {@code ListenBacklogParityTest} compares.
     *
     * @param globalMaxconn the global section's {@code maxconn}, 0 when not set
     */
    public static int listenBacklog(int globalMaxconn) {
        return globalMaxconn > 0 ? globalMaxconn : 65535;
    }

    /**
     * Starts listening on every bind of {@code section}, sending each request where {@code routes}
     * say, and answering {@code pages} itself.
     */
    public static Frontend start(
            ProxySection section,
            Routes routes,
            Upstream upstream,
            OwnPages pages,
            HaproxyLine line,
            int backlog) {
        Frontend frontend = new Frontend(section);
        Timeouts timeouts = new Timeouts(section);
        frontend.upstream = upstream;
        try {
            for (Bind bind : section.binds()) {
                frontend.servers.add(
                        startOne(
                                section,
                                bind,
                                routes,
                                upstream,
                                frontend.stats,
                                timeouts,
                                pages,
                                frontend.accessLog,
                                frontend.connectors,
                                line,
                                backlog));
            }
            // With -Dlbkit.upstreamLoops=selectors, each selector also runs the server
            // connections of the requests it reads.
            upstream.adopt(frontend.selectors());
        } catch (RuntimeException e) {
            frontend.close();
            throw e;
        }
        return frontend;
    }

    private static Javalin startOne(
            ProxySection section,
            Bind bind,
            Routes routes,
            Upstream upstream,
            FrontendStats stats,
            Timeouts timeouts,
            OwnPages pages,
            AccessLog accessLog,
            List<ServerConnector> connectors,
            HaproxyLine line,
            int backlog) {
        ProxyHandler handler = new ProxyHandler(section, routes, upstream, stats, accessLog);
        // As many selectors (event loops for the client connections) as HAProxy's nbthread, and
        // as many upstream loops. One of each measured 0.75x HAProxy's requests/s at 64
        // connections on two cores, two of each 0.93x (docs/benchmarks.md).
        int selectors = upstream.threads();
        Javalin app =
                Javalin.create(
                        cfg -> {
                            cfg.startup.showJavalinBanner = false;
                            cfg.startup.startupWatcherEnabled = false;
                            pages.addRoutes(cfg);
                            cfg.jetty.threadPool = threadPool(section.name(), selectors);
                            cfg.jetty.modifyHttpConfiguration(
                                    http -> {
                                        // Odd but legal targets ("//a", "/a/../b", "%2F") reach the
                                        // balancer untouched.
                                        http.setUriCompliance(UriCompliance.UNSAFE);
                                        // An absolute-form target wins over Host (RFC 9112 §3.2.2),
                                        // as in HAProxy: no 400. A folded
                                        // header line (obs-fold) is unfolded and forwarded, as
                                        // HAProxy does, not refused. Repeated Content-Length
                                        // headers of one value are taken as one, as HAProxy does
                                        // (the proxy writes its own Content-Length); of two
                                        // values, Jetty refuses them (HaproxyErrorHandler).
                                        http.setHttpCompliance(
                                                HttpCompliance.RFC9110.with(
                                                        "LBKIT",
                                                        HttpCompliance.Violation
                                                                .MISMATCHED_AUTHORITY,
                                                        HttpCompliance.Violation
                                                                .MULTILINE_FIELD_VALUE,
                                                        HttpCompliance.Violation
                                                                .MULTIPLE_CONTENT_LENGTHS));
                                        http.setSendServerVersion(false);
                                        http.setSendDateHeader(false);
                                        http.setSendXPoweredBy(false);
                                        http.setRelativeRedirectAllowed(true);
                                        // HAProxy's default buffer (bufsize 16384 less maxrewrite
                                        // 1024) bounds the request head;
                                        // Jetty's default (8 KiB) would refuse heads HAProxy
                                        // forwards.
                                        http.setRequestHeaderSize(HAPROXY_MAX_REQUEST_HEAD);
                                        // No per-connection header cache: Jetty builds a trie of
                                        // about 20 KB for each client connection to reuse header
                                        // objects, which at 256 connections was 60 % of the heap
                                        // and cost more lookups than it saved (docs/benchmarks.md).
                                        http.setHeaderCacheSize(0);
                                    });
                            cfg.jetty.addConnector(
                                    (server, http) -> {
                                        RawTargetConnectionFactory httpFactory =
                                                new RawTargetConnectionFactory(http);
                                        // accept-proxy: each connection opens with a PROXY protocol
                                        // header (v1 text or v2
                                        // binary); Jetty reads it first, and the address it carries
                                        // becomes the client's.
                                        // A connection without a valid header is closed unanswered,
                                        // as HAProxy does.
                                        ServerConnector connector =
                                                bind.acceptProxy()
                                                        ? new LazyReadConnector(
                                                                server,
                                                                selectors,
                                                                new StrictProxyConnectionFactory(
                                                                        httpFactory.getProtocol()),
                                                                httpFactory)
                                                        : new LazyReadConnector(
                                                                server, selectors, httpFactory);
                                        connector.setHost(
                                                bind.host().isEmpty() ? null : bind.host());
                                        connector.setPort(bind.port());
                                        connector.setAcceptQueueSize(backlog);
                                        connector.setIdleTimeout(
                                                timeouts.clientMs > 0 ? timeouts.clientMs : 0);
                                        connectors.add(connector);
                                        if (accessLog != null && !accessLog.logsRequests()) {
                                            connector.addEventListener(
                                                    RequestLog.connectionLines(
                                                            accessLog, section.name()));
                                        }
                                        return connector;
                                    });
                            // The proxy sits in front of Javalin's servlet: every request, whatever
                            // its method or
                            // target, is handled by the core handler; only the pages the frontend
                            // serves itself
                            // (statistics, Prometheus) reach Javalin's routes.
                            cfg.jetty.modifyServer(
                                    server -> {
                                        server.insertHandler(
                                                new InsertedHandler(handler, pages, stats));
                                        // Requests Jetty refuses itself get HAProxy's status (400),
                                        // not Jetty's 414/431/505.
                                        server.setErrorHandler(new HaproxyErrorHandler(line));
                                    });
                        });
        try {
            app.start();
        } catch (RuntimeException e) {
            app.stop();
            throw new IllegalStateException(
                    "cannot listen on "
                            + bind.host()
                            + ":"
                            + bind.port()
                            + " (bind of '"
                            + section.name()
                            + "' at "
                            + bind.where()
                            + "): "
                            + rootMessage(e)
                            + ". Free the port or change the bind line.",
                    e);
        }
        return app;
    }

    /**
     * Jetty's tasks that set up a newly accepted connection (its end point and HTTP connection,
     * then the wait for its first request) and that see a closed one out (its listeners, the
     * selector's count). Neither blocks, so they run where Jetty starts them, on the selector or on
     * the thread that closed the connection. Handed to the pool, every connection of a burst (64
     * clients connecting at once) started a thread of its own, 52 of them at 64 connections, each
     * kept for a minute; and with a new connection per request each connection cost two thread
     * wake-ups.
     */
    private static final Set<Class<?>> INLINE =
            Set.of(
                    jettyClass("org.eclipse.jetty.io.ManagedSelector$Accept"),
                    jettyClass("org.eclipse.jetty.io.ManagedSelector$DestroyEndPoint"));

    private static Class<?> jettyClass(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    "Jetty without " + name + ": lbkit expects Jetty 12.1 (see pom.xml)", e);
        }
    }

    /**
     * Jetty's thread pool, with shortcuts for work that does not block. When an answer relayed on
     * an upstream event loop completes a request, Jetty hands the client connection to a pool
     * thread to look for the next request; on the loop that look runs at once instead (it reads
     * without blocking, and the proxy's handler does not block), which spares a thread wake-up per
     * request. The {@link #INLINE} tasks run at once too. Virtual threads when the JVM has them
     * (Java 21+), a bounded platform pool otherwise. {@code selectors}: the connector's.
     */
    private static QueuedThreadPool threadPool(String name, int selectors) {
        // Each selector holds a pool thread for good; a high nbthread must leave the pool as many
        // threads as ever for the rest.
        QueuedThreadPool pool =
                new QueuedThreadPool(Math.max(200, selectors + 100), 4, 60_000) {
                    /** As Jetty's own, but a {@link LoopThread}, with buffers of its own. */
                    @Override
                    public Thread newThread(Runnable runnable) {
                        LoopThread thread = new LoopThread(runnable);
                        thread.setDaemon(isDaemon());
                        thread.setPriority(getThreadsPriority());
                        thread.setName(getName() + "-" + thread.getId());
                        thread.setContextClassLoader(getClass().getClassLoader());
                        return thread;
                    }

                    @Override
                    public void execute(Runnable job) {
                        if (job instanceof HttpConnection connection && UpstreamLoop.inAnyLoop()) {
                            lookForNextRequest(connection);
                        } else if (INLINE.contains(job.getClass())) {
                            job.run();
                        } else {
                            super.execute(job);
                        }
                    }
                };
        pool.setName("lbkit-" + name);
        Executor virtual = virtualThreadExecutor();
        if (virtual != null) {
            pool.setVirtualThreadsExecutor(virtual);
        }
        return pool;
    }

    /**
     * A request on {@code connection} just ended on an upstream loop. With nothing of the client's
     * left unread, the connection waits for the selector to say the next request is there, as
     * HAProxy does; reading at once would mostly find nothing, and Jetty tries twice before it
     * waits (two wasted system calls per request at 64 connections, docs/benchmarks.md). A
     * connection whose last answer closes it is closed as Jetty would, without its exception.
     * Anything else (a pipelined request already read) goes through Jetty's own loop.
     */
    private static void lookForNextRequest(HttpConnection connection) {
        if (connection.isRequestBufferEmpty()
                && connection.getParser().isStart()
                && !connection.isFillInterested()
                && connection.getEndPoint().isOpen()) {
            // Jetty's own callback for this is private; this one does the same: parse on the
            // selector when the handlers do not block (the proxy's do not), else on a pool thread.
            connection.fillInterested(
                    Callback.from(
                            connection.getServer().getInvocationType(),
                            connection::onFillable,
                            connection::onFillInterestedFailed));
        } else if (connection.isRequestBufferEmpty()
                && connection.getParser().isTerminated()
                && !connection.isFillInterested()) {
            closeAfterLastAnswer(connection.getEndPoint());
        } else {
            connection.run();
        }
    }

    /** Room for what a client sent after the answer that closes its connection, per thread. */
    private static final ThreadLocal<ByteBuffer> LEFTOVER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(16 * 1024));

    /**
     * The answer closed the connection (its parser is done for good): what Jetty's {@code
     * onFillable} then does, one read and a close, without the exception it gets there by (one per
     * connection, 3.8 % of lbkit's CPU with a new connection per request, docs/benchmarks.md). The
     * read takes what the client may have sent meanwhile: closing a socket with unread bytes resets
     * the connection, which can destroy the answer still on its way to the client.
     */
    private static void closeAfterLastAnswer(EndPoint endPoint) {
        ByteBuffer leftover = LEFTOVER.get();
        BufferUtil.clear(leftover);
        try {
            endPoint.fill(leftover);
        } catch (IOException e) {
            // closing anyway
        }
        endPoint.close();
    }

    private static Executor virtualThreadExecutor() {
        try {
            Method factory =
                    java.util.concurrent.Executors.class.getMethod(
                            "newVirtualThreadPerTaskExecutor");
            return (Executor) factory.invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    public ProxySection section() {
        return section;
    }

    public FrontendStats stats() {
        return stats;
    }

    /** The ports actually bound, in bind order (useful with port 0). */
    public List<Integer> ports() {
        return servers.stream().map(Javalin::port).toList();
    }

    /** The client connections open now, on every bind (for tests). */
    List<EndPoint> clientEndPoints() {
        List<EndPoint> endPoints = new ArrayList<>();
        for (ServerConnector connector : connectors) {
            endPoints.addAll(connector.getConnectedEndPoints());
        }
        return endPoints;
    }

    private List<ManagedSelector> selectors() {
        List<ManagedSelector> selectors = new ArrayList<>();
        for (ServerConnector connector : connectors) {
            selectors.addAll(connector.getSelectorManager().getBeans(ManagedSelector.class));
        }
        return selectors;
    }

    @Override
    public void close() {
        if (upstream != null) {
            upstream.forget(selectors());
        }
        for (Javalin app : servers) {
            try {
                app.stop();
            } catch (RuntimeException e) {
                // keep stopping the others
            }
        }
        servers.clear();
        if (accessLog != null) {
            accessLog.close();
        }
    }

    /** Jetty's connector, its client connections' keys wrapped in {@link LazyReadKey}s. */
    private static final class LazyReadConnector extends ServerConnector {
        LazyReadConnector(
                org.eclipse.jetty.server.Server server,
                int selectors,
                org.eclipse.jetty.server.ConnectionFactory... factories) {
            super(server, null, null, new LeanBufferPool(), -1, selectors, factories);
        }

        @Override
        protected SocketChannelEndPoint newEndPoint(
                SocketChannel channel, ManagedSelector selector, SelectionKey key) {
            ClientEndPoint endPoint =
                    new ClientEndPoint(
                            channel, selector, new LazyReadKey(key), getScheduler(), getExecutor());
            endPoint.setIdleTimeout(getIdleTimeout());
            return endPoint;
        }
    }

    /** The client-side timeout of this frontend (each backend's own apply on the server side). */
    private static final class Timeouts {
        final long clientMs;

        Timeouts(ProxySection section) {
            this.clientMs = section.timeouts().clientMs();
        }
    }
}
