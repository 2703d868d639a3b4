package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.log.AccessRecord;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request without a body, forwarded without holding a thread while the server works: the
 * request goes out from the thread that parsed it, and the answer is read and relayed by the
 * upstream event loop when it arrives. An answer whose body is not all there with its head (large,
 * chunked, or ended by close) is handed to a worker thread that relays it as a stream. Retries,
 * redispatch, the stale-connection retry and the error pages are those of {@link ProxyHandler}'s
 * blocking path.
 */
final class AsyncForward {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncForward.class);

    private final ProxyHandler handler;
    private final Backend backend;
    private final Upstream.Pools pools;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final ProxyHandler.ClientBody body;
    private final Executor workers;

    /**
     * The client connection's buffer pool, looked up once: asking the request for it on the loop
     * thread takes the request's lock.
     */
    private final ByteBufferPool buffers;

    private final boolean headRequest;
    private final AtomicBoolean finished = new AtomicBoolean();
    private RequestInfo info;
    private ProxyHandler.Slot slot;
    private Server server;
    private Attempts attempts;
    private UpstreamLoop loop;

    /** Bytes of a streamed body still to come from the server. */
    private long left;

    private boolean streamReusable;

    /** This request's access log record, or null when its frontend does not log. */
    private final AccessRecord record;

    /**
     * The client's connection, watched for its close while the request waits ({@code option
     * abortonclose}); null when the backend does not abort on close.
     */
    private final ClientEndPoint watched;

    // Where the request is, for a client that closes meanwhile; guarded by abortLock, and kept only
    // when the client is watched (requests without abortonclose pay no lock for it).
    private static final int PICKING = 0;
    private static final int QUEUED = 1;
    private static final int CONNECTING = 2;
    private static final int SENT = 3;
    private final Object abortLock;
    private int phase = PICKING;
    private Backend.Pick queuedPick;
    private AsyncConnection sentOn;
    private boolean clientGone;

    AsyncForward(
            ProxyHandler handler,
            Backend backend,
            Upstream.Pools pools,
            Request request,
            Response response,
            Callback callback,
            ProxyHandler.ClientBody body,
            Executor workers,
            ByteBufferPool buffers,
            AccessRecord record) {
        this.record = record;
        this.handler = handler;
        this.backend = backend;
        this.pools = pools;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.body = body;
        this.workers = workers;
        this.buffers = buffers;
        this.headRequest = request.getMethod().equals("HEAD");
        this.watched =
                backend.section().abortOnClose()
                                && request.getConnectionMetaData().getConnection().getEndPoint()
                                        instanceof ClientEndPoint client
                        ? client
                        : null;
        this.abortLock = watched != null ? new Object() : null;
    }

    void start() {
        try {
            if (watched != null) {
                // A close that came with the request counts as HAProxy sees it: the request still
                // picks a server and connects, and is dropped there.
                if (watched.clientClosed()) {
                    clientGone = true;
                } else if (!watched.watch(this::onClientClosed)) {
                    LOG.debug("cannot watch the client connection of {}", request);
                }
            }
            pickAndSend();
        } catch (RuntimeException e) {
            abort(e);
        }
    }

    /**
     * Something unexpected went wrong (a bug, not a server's fault): the request fails, and Jetty
     * answers 500 if nothing was sent yet, as the blocking path does.
     */
    void abort(Throwable failure) {
        LOG.warn("forwarding failed unexpectedly: {}", failure.toString(), failure);
        finish(failure);
    }

    private void pickAndSend() {
        info = ProxyHandler.requestInfo(request);
        Backend.Pick pick =
                backend.pickTakeOrQueue(
                        info, this::dequeued, backend.section().timeouts().queueWaitMs());
        if (pick.queued()) {
            waiting(pick, PICKING);
            return;
        }
        if (pick.queueFull()) {
            RequestLog.refusedByFullQueue(record, pick.fullQueueOf());
            ProxyHandler.sendError(response, ErrorPage.NO_SERVER, finishing());
            return;
        }
        if (pick.server() == null) {
            error(ErrorPage.NO_SERVER);
            return;
        }
        sendOn(pick.server());
    }

    /**
     * A queued request got a slot on {@code picked}, or waited {@code timeout queue} in vain
     * (null).
     */
    private void dequeued(Server picked) {
        try {
            if (picked == null) {
                error(ErrorPage.NO_SERVER);
                return;
            }
            sendOn(picked);
        } catch (RuntimeException e) {
            abort(e);
        }
    }

    /** The loop of this request's server connection: its client connection's, when it can. */
    private UpstreamLoop loop() {
        if (loop == null) {
            loop = pools.loopFor(request);
        }
        return loop;
    }

    private void sendOn(Server picked) {
        slot = new ProxyHandler.Slot(backend, picked);
        attempts = new Attempts(backend, info, slot, request);
        attempt();
    }

    private void attempt() {
        if (watched != null) {
            synchronized (abortLock) {
                phase = CONNECTING;
            }
        }
        server = slot.server();
        RequestLog.picked(record, server);
        AsyncConnection pooled = attempts.mayTakeIdle() ? pools.takeAsync(server, loop()) : null;
        RequestLog.connecting(record, pooled != null);
        if (pooled != null) {
            send(pooled);
            return;
        }
        try {
            pools.connectAsync(server, loop(), this);
        } catch (IOException e) {
            connectFailed(e);
        }
    }

    /** The loop finished connecting. */
    void onConnected(AsyncConnection connection) {
        RequestLog.connected(record);
        send(connection);
    }

    /** The connect failed or timed out: HAProxy's retries, then redispatch, then a 503. */
    void onConnectFailed(IOException e) {
        connectFailed(e);
    }

    private void connectFailed(IOException e) {
        if (watched != null && clientLeft(() -> {})) {
            // abortonclose: no retry for a client that has left; nothing to answer.
            dropUnanswered("CC");
            return;
        }
        Attempts.Next next = attempts.afterConnectFailure(e, this::redispatchDequeued);
        RequestLog.retries(record, attempts);
        switch (next) {
            case RETRY -> {
                long pauseMs = attempts.pauseMs();
                if (pauseMs > 0) {
                    // HAProxy's pause before retrying the same server; then back on the loop's
                    // thread.
                    RequestLog.paused(record, backend, pauseMs);
                    UpstreamLoop loop = loop();
                    pools.later(pauseMs, () -> loop.execute(this::attempt));
                    return;
                }
                attempt();
            }
            case MOVED -> attempt();
            case QUEUED -> waiting(attempts.queued(), CONNECTING);
            case REFUSED -> {
                RequestLog.refusedByFullQueue(record, attempts.queued().fullQueueOf());
                ProxyHandler.sendError(response, ErrorPage.NO_SERVER, finishing());
            }
            case GIVE_UP -> {
                LOG.debug("connect to {} failed, no retries left", server, e);
                error(ErrorPage.NO_SERVER);
            }
        }
    }

    /**
     * The request waits in a queue ({@code pick}): with {@code option abortonclose}, a client that
     * has left withdraws it, and one that leaves meanwhile will. Unless its continuation already
     * took it on from {@code before}, the phase it was in when it was queued (a slot can free on
     * another thread before this runs).
     */
    private void waiting(Backend.Pick pick, int before) {
        if (watched == null) {
            return;
        }
        boolean withdraw;
        synchronized (abortLock) {
            withdraw = clientGone && phase == before;
            if (phase == before) {
                phase = QUEUED;
                queuedPick = pick;
            }
        }
        if (withdraw && backend.withdraw(pick)) {
            dropUnanswered("CQ");
        }
    }

    /**
     * A request redispatch queued got a slot (the slot's server now), or waited {@code timeout
     * queue} in vain (null).
     */
    private void redispatchDequeued(Server picked) {
        try {
            if (picked == null) {
                error(ErrorPage.NO_SERVER);
                return;
            }
            attempt();
        } catch (RuntimeException e) {
            abort(e);
        }
    }

    private void send(AsyncConnection connection) {
        RequestHead head = connection.beginRequest(this, pools.serverMs());
        if (watched != null
                && clientLeft(
                        () -> {
                            phase = SENT;
                            sentOn = connection;
                        })) {
            if (connection.failBusy()) {
                answerClientGone();
            }
            return;
        }
        handler.writeHead(request, backend, server, body, head);
        try {
            connection.send();
        } catch (IOException e) {
            onFailed(connection, e);
        }
    }

    /** Answer bytes arrived (on the loop's thread). */
    void onReadable(AsyncConnection connection) {
        int n;
        try {
            n = connection.read();
        } catch (IOException e) {
            onFailed(connection, e);
            return;
        }
        if (n < 0) {
            onFailed(
                    connection,
                    new EOFException(
                            connection.answerStarted()
                                    ? "the server closed the connection in the middle of its answer head"
                                    : "the server closed the connection before answering"));
            return;
        }
        while (true) {
            int end = AnswerHead.endOfHead(connection.in(), 0, connection.inLength());
            if (end < 0) {
                if (connection.inLength() == ServerConnection.BUFFER) {
                    onFailed(
                            connection,
                            new ProtocolException(
                                    "the server's answer head is larger than "
                                            + ServerConnection.BUFFER
                                            + " bytes"));
                }
                return;
            }
            AnswerHead answer;
            try {
                answer = AnswerHead.parse(connection.in(), 0, end, headRequest);
            } catch (IOException e) {
                onFailed(connection, e);
                return;
            }
            if (answer.status < 200 && answer.status != 101) {
                connection.discard(end);
                continue;
            }
            if (watched != null && watched.clientClosed()) {
                // The client closed before this answer came: dropped, as HAProxy does when it
                // reads the close first.
                if (connection.failBusy()) {
                    answerClientGone();
                }
                return;
            }
            RequestLog.answered(record);
            deliver(connection, answer, end);
            return;
        }
    }

    private void deliver(AsyncConnection connection, AnswerHead answer, int headEnd) {
        int buffered = connection.inLength() - headEnd;
        boolean whole =
                answer.framing == AnswerHead.Framing.NONE
                        || (answer.framing == AnswerHead.Framing.LENGTH
                                && answer.length <= buffered);
        if (!whole) {
            if (answer.framing == AnswerHead.Framing.LENGTH && connection.streaming()) {
                stream(connection, answer, headEnd, buffered);
            } else {
                handOff(connection, answer, headEnd);
            }
            return;
        }
        int bodyLength = answer.framing == AnswerHead.Framing.NONE ? 0 : (int) answer.length;
        // Not reusable when the server answered before taking the whole request, or sent more than
        // its answer.
        boolean reusable = answer.reusable && buffered == bodyLength && !connection.writing();
        if (!connection.relaying()) {
            return;
        }
        Server answered = server;
        answered.countResponse(answer.status);
        ProxyHandler.copyAnswerHead(answer, response, backend, server, record);
        // The whole answer is read: the server connection is idle again before the client can see
        // the
        // end of its answer, as in HAProxy, so the client's next request may reuse it (http-reuse).
        // The body leaves the connection's buffer first, since the next exchange reuses that
        // buffer: into a pooled direct buffer, which the socket write takes as it is (a new heap
        // array per answer was a quarter of what the request path allocated, and the JDK copies
        // a heap buffer into a direct one again to write it).
        RetainableByteBuffer body = null;
        if (bodyLength > 0) {
            body = buffers.acquire(bodyLength, true);
            ByteBuffer out = body.getByteBuffer();
            BufferUtil.clearToFill(out);
            out.put(connection.in(), headEnd, bodyLength);
            BufferUtil.flipToFlush(out, 0);
        }
        pools.releaseAsync(answered, connection, reusable);
        // The request is over for the balancer before the client can see its end, as in HAProxy's
        // event loop.
        slot.release();
        if (body == null) {
            response.write(true, BufferUtil.EMPTY_BUFFER, finishing());
        } else {
            response.write(true, body.getByteBuffer(), Callback.from(finishing(), body::release));
        }
    }

    /** The callback of the request's last write: the request ends, failed or not. */
    private Callback finishing() {
        return Callback.from(() -> finish(null), this::finish);
    }

    /**
     * A body of known length not all there yet, streamed on the loop: the head and what came with
     * it go to the client now, then each piece the server sends, reading the next only once the
     * client has taken the last (as HAProxy relays, on the thread that reads).
     */
    private void stream(AsyncConnection connection, AnswerHead answer, int headEnd, int buffered) {
        left = answer.length - buffered;
        streamReusable = answer.reusable && !connection.writing();
        server.countResponse(answer.status);
        ProxyHandler.copyAnswerHead(answer, response, backend, server, record);
        response.write(
                false,
                ByteBuffer.wrap(connection.in(), headEnd, buffered),
                Callback.from(
                        connection::nextPiece, failure -> onStreamFailed(connection, failure)));
    }

    /** The next piece of a streamed body may be read (on the loop's thread). */
    void onStreamReadable(AsyncConnection connection) {
        int n;
        try {
            n = connection.readPiece(buffers);
        } catch (IOException e) {
            onStreamFailed(connection, e);
            return;
        }
        if (n == 0) {
            return;
        }
        if (n < 0) {
            onStreamFailed(
                    connection,
                    new EOFException(
                            "the server closed the connection "
                                    + left
                                    + " bytes before the end of its answer"));
            return;
        }
        RetainableByteBuffer piece = connection.takePiece();
        if (n < left) {
            left -= n;
            response.write(
                    false,
                    piece.getByteBuffer(),
                    Callback.from(
                            Callback.from(
                                    connection::nextPiece,
                                    failure -> onStreamFailed(connection, failure)),
                            piece::release));
            return;
        }
        // The last piece: the server connection is idle again, and the request over for the
        // balancer, before the client can see the end, as for a whole answer. The piece is this
        // write's alone, so the connection may take the next request at once.
        boolean reusable = streamReusable && n == left;
        piece.getByteBuffer().limit((int) left);
        left = 0;
        if (reusable && connection.streamed()) {
            pools.idleAgain(server, connection);
        } else if (!connection.failStreaming()) {
            piece.release();
            return;
        }
        slot.release();
        response.write(true, piece.getByteBuffer(), Callback.from(finishing(), piece::release));
    }

    /**
     * A streamed body failed: the server closed or timed out, or the client went away. The answer
     * has begun, so the client's connection is cut, as HAProxy does.
     */
    void onStreamFailed(AsyncConnection connection, Throwable failure) {
        if (!connection.failStreaming()) {
            return;
        }
        LOG.debug("streaming the answer of {} failed", server, failure);
        finish(failure);
    }

    /**
     * A body that is not all there yet: a worker relays it as a stream over the same connection,
     * made blocking.
     */
    private void handOff(AsyncConnection connection, AnswerHead answer, int headEnd) {
        Server answered = server;
        connection.handOff(
                () ->
                        workers.execute(
                                () -> {
                                    ServerConnection blocking;
                                    try {
                                        blocking = connection.adopt(headEnd);
                                        blocking.readTimeout(pools.serverMs());
                                    } catch (IOException e) {
                                        connection.close();
                                        error(ErrorPage.BAD_GATEWAY);
                                        return;
                                    }
                                    try {
                                        handler.relay(
                                                new ProxyHandler.Exchange(
                                                        answered, blocking, answer),
                                                response,
                                                slot,
                                                record);
                                        finish(null);
                                    } catch (ProxyHandler.UpstreamFailure failure) {
                                        if (response.isCommitted()) {
                                            finish(failure);
                                        } else {
                                            error(failure.page);
                                        }
                                    } catch (Throwable failure) {
                                        finish(failure);
                                    }
                                }));
    }

    /**
     * The exchange failed after the connection was made. A pooled connection the server had closed
     * is retried once on a new one (the server never saw the request); anything else is a 502, or a
     * 504 when the server took too long.
     */
    void onFailed(AsyncConnection connection, IOException e) {
        if (!connection.failBusy()) {
            return;
        }
        if (attempts.afterStaleConnection(
                connection.reused(), connection.answerStarted(), false, e)) {
            pools.dropIdle(server);
            attempt();
            return;
        }
        LOG.debug("exchange with {} failed", server, e);
        error(
                e instanceof InterruptedIOException
                        ? ErrorPage.GATEWAY_TIMEOUT
                        : ErrorPage.BAD_GATEWAY);
    }

    /**
     * The client closed its side while the request waited ({@code option abortonclose}), on a
     * selector thread: a queued request leaves its queue unanswered; a request sent to a server
     * whose answer has not begun is dropped with HAProxy's 400 (both as HAProxy does). Before that,
     * the next step sees {@code clientGone}.
     */
    private void onClientClosed() {
        int at;
        Backend.Pick queued;
        AsyncConnection connection;
        synchronized (abortLock) {
            clientGone = true;
            at = phase;
            queued = queuedPick;
            connection = sentOn;
        }
        if (at == QUEUED && backend.withdraw(queued)) {
            dropUnanswered("CQ");
        } else if (at == SENT && connection.failBusy()) {
            answerClientGone();
        }
    }

    /**
     * Whether the watched client has left by now, looking at its connection once more (HAProxy
     * reads a close in the same pass as the event at hand); {@code ifStaying} runs under the lock
     * when it has not, so that a close reported meanwhile finds the step it made.
     */
    private boolean clientLeft(Runnable ifStaying) {
        boolean closed = watched.clientClosed();
        synchronized (abortLock) {
            clientGone |= closed;
            if (!clientGone) {
                ifStaying.run();
            }
            return clientGone;
        }
    }

    /** Connected, the answer not begun, and the client gone: HAProxy's 400, logged {@code CH}. */
    private void answerClientGone() {
        RequestLog.clientGone(record, "CH", true);
        if (slot != null) {
            slot.release();
        }
        ProxyHandler.sendError(response, ErrorPage.BAD_REQUEST, finishing());
    }

    /** The client left before any server took the request: no answer, the connection closed. */
    private void dropUnanswered(String termination) {
        RequestLog.clientGone(record, termination, false);
        if (slot != null) {
            slot.release();
        }
        request.getConnectionMetaData().getConnection().getEndPoint().close();
        finish(
                new org.eclipse.jetty.io.EofException(
                        "the client closed its side before an answer"));
    }

    private void error(ErrorPage page) {
        RequestLog.failed(record, page);
        if (slot != null) {
            slot.release();
        }
        ProxyHandler.sendError(response, page, finishing());
    }

    private void finish(Throwable failure) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (watched != null) {
            watched.unwatch();
        }
        if (slot != null) {
            slot.release();
        }
        if (failure == null) {
            callback.succeeded();
        } else {
            LOG.debug("request failed after its answer had started", failure);
            callback.failed(failure);
        }
    }
}
