package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.config.Timeouts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
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
 * views of it with their own timeouts; views share the pool.
 */
public final class Upstream implements AutoCloseable {
    /** Where OkHttp's transparent-gzip answer header is parked so OkHttp does not unzip it. */
    static final String PARKED_CONTENT_ENCODING = "X-Lbkit-Parked-Content-Encoding";

    private final OkHttpClient base;

    public Upstream() {
        base = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(64, 30, TimeUnit.SECONDS))
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .followSslRedirects(false)
                .protocols(java.util.List.of(Protocol.HTTP_1_1))
                .proxy(Proxy.NO_PROXY)
                .eventListenerFactory(Upstream::traceOf)
                .addNetworkInterceptor(Upstream::undoOkHttpAdditions)
                .build();
    }

    /** A client for one backend's timeouts (0 = none, as in HAProxy), sharing this pool. */
    OkHttpClient forTimeouts(Timeouts timeouts) {
        return base.newBuilder()
                .connectTimeout(Duration.ofMillis(timeouts.connectMs()))
                .readTimeout(Duration.ofMillis(timeouts.serverMs()))
                .writeTimeout(Duration.ofMillis(timeouts.serverMs()))
                .build();
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
        base.connectionPool().evictAll();
        base.dispatcher().executorService().shutdown();
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
