package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Timeouts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The one OkHttp client every backend forwards through: one connection pool, no OkHttp retries,
 * no redirects followed, and none of OkHttp's own header additions (User-Agent, transparent gzip),
 * so the server sees the client's request and the client sees the server's answer. Backends get
 * views of it with their own timeouts, and each server of a view gets its own connection pool.
 */
public final class Upstream implements AutoCloseable {
    /** Where OkHttp's transparent-gzip answer header is parked so OkHttp does not unzip it. */
    static final String PARKED_CONTENT_ENCODING = "X-Lbkit-Parked-Content-Encoding";

    /**
     * Idle connections kept per server. At least the client concurrency a proxy should serve
     * without reconnecting: a smaller pool closes connections after every burst and each
     * request then pays a TCP connect to the server.
     */
    static final int MAX_IDLE_PER_SERVER = 1024;

    private final OkHttpClient base;
    private final List<OkHttpClient> perServer = new CopyOnWriteArrayList<>();

    public Upstream() {
        base = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .followSslRedirects(false)
                .protocols(List.of(Protocol.HTTP_1_1))
                .proxy(Proxy.NO_PROXY)
                .eventListenerFactory(Upstream::traceOf)
                .addNetworkInterceptor(Upstream::undoOkHttpAdditions)
                .build();
    }

    /** The clients for one backend's timeouts (0 = none, as in HAProxy): one per server. */
    Clients forTimeouts(Timeouts timeouts) {
        OkHttpClient timed = base.newBuilder()
                .connectTimeout(Duration.ofMillis(timeouts.connectMs()))
                .readTimeout(Duration.ofMillis(timeouts.serverMs()))
                .writeTimeout(Duration.ofMillis(timeouts.serverMs()))
                .build();
        return new Clients(timed);
    }

    /**
     * OkHttp clients for one backend: several per server, each with its own pool and dispatcher,
     * and a request thread always uses the same one. OkHttp finds a pooled connection by walking
     * its whole pool and locking every connection on the way, and every call enters the
     * dispatcher's lock; with one pool for everything, concurrent requests queue on those locks
     * (a profile at 64 connections showed most request threads waiting there). Small pools keep
     * each walk short and the locks shared by few threads.
     */
    final class Clients {
        /** Pools per server; a power of two. */
        static final int SHARDS = 16;

        private final OkHttpClient timed;
        private final Map<Server, OkHttpClient[]> byServer = new ConcurrentHashMap<>();

        private Clients(OkHttpClient timed) {
            this.timed = timed;
        }

        OkHttpClient of(Server server) {
            OkHttpClient[] shards = byServer.get(server);
            if (shards == null) {
                shards = byServer.computeIfAbsent(server, s -> newShards());
            }
            return shards[(int) Thread.currentThread().getId() & (SHARDS - 1)];
        }

        private OkHttpClient[] newShards() {
            OkHttpClient[] shards = new OkHttpClient[SHARDS];
            for (int i = 0; i < SHARDS; i++) {
                shards[i] = timed.newBuilder()
                        .connectionPool(new ConnectionPool(MAX_IDLE_PER_SERVER / SHARDS, 30, TimeUnit.SECONDS))
                        .dispatcher(new Dispatcher())
                        .build();
                perServer.add(shards[i]);
            }
            return shards;
        }
    }

    private static EventListener traceOf(Call call) {
        CallTrace trace = call.request().tag(CallTrace.class);
        return trace != null ? trace : EventListener.NONE;
    }

    /**
     * OkHttp's bridge adds User-Agent and Accept-Encoding when the request lacks them and then
     * unzips the answer itself; a proxy must do neither, so this puts the request back as the
     * client sent it and hides a gzip answer from the bridge.
     */
    private static Response undoOkHttpAdditions(Interceptor.Chain chain) throws IOException {
        Request request = chain.request();
        CallTrace trace = request.tag(CallTrace.class);
        if (trace == null) {
            return chain.proceed(request);
        }
        Request.Builder restored = request.newBuilder();
        if (!trace.clientSentUserAgent) {
            restored.removeHeader("User-Agent");
        }
        if (!trace.clientSentAcceptEncoding) {
            restored.removeHeader("Accept-Encoding");
        }
        Response response = chain.proceed(restored.build());
        String encoding = response.header("Content-Encoding");
        if (!trace.clientSentAcceptEncoding && encoding != null) {
            return response.newBuilder()
                    .removeHeader("Content-Encoding")
                    .header(PARKED_CONTENT_ENCODING, encoding)
                    .build();
        }
        return response;
    }

    @Override
    public void close() {
        for (OkHttpClient client : perServer) {
            client.connectionPool().evictAll();
        }
        perServer.clear();
        base.connectionPool().evictAll();
    }

    /**
     * What happened to one call: whether a connection to the server was obtained (a failure
     * before that is a connect failure, which HAProxy retries) and whether it was a pooled one.
     */
    static final class CallTrace extends EventListener {
        final boolean clientSentUserAgent;
        final boolean clientSentAcceptEncoding;
        volatile boolean connected;
        volatile boolean freshConnection;

        CallTrace(boolean clientSentUserAgent, boolean clientSentAcceptEncoding) {
            this.clientSentUserAgent = clientSentUserAgent;
            this.clientSentAcceptEncoding = clientSentAcceptEncoding;
        }

        @Override
        public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
            freshConnection = true;
        }

        @Override
        public void connectionAcquired(Call call, Connection connection) {
            connected = true;
        }
    }
}
