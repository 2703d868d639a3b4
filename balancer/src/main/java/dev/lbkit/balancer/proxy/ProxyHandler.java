package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.CookieRules;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Address;
import dev.lbkit.balancer.config.CookiePersistence;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.log.AccessLog;
import dev.lbkit.balancer.log.AccessRecord;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Components;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards every request of one frontend to its backend: balances it on its own (also on keep-alive
 * connections), streams both bodies, retries connect failures as HAProxy's {@code retries} and
 * {@code option redispatch} do, and always answers, with an HAProxy-like error page when it cannot
 * forward.
 */
final class ProxyHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);
    private static final int BUFFER = 16 * 1024;

    private final Routes routes;

    /**
     * The server connections of each backend, kept under that backend's connect and server
     * timeouts.
     */
    private final Map<Backend, Upstream.Pools> pools = new IdentityHashMap<>();

    /** {@code option forwardfor} of the frontend and each backend together; no entry when off. */
    private final Map<Backend, ForwardedFor> forwardFor = new IdentityHashMap<>();

    private final FrontendStats stats;
    private final String frontendName;

    /**
     * The frontend's access log, or null when it logs nothing (then no request pays for logging).
     */
    private final AccessLog accessLog;

    /**
     * @param frontend the frontend (or listen) section whose binds lead here
     * @param routes its {@code use_backend} rules and default backend (when there is none and no
     *     rule applies, the request gets a 503)
     */
    ProxyHandler(ProxySection frontend, Routes routes, Upstream upstream, FrontendStats stats) {
        this(frontend, routes, upstream, stats, null);
    }

    ProxyHandler(
            ProxySection frontend,
            Routes routes,
            Upstream upstream,
            FrontendStats stats,
            AccessLog accessLog) {
        super(InvocationType.NON_BLOCKING);
        this.frontendName = frontend.name();
        this.accessLog = accessLog;
        this.routes = routes;
        for (Backend backend : routes.backends()) {
            pools.put(backend, upstream.forTimeouts(backend.section().timeouts()));
            ForwardedFor rule =
                    ForwardedFor.of(frontend.forwardFor(), backend.section().forwardFor());
            if (rule != null) {
                forwardFor.put(backend, rule);
            }
        }
        this.stats = stats;
    }

    /**
     * Runs on the thread that parsed the request, which must not block: a request without a body
     * goes to {@link AsyncForward}; one with a body is streamed by a worker thread. Every way ends
     * through {@code ending}, which also keeps the frontend's counts.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        stats.requestStarted();
        Backend backend = routes.backendFor(request);
        AccessRecord record = RequestLog.begin(accessLog, request, frontendName, backend);
        Callback ending =
                Callback.from(
                        () -> {
                            RequestLog.end(
                                    accessLog, record, response, request, backend, stats, null);
                            stats.requestEnded(response.getStatus());
                            callback.succeeded();
                        },
                        failure -> {
                            RequestLog.end(
                                    accessLog, record, response, request, backend, stats, failure);
                            stats.requestEnded();
                            callback.failed(failure);
                        });
        Optional<ErrorPage> refusal =
                RequestRules.refusal(
                        RawTargetConnectionFactory.rawTarget(request), request.getHeaders());
        if (refusal.isPresent()) {
            RequestLog.failed(record, refusal.get());
            sendError(response, refusal.get(), ending);
            return true;
        }
        if (backend == null) {
            RequestLog.failed(record, ErrorPage.NO_SERVER);
            sendError(response, ErrorPage.NO_SERVER, ending);
            return true;
        }
        ClientBody body = ClientBody.of(request);
        Components components = request.getComponents();
        Executor workers = components.getExecutor();
        if (body == null || body.length == 0) {
            new AsyncForward(
                            this,
                            backend,
                            pools.get(backend),
                            request,
                            response,
                            ending,
                            body,
                            workers,
                            components.getByteBufferPool(),
                            record)
                    .start();
            return true;
        }
        workers.execute(
                () -> {
                    try {
                        forward(request, response, body, backend, record);
                        ending.succeeded();
                    } catch (Throwable failure) {
                        LOG.debug("request failed after its answer had started", failure);
                        ending.failed(failure);
                    }
                });
        return true;
    }

    /**
     * Forwards a request with a body, blocking this (worker) thread until the answer is relayed.
     */
    private void forward(
            Request request,
            Response response,
            ClientBody body,
            Backend backend,
            AccessRecord record)
            throws IOException {
        RequestInfo info = requestInfo(request);
        if (PostBodyStart.wanted(backend, request)) {
            try {
                info = info.withPostBody(PostBodyStart.read(request, body));
            } catch (IOException clientStopped) {
                ErrorPage page =
                        causedByTimeout(clientStopped)
                                ? ErrorPage.REQUEST_TIMEOUT
                                : ErrorPage.BAD_REQUEST;
                RequestLog.failed(record, page);
                sendError(response, page);
                return;
            }
        }
        java.util.concurrent.CompletableFuture<Server> dequeued =
                new java.util.concurrent.CompletableFuture<>();
        Backend.Pick pick =
                backend.pickTakeOrQueue(
                        info, dequeued::complete, backend.section().timeouts().queueWaitMs());
        if (pick.queueFull()) {
            RequestLog.refusedByFullQueue(record, pick.fullQueueOf());
            sendError(response, ErrorPage.NO_SERVER);
            return;
        }
        Server server = pick.server();
        if (pick.queued()) {
            // A worker thread, free to block: it waits for a slot, or for timeout queue's null.
            server = dequeued.join();
        }
        if (server == null) {
            RequestLog.failed(record, ErrorPage.NO_SERVER);
            sendError(response, ErrorPage.NO_SERVER);
            return;
        }
        Slot slot = new Slot(backend, server);
        try {
            Exchange exchange = exchangeWithRetries(request, info, slot, body, record);
            if (exchange == null) {
                RequestLog.failed(record, ErrorPage.NO_SERVER);
                sendError(response, ErrorPage.NO_SERVER);
                return;
            }
            relay(exchange, response, slot, record);
        } catch (UpstreamFailure failure) {
            if (response.isCommitted()) {
                throw failure;
            }
            RequestLog.failed(record, failure.page);
            sendError(response, failure.page);
        } finally {
            slot.release();
        }
    }

    /** HAProxy's pause before retrying the same server after a refused connect, on this thread. */
    private static void pause(Attempts attempts, Backend backend, AccessRecord record)
            throws IOException {
        long ms = attempts.pauseMs();
        if (ms <= 0) {
            return;
        }
        RequestLog.paused(record, backend, ms);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted before a retry");
        }
    }

    /** A request sent on a server connection, and the head of the server's answer. */
    record Exchange(Server server, ServerConnection connection, AnswerHead answer) {}

    /**
     * Sends the request, retrying connect failures: {@code retries} more times on the same server,
     * the last of them on another server when {@code option redispatch} is set. Returns null when
     * every attempt failed to connect (HAProxy answers 503 then).
     */
    private Exchange exchangeWithRetries(
            Request request, RequestInfo info, Slot slot, ClientBody body, AccessRecord record)
            throws IOException {
        Attempts attempts = new Attempts(slot.backend, info, slot, request);
        boolean headRequest = request.getMethod().equals("HEAD");
        while (true) {
            Server server = slot.server();
            RequestLog.picked(record, server);
            ServerConnection connection;
            try {
                Upstream.Pools serverPools = pools.get(slot.backend);
                RequestLog.connecting(record, false);
                connection =
                        attempts.mayTakeIdle()
                                ? serverPools.acquire(server)
                                : serverPools.connect(server);
                RequestLog.connected(record);
            } catch (IOException e) {
                java.util.concurrent.CompletableFuture<Server> dequeued =
                        new java.util.concurrent.CompletableFuture<>();
                Attempts.Next next = attempts.afterConnectFailure(e, dequeued::complete);
                RequestLog.retries(record, attempts);
                switch (next) {
                    case RETRY -> pause(attempts, slot.backend, record);
                    case MOVED -> {}
                    case QUEUED -> {
                        // A worker thread, free to block: it waits for a slot, or for timeout
                        // queue's null.
                        if (dequeued.join() == null) {
                            return null;
                        }
                    }
                    case REFUSED -> {
                        RequestLog.refusedByFullQueue(record, attempts.queued().fullQueueOf());
                        return null;
                    }
                    case GIVE_UP -> {
                        LOG.debug("connect to {} failed, no retries left", server, e);
                        return null;
                    }
                }
                continue;
            }
            try {
                send(request, slot.backend, server, body, connection);
                AnswerHead answer = connection.readAnswer(headRequest);
                RequestLog.answered(record);
                return new Exchange(server, connection, answer);
            } catch (IOException e) {
                connection.close();
                if (body != null && body.clientFailure != null) {
                    // The client stopped sending its body: too slowly for timeout client (HAProxy's
                    // 408),
                    // or it went away. Either way the answer is the client's fault, never a 500.
                    throw new UpstreamFailure(
                            causedByTimeout(body.clientFailure)
                                    ? ErrorPage.REQUEST_TIMEOUT
                                    : ErrorPage.BAD_REQUEST,
                            body.clientFailure);
                }
                if (attempts.afterStaleConnection(
                        connection.reused(),
                        connection.answerStarted(),
                        body != null && body.started,
                        e)) {
                    // The other idle connections to that server are likely closed too.
                    pools.get(slot.backend).dropIdle(server);
                    continue;
                }
                throw new UpstreamFailure(
                        e instanceof InterruptedIOException
                                ? ErrorPage.GATEWAY_TIMEOUT
                                : ErrorPage.BAD_GATEWAY,
                        e);
            }
        }
    }

    /**
     * Writes the request to the server: the client's method and target as received, its headers
     * less the hop-by-hop ones, and its body, in one write when the body is small.
     */
    private void send(
            Request request,
            Backend backend,
            Server server,
            ClientBody body,
            ServerConnection connection)
            throws IOException {
        RequestHead head = connection.beginHead();
        writeHead(request, backend, server, body, head);
        if (body == null) {
            connection.flushHead();
            return;
        }
        body.started = true;
        if (body.length >= 0 && body.length <= head.room()) {
            body.readInto(head, (int) body.length);
            connection.flushHead();
            return;
        }
        connection.flushHead();
        body.copyTo(connection, body.length < 0);
    }

    /**
     * The server's copy of the request head: the client's method and target as received, its
     * headers less the hop-by-hop ones, Host when the client sent none, X-Forwarded-For with {@code
     * option forwardfor}, and how long the body is.
     */
    void writeHead(
            Request request, Backend backend, Server server, ClientBody body, RequestHead head) {
        String method = request.getMethod();
        head.append(method);
        head.append(" ");
        head.append(originForm(RawTargetConnectionFactory.rawTarget(request)));
        head.append(" HTTP/1.1\r\n");
        HttpFields fields = request.getHeaders();
        HopByHop hop =
                fields.contains(HttpHeader.CONNECTION)
                        ? HopByHop.of(fields.getValuesList(HttpHeader.CONNECTION))
                        : HopByHop.EMPTY;
        boolean host = false;
        CookiePersistence cookie = backend.section().cookie();
        boolean editsCookies = CookieRules.editsRequest(cookie);
        for (HttpField field : fields) {
            String name = field.getName();
            if (field.getHeader() == HttpHeader.CONTENT_LENGTH || hop.drops(field)) {
                continue;
            }
            host |= field.getHeader() == HttpHeader.HOST;
            String value = field.getValue() == null ? "" : field.getValue();
            if (editsCookies && field.getHeader() == HttpHeader.COOKIE) {
                value = CookieRules.forwarded(cookie, value);
                if (value == null) {
                    continue;
                }
            }
            head.appendHeader(name, value);
        }
        if (!host) {
            // An HTTP/1.0 client may omit Host; the server gets its own address, as from any
            // HTTP/1.1 client.
            head.appendHeader("Host", hostForHeader(server));
        }
        ForwardedFor forwarding = forwardFor.get(backend);
        if (forwarding != null) {
            String client = forwarding.valueFor(balancingAddress(request), fields);
            if (client != null) {
                head.appendHeader(forwarding.header(), client);
            }
        }
        if (body == null) {
            if (requiresBody(method)) {
                head.appendHeader("Content-Length", "0");
            }
        } else if (body.length >= 0) {
            head.appendHeader("Content-Length", Long.toString(body.length));
        } else {
            head.appendHeader("Transfer-Encoding", "chunked");
        }
        head.append("\r\n");
    }

    /** Methods whose requests always say how long their (maybe empty) body is. */
    private static boolean requiresBody(String method) {
        return switch (method) {
            case "POST", "PUT", "PATCH", "PROPPATCH", "REPORT" -> true;
            default -> false;
        };
    }

    /**
     * The client's path and query, still percent-encoded as received; an absolute-form target loses
     * its scheme and authority.
     */
    private static String originForm(String rawTarget) {
        if (rawTarget.startsWith("/")) {
            return rawTarget;
        }
        // absolute-form: the server gets origin-form, as from any HTTP/1.1 proxy
        int schemeEnd = rawTarget.indexOf("://");
        int pathStart = schemeEnd < 0 ? -1 : rawTarget.indexOf('/', schemeEnd + 3);
        int queryStart = schemeEnd < 0 ? -1 : rawTarget.indexOf('?', schemeEnd + 3);
        if (pathStart < 0 || (queryStart >= 0 && queryStart < pathStart)) {
            return "/" + (queryStart >= 0 ? rawTarget.substring(queryStart) : "");
        }
        return rawTarget.substring(pathStart);
    }

    private static String hostForHeader(Server server) {
        String host = server.spec().host();
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + ":"
                + server.spec().port();
    }

    /**
     * Copies the server's answer to the client, streaming the body, and gives the slot back just
     * before the last bytes go out.
     */
    void relay(Exchange exchange, Response response, Slot slot, AccessRecord record)
            throws IOException {
        ServerConnection connection = exchange.connection();
        AnswerHead answer = exchange.answer();
        boolean reusable = false;
        exchange.server().countResponse(answer.status);
        try {
            copyAnswerHead(answer, response, slot.backend, exchange.server(), record);
            switch (answer.framing) {
                case NONE -> {
                    slot.release();
                    write(response, true, BufferUtil.EMPTY_BUFFER);
                }
                case LENGTH -> relayLength(connection, answer.length, response, slot);
                case CHUNKED -> relayChunked(connection, response, slot);
                case UNTIL_CLOSE -> relayUntilClose(connection, response, slot);
            }
            reusable = answer.reusable;
        } finally {
            pools.get(slot.backend).release(exchange.server(), connection, reusable);
        }
    }

    /**
     * The server's status and headers, less the hop-by-hop ones, onto the client's response; with a
     * {@code cookie} line in the backend, its cookie as {@link CookieRules} sets it.
     */
    static void copyAnswerHead(
            AnswerHead answer,
            Response response,
            Backend backend,
            Server server,
            AccessRecord record) {
        response.setStatus(answer.status);
        HopByHop hop = answer.hopByHop;
        HttpFields.Mutable out = response.getHeaders();
        CookiePersistence cookie = backend.section().cookie();
        if (cookie.enabled()) {
            copyWithCookie(answer, response, backend, cookie, server, record);
            return;
        }
        for (int i = 0; i < answer.headerCount(); i++) {
            HttpField field = answer.field(i);
            if (!hop.drops(field)) {
                out.add(field);
            }
        }
    }

    private static void copyWithCookie(
            AnswerHead answer,
            Response response,
            Backend backend,
            CookiePersistence cookie,
            Server server,
            AccessRecord record) {
        HopByHop hop = answer.hopByHop;
        HttpFields.Mutable out = response.getHeaders();
        String serverValue = cookie.serverCookies().get(server.name());
        boolean serverSetIt = false;
        long headDelta = 0;
        for (int i = 0; i < answer.headerCount(); i++) {
            HttpField field = answer.field(i);
            if (hop.drops(field)) {
                continue;
            }
            if (field.getHeader() == HttpHeader.SET_COOKIE && field.getValue() != null) {
                String value = field.getValue();
                serverSetIt |= CookieRules.setsCookie(cookie, value);
                String shown = CookieRules.answerSetCookie(cookie, value, serverValue);
                if (shown != null) {
                    out.add(field.getName(), shown);
                    headDelta += shown.length() - value.length();
                } else {
                    headDelta -= field.getName().length() + value.length();
                }
                continue;
            }
            out.add(field);
        }
        Request request = response.getRequest();
        java.util.List<String> cookieLines = request.getHeaders().getValuesList(HttpHeader.COOKIE);
        String inserted =
                CookieRules.inserted(
                        cookie, request.getMethod(), cookieLines, serverValue, serverSetIt);
        if (inserted != null) {
            out.add("set-cookie", inserted);
            headDelta += "set-cookie".length() + inserted.length();
        }
        if (record == null) {
            return;
        }
        record.cookieHeadDelta = headDelta;
        if (cookie.logsFlags()) {
            record.cookieFlags =
                    ""
                            + backend.cookieFlag(cookieLines)
                            + CookieRules.answerFlag(cookie, inserted, serverSetIt);
        }
    }

    private static void relayLength(
            ServerConnection connection, long length, Response response, Slot slot)
            throws IOException {
        long left = length;
        if (left == 0) {
            slot.release();
            write(response, true, BufferUtil.EMPTY_BUFFER);
            return;
        }
        while (left > 0) {
            int n = fromServer(connection);
            if (n < 0) {
                throw new UpstreamFailure(
                        ErrorPage.BAD_GATEWAY,
                        new EOFException(
                                "the server closed the connection "
                                        + left
                                        + " bytes before the end of its answer"));
            }
            n = (int) Math.min(n, left);
            left -= n;
            if (left == 0) {
                // The last bytes: the request is over for the balancer before the client can see
                // its end and send the next one, as in HAProxy's event loop.
                slot.release();
            }
            write(
                    response,
                    left == 0,
                    ByteBuffer.wrap(connection.buffer(), connection.offset(), n));
            connection.consume(n);
        }
    }

    private static void relayChunked(ServerConnection connection, Response response, Slot slot)
            throws IOException {
        while (true) {
            long size;
            try {
                size = connection.nextChunkSize();
            } catch (IOException e) {
                throw upstreamFailure(e);
            }
            if (size == 0) {
                break;
            }
            while (size > 0) {
                int n = fromServer(connection);
                if (n < 0) {
                    throw new UpstreamFailure(
                            ErrorPage.BAD_GATEWAY,
                            new EOFException("the server closed the connection in a chunk"));
                }
                n = (int) Math.min(n, size);
                size -= n;
                write(
                        response,
                        false,
                        ByteBuffer.wrap(connection.buffer(), connection.offset(), n));
                connection.consume(n);
            }
            try {
                connection.endOfChunk();
            } catch (IOException e) {
                throw upstreamFailure(e);
            }
        }
        slot.release();
        write(response, true, BufferUtil.EMPTY_BUFFER);
    }

    private static void relayUntilClose(ServerConnection connection, Response response, Slot slot)
            throws IOException {
        int n;
        while ((n = fromServer(connection)) >= 0) {
            write(response, false, ByteBuffer.wrap(connection.buffer(), connection.offset(), n));
            connection.consume(n);
        }
        slot.release();
        write(response, true, BufferUtil.EMPTY_BUFFER);
    }

    /** Answer bytes buffered or read from the server; a failure to read them is the server's. */
    private static int fromServer(ServerConnection connection) throws UpstreamFailure {
        try {
            return connection.available();
        } catch (IOException e) {
            throw upstreamFailure(e);
        }
    }

    private static UpstreamFailure upstreamFailure(IOException e) {
        return new UpstreamFailure(
                e instanceof InterruptedIOException
                        ? ErrorPage.GATEWAY_TIMEOUT
                        : ErrorPage.BAD_GATEWAY,
                e);
    }

    /**
     * Writes to the client and waits until Jetty has taken the bytes (the buffer is reused after).
     */
    private static void write(Response response, boolean last, ByteBuffer bytes)
            throws IOException {
        try (Blocker.Callback callback = Blocker.callback()) {
            response.write(last, bytes, callback);
            callback.block();
        }
    }

    private static void sendError(Response response, ErrorPage page) throws IOException {
        try (Blocker.Callback callback = Blocker.callback()) {
            sendError(response, page, callback);
            callback.block();
        }
    }

    /** Answers with one of HAProxy's error pages; {@code callback} hears when it is written. */
    static void sendError(Response response, ErrorPage page, Callback callback) {
        byte[] body = page.body();
        response.setStatus(page.status());
        HttpFields.Mutable headers = response.getHeaders();
        headers.clear();
        headers.put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
        headers.put(HttpHeader.CONTENT_TYPE, "text/html");
        if (page.status() / 100 == 4) {
            // The client sent something wrong (or too slowly): like HAProxy, do not read on after
            // it.
            headers.put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * What the algorithm sees: the target and headers as HAProxy stores them, which for an
     * absolute-form target with a default port ({@code http://h:80/a}) is without that port.
     */
    static RequestInfo requestInfo(Request request) {
        HttpFields fields = request.getHeaders();
        DefaultPortRemoval.Result stored =
                DefaultPortRemoval.apply(RawTargetConnectionFactory.rawTarget(request));
        if (!stored.changed()) {
            return new RequestInfo(
                    balancingAddress(request),
                    stored.target(),
                    fields::get,
                    request.getMethod(),
                    fields::getValuesList,
                    null);
        }
        return new RequestInfo(
                balancingAddress(request),
                stored.target(),
                name ->
                        name.equalsIgnoreCase("host") && fields.get(name) != null
                                ? stored.host()
                                : fields.get(name),
                request.getMethod(),
                name ->
                        name.equalsIgnoreCase("host") && fields.get(name) != null
                                ? java.util.List.of(stored.host())
                                : fields.getValuesList(name),
                null);
    }

    /**
     * The client address as HAProxy sees it on this listener: an IPv4 client accepted on an IPv6
     * bind ({@code [::ffff:127.0.0.1]:80}, {@code :::80}) is ::ffff:a.b.c.d there, and {@code
     * balance source} hashes that (0x0000FFFF XOR the IPv4 integer). Java reports such a client as
     * plain IPv4, so the mapping is put back here.
     */
    // snippet:start v4-mapped-client
    static InetAddress balancingAddress(Request request) {
        InetAddress client = clientAddress(request);
        boolean ipv6Listener =
                request.getConnectionMetaData().getConnector() instanceof NetworkConnector listener
                        && listener.getHost() != null
                        && listener.getHost().contains(":");
        if (!(client instanceof Inet4Address) || !ipv6Listener || fromProxyHeader(request)) {
            return client;
        }
        return Address.v4Mapped(client);
    }

    // snippet:end v4-mapped-client

    /**
     * True when the client address came from a PROXY protocol header ({@code accept-proxy}): it is
     * then taken as the header states it, an IPv4 address staying IPv4 whatever the listener.
     */
    private static boolean fromProxyHeader(Request request) {
        return request.getConnectionMetaData().getConnection().getEndPoint()
                instanceof ProxyConnectionFactory.ProxyEndPoint;
    }

    private static InetAddress clientAddress(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet
                ? inet.getAddress()
                : InetAddress.getLoopbackAddress();
    }

    /** The server slot a request holds; given back exactly once, however the request ends. */
    static final class Slot {
        private final Backend backend;
        private boolean released;

        // The server whose slot the request holds; null while a redispatched request waits in a
        // queue, or after a redispatch that found none. Guarded by this.
        private Server server;

        Slot(Backend backend, Server server) {
            this.backend = backend;
            this.server = server;
        }

        synchronized Server server() {
            return server;
        }

        /**
         * Moves the request off its server ({@link Backend#redispatch}): the slot holds the server
         * it gets now, or the one a queue gives it later, before {@code whenDequeued} runs (with
         * null when {@code timeout queue} ran out).
         */
        Backend.Pick redispatch(RequestInfo info, Consumer<Server> whenDequeued) {
            Server previous;
            synchronized (this) {
                previous = server;
                server = null;
            }
            Backend.Pick pick =
                    backend.redispatch(
                            info,
                            previous,
                            given -> {
                                if (given != null && !hold(given)) {
                                    // The request ended while it waited: the slot goes back.
                                    backend.release(given);
                                    return;
                                }
                                whenDequeued.accept(given);
                            },
                            backend.section().timeouts().queueWaitMs());
            if (pick.server() != null && !hold(pick.server())) {
                backend.release(pick.server());
            }
            return pick;
        }

        private synchronized boolean hold(Server given) {
            if (released) {
                return false;
            }
            server = given;
            return true;
        }

        void release() {
            Server held;
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
                held = server;
            }
            if (held != null) {
                backend.release(held);
            }
        }
    }

    /** The client's request body, read from Jetty as it is written to the server. */
    static final class ClientBody {
        private InputStream in;

        /** Its length, or -1 when the client sends it chunked. */
        final long length;

        boolean started;
        IOException clientFailure;

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

        /**
         * Reads the body's first {@code most} bytes (all of it when shorter) and keeps them to be
         * sent first, so the server still receives the whole body.
         */
        byte[] readStart(int most) throws IOException {
            byte[] start;
            try {
                start = in.readNBytes(most);
            } catch (IOException e) {
                clientFailure = e;
                throw e;
            }
            in = new SequenceInputStream(new ByteArrayInputStream(start), in);
            return start;
        }

        /** Reads the whole (small) body after the head, to go out with it. */
        void readInto(RequestHead head, int n) throws IOException {
            try {
                head.appendBody(in, n);
            } catch (IOException e) {
                clientFailure = e;
                throw e;
            }
        }

        /** Streams the body to the server, chunked when the client's was. */
        void copyTo(ServerConnection connection, boolean chunked) throws IOException {
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
                    if (chunked) {
                        connection.write(LAST_CHUNK, 0, LAST_CHUNK.length);
                    }
                    return;
                }
                if (n == 0) {
                    continue;
                }
                if (chunked) {
                    byte[] size =
                            (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    connection.write(size, 0, size.length);
                    connection.write(buffer, 0, n);
                    connection.write(CRLF, 0, 2);
                } else {
                    connection.write(buffer, 0, n);
                }
            }
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static boolean causedByTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException
                    || t instanceof InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exchange failed after the connection was made: the server answered garbage, reset, or
     * timed out, or the client stopped sending its body; {@link #page} is what the client gets.
     */
    static final class UpstreamFailure extends IOException {
        final transient ErrorPage page;

        UpstreamFailure(ErrorPage page, Throwable cause) {
            super(page.status() + " from upstream", cause);
            this.page = page;
        }
    }
}
