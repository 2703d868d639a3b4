package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ProxySection;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards every request of one frontend to its backend: balances it on its own (also on
 * keep-alive connections), streams both bodies, retries connect failures as HAProxy's
 * {@code retries} and {@code option redispatch} do, and always answers, with an HAProxy-like
 * error page when it cannot forward.
 */
final class ProxyHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);
    private static final int BUFFER = 16 * 1024;

    private final Backend backend;
    private final Upstream.Clients clients;
    private final boolean forwardFor;
    private final FrontendStats stats;

    /**
     * @param frontend the frontend (or listen) section whose binds lead here
     * @param backend its default backend, or null when it has none (every request then gets a 503)
     */
    ProxyHandler(ProxySection frontend, Backend backend, Upstream.Clients clients, FrontendStats stats) {
        super(InvocationType.BLOCKING);
        this.backend = backend;
        this.clients = clients;
        this.forwardFor = frontend.forwardFor() || (backend != null && backend.section().forwardFor());
        this.stats = stats;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        stats.requestStarted();
        try {
            Optional<ErrorPage> refusal = RequestRules.refusal(RawTargetConnectionFactory.rawTarget(request),
                    request.getHeaders());
            if (refusal.isPresent()) {
                sendError(response, refusal.get());
            } else if (backend == null) {
                sendError(response, ErrorPage.NO_SERVER);
            } else {
                forward(request, response);
            }
            callback.succeeded();
        } catch (Throwable failure) {
            LOG.debug("request failed after its answer had started", failure);
            callback.failed(failure);
        } finally {
            stats.requestEnded();
        }
        return true;
    }

    private void forward(Request request, Response response) throws IOException {
        RequestInfo info = requestInfo(request);
        Server server = backend.pickAndTake(info, null);
        if (server == null) {
            sendError(response, ErrorPage.NO_SERVER);
            return;
        }
        Slot slot = new Slot(backend, server);
        try {
            okhttp3.Response answer = exchangeWithRetries(request, info, slot);
            if (answer == null) {
                sendError(response, ErrorPage.NO_SERVER);
                return;
            }
            relay(answer, response, slot);
        } catch (UpstreamFailure failure) {
            if (response.isCommitted()) {
                throw failure;
            }
            sendError(response, failure.page);
        } finally {
            slot.release();
        }
    }

    /**
     * Sends the request, retrying connect failures: {@code retries} more times on the same server,
     * the last of them on another server when {@code option redispatch} is set. Returns null when
     * every attempt failed to connect (HAProxy answers 503 then).
     */
    private okhttp3.Response exchangeWithRetries(Request request, RequestInfo info, Slot slot) throws IOException {
        int retriesLeft = Math.max(0, backend.section().retries());
        boolean staleRetryUsed = false;
        while (true) {
            Upstream.CallTrace trace = new Upstream.CallTrace(
                    request.getHeaders().contains(HttpHeader.USER_AGENT),
                    request.getHeaders().contains(HttpHeader.ACCEPT_ENCODING));
            ClientBody body = ClientBody.of(request);
            Call call = clients.of(slot.server).newCall(buildUpstreamRequest(request, slot.server, body, trace));
            try {
                return call.execute();
            } catch (IOException e) {
                if (body != null && body.clientFailure != null) {
                    // The client stopped sending its body: too slowly for timeout client (HAProxy's 408),
                    // or it went away. Either way the answer is the client's fault, never a 500.
                    throw new UpstreamFailure(causedByTimeout(body.clientFailure)
                            ? ErrorPage.REQUEST_TIMEOUT : ErrorPage.BAD_REQUEST, body.clientFailure);
                }
                if (trace.connected) {
                    boolean nothingSent = body == null || !body.started;
                    if (!trace.freshConnection && nothingSent && !staleRetryUsed && !(e instanceof InterruptedIOException)) {
                        // A pooled connection the server had already closed: like HAProxy, try once more
                        // on a new connection; the server never saw this request.
                        staleRetryUsed = true;
                        continue;
                    }
                    throw new UpstreamFailure(e instanceof InterruptedIOException
                            ? ErrorPage.GATEWAY_TIMEOUT : ErrorPage.BAD_GATEWAY, e);
                }
                if (retriesLeft == 0) {
                    LOG.debug("connect to {} failed, no retries left", slot.server, e);
                    return null;
                }
                retriesLeft--;
                if (retriesLeft == 0 && backend.section().redispatch()) {
                    if (!slot.redispatch(info)) {
                        return null;
                    }
                }
            }
        }
    }

    private okhttp3.Request buildUpstreamRequest(Request request, Server server, ClientBody body, Upstream.CallTrace trace) {
        HttpFields fields = request.getHeaders();
        HopByHop hop = HopByHop.of(fields.getValuesList(HttpHeader.CONNECTION));
        Headers.Builder headers = new Headers.Builder();
        for (HttpField field : fields) {
            String name = field.getName();
            if (hop.drops(name) || name.equalsIgnoreCase("Content-Length")) {
                continue;
            }
            headers.addUnsafeNonAscii(name, field.getValue() == null ? "" : field.getValue());
        }
        if (forwardFor) {
            headers.add("X-Forwarded-For", clientAddress(request).getHostAddress());
        }
        String method = request.getMethod();
        RequestBody requestBody = body;
        if (requestBody == null && requiresBody(method)) {
            requestBody = RequestBody.create(new byte[0], null);
        }
        if (method.equals("GET") || method.equals("HEAD")) {
            requestBody = null;
        }
        return new okhttp3.Request.Builder()
                .url(upstreamUrl(server, RawTargetConnectionFactory.rawTarget(request)))
                .headers(headers.build())
                .method(method, requestBody)
                .tag(Upstream.CallTrace.class, trace)
                .build();
    }

    /** OkHttp refuses these methods without a body, so an empty one stands in. */
    private static boolean requiresBody(String method) {
        return switch (method) {
            case "POST", "PUT", "PATCH", "PROPPATCH", "REPORT" -> true;
            default -> false;
        };
    }

    /** The server's URL with the client's path and query, both still percent-encoded as received. */
    private static HttpUrl upstreamUrl(Server server, String rawTarget) {
        String pathAndQuery = rawTarget;
        if (!pathAndQuery.startsWith("/")) {
            // absolute-form: the server gets origin-form, as from any HTTP/1.1 proxy
            int schemeEnd = pathAndQuery.indexOf("://");
            int pathStart = schemeEnd < 0 ? -1 : pathAndQuery.indexOf('/', schemeEnd + 3);
            int queryStart = schemeEnd < 0 ? -1 : pathAndQuery.indexOf('?', schemeEnd + 3);
            if (pathStart < 0 || (queryStart >= 0 && queryStart < pathStart)) {
                pathAndQuery = "/" + (queryStart >= 0 ? pathAndQuery.substring(queryStart) : "");
            } else {
                pathAndQuery = pathAndQuery.substring(pathStart);
            }
        }
        HttpUrl url = HttpUrl.parse("http://" + hostForUrl(server.spec().host()) + ":" + server.spec().port() + pathAndQuery);
        if (url == null) {
            throw new IllegalArgumentException("cannot forward request-target " + rawTarget);
        }
        return url;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Copies the server's answer to the client, streaming the body, and gives the slot back at its end. */
    private void relay(okhttp3.Response answer, Response response, Slot slot) throws IOException {
        try (answer) {
            response.setStatus(answer.code());
            Headers headers = answer.headers();
            HopByHop hop = HopByHop.of(headers.values("Connection"));
            HttpFields.Mutable out = response.getHeaders();
            for (int i = 0; i < headers.size(); i++) {
                String name = headers.name(i);
                if (hop.drops(name)) {
                    continue;
                }
                if (name.equalsIgnoreCase(Upstream.PARKED_CONTENT_ENCODING)) {
                    name = "Content-Encoding";
                }
                out.add(name, headers.value(i));
            }
            ResponseBody body = answer.body();
            long expected = body.contentLength();
            long copied = 0;
            OutputStream sink = Content.Sink.asOutputStream(response);
            try (InputStream in = body.byteStream()) {
                byte[] buffer = new byte[BUFFER];
                while (true) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException e) {
                        throw new UpstreamFailure(e instanceof InterruptedIOException
                                ? ErrorPage.GATEWAY_TIMEOUT : ErrorPage.BAD_GATEWAY, e);
                    }
                    if (n < 0) {
                        break;
                    }
                    copied += n;
                    if (expected >= 0 && copied >= expected) {
                        // The last bytes: the request is over for the balancer before the client
                        // can see its end and send the next one, as in HAProxy's event loop.
                        slot.release();
                    }
                    sink.write(buffer, 0, n);
                }
            }
            slot.release();
            sink.close();
        }
    }

    private static void sendError(Response response, ErrorPage page) throws IOException {
        byte[] body = page.body();
        response.setStatus(page.status());
        HttpFields.Mutable headers = response.getHeaders();
        headers.clear();
        headers.put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
        headers.put(HttpHeader.CONTENT_TYPE, "text/html");
        if (page.status() / 100 == 4) {
            // The client sent something wrong (or too slowly): like HAProxy, do not read on after it.
            headers.put(HttpHeader.CONNECTION, "close");
        }
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            out.write(body);
        }
    }

    /**
     * What the algorithm sees: the target and headers as HAProxy stores them, which for an
     * absolute-form target with a default port ({@code http://h:80/a}) is without that port.
     */
    private static RequestInfo requestInfo(Request request) {
        HttpFields fields = request.getHeaders();
        DefaultPortRemoval.Result stored = DefaultPortRemoval.apply(RawTargetConnectionFactory.rawTarget(request));
        if (!stored.changed()) {
            return new RequestInfo(balancingAddress(request), stored.target(), fields::get);
        }
        return new RequestInfo(balancingAddress(request), stored.target(),
                name -> name.equalsIgnoreCase("host") && fields.get(name) != null ? stored.host() : fields.get(name));
    }

    /**
     * The client address as HAProxy sees it on this listener: an IPv4 client accepted on an IPv6
     * bind ({@code [::ffff:127.0.0.1]:80}, {@code :::80}) is ::ffff:a.b.c.d there, and
     * {@code balance source} hashes that (0x0000FFFF XOR the IPv4 integer). Java reports such a
     * client as plain IPv4, so the mapping is put back here.
     */
    // snippet:start v4-mapped-client
    private static InetAddress balancingAddress(Request request) {
        InetAddress client = clientAddress(request);
        boolean ipv6Listener = request.getConnectionMetaData().getConnector() instanceof NetworkConnector listener
                && listener.getHost() != null && listener.getHost().contains(":");
        if (!(client instanceof Inet4Address) || !ipv6Listener) {
            return client;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(client.getAddress(), 0, mapped, 12, 4);
        try {
            return Inet6Address.getByAddress(null, mapped, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }
    // snippet:end v4-mapped-client

    private static InetAddress clientAddress(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : InetAddress.getLoopbackAddress();
    }

    /** The server slot a request holds; given back exactly once, however the request ends. */
    private static final class Slot {
        private final Backend backend;
        private final AtomicBoolean released = new AtomicBoolean();
        private Server server;

        Slot(Backend backend, Server server) {
            this.backend = backend;
            this.server = server;
        }

        /** Moves the request to another server, avoiding the current one; false when there is none. */
        boolean redispatch(RequestInfo info) {
            Server next = backend.pickAndTake(info, server);
            if (next == null) {
                return false;
            }
            Server previous = server;
            server = next;
            backend.release(previous);
            return true;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                backend.release(server);
            }
        }
    }

    /** The client's request body, read from Jetty while OkHttp writes it to the server. */
    private static final class ClientBody extends RequestBody {
        private final InputStream in;
        private final long length;
        volatile boolean started;
        volatile IOException clientFailure;

        private ClientBody(InputStream in, long length) {
            this.in = in;
            this.length = length;
        }

        static ClientBody of(Request request) {
            long length = request.getLength();
            boolean chunked = request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
            if (length <= 0 && !chunked) {
                return length == 0 ? new ClientBody(InputStream.nullInputStream(), 0) : null;
            }
            return new ClientBody(Content.Source.asInputStream(request), chunked ? -1 : length);
        }

        @Override
        public MediaType contentType() {
            return null;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public boolean isOneShot() {
            return true;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            started = true;
            byte[] buffer = new byte[BUFFER];
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    clientFailure = e;
                    throw e;
                }
                if (n < 0) {
                    return;
                }
                sink.write(buffer, 0, n);
            }
        }
    }

    private static boolean causedByTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exchange failed after the connection was made: the server answered garbage, reset, or timed
     * out, or the client stopped sending its body; {@link #page} is what the client gets.
     */
    private static final class UpstreamFailure extends IOException {
        final transient ErrorPage page;

        UpstreamFailure(ErrorPage page, Throwable cause) {
            super(page.status() + " from upstream", cause);
            this.page = page;
        }
    }
}
