package dev.lbkit.balancer.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;

/**
 * A non-blocking connection from lbkit to a server, owned by one {@link UpstreamLoop}. It stays
 * registered for reading all its life, also while idle in the pool: a server closing an idle
 * connection is noticed and the connection dropped before a request picks it.
 */
final class AsyncConnection implements Upstream.Idle, ManagedSelector.Selectable {
    private static final int IDLE = 0;
    private static final int CONNECTING = 1;
    private static final int BUSY = 2;
    private static final int RELAYING = 3;
    private static final int HANDED_OFF = 4;
    private static final int CLOSED = 5;
    private static final int STREAMING = 6;

    /** The answer buffer's first size: most answer heads and small bodies fit. */
    static final int FIRST_IN = 4096;

    private final UpstreamLoop loop;
    private final SocketChannel channel;
    private final AtomicInteger state;
    private final RequestHead head = new RequestHead();

    /**
     * What the server sent: small at first, grown up to {@link ServerConnection#BUFFER} only for
     * answers that need it, so a thousand idle connections do not hold 16 KB each.
     */
    private byte[] in = new byte[FIRST_IN];

    private int inLength;
    private ByteBuffer pending;
    private SelectionKey key;
    private volatile AsyncForward exchange;
    private volatile long deadline;
    private long serverNanos;
    private int uses;
    private boolean answerStarted;

    /**
     * Reading stopped while an answer is relayed (the server sent more than its answer, or closed).
     */
    private boolean paused;

    private boolean serverDone;
    private long idleSinceNanos;

    /**
     * The most a streamed body's piece holds. Each piece costs a read, a write to the client and a
     * turn of the loop once the client has taken it, so fewer, larger pieces cost less per byte; 64
     * KB is the largest buffer Jetty's pool keeps by default.
     */
    static final int PIECE = 64 * 1024;

    /** The piece of a streamed body being read (see {@link #readPiece}); the loop's thread only. */
    private RetainableByteBuffer piece;

    /**
     * A direct buffer per sending thread for request heads (the selectors' threads, mostly): the
     * JDK would copy a heap buffer into a temporary direct one of its per-thread cache, taken and
     * given back for each write. None on a virtual thread (Java 21+), which would keep one each.
     */
    private static final ThreadLocal<ByteBuffer> SEND_BUFFER =
            ThreadLocal.withInitial(
                    () ->
                            org.eclipse.jetty.util.VirtualThreads.isVirtualThread()
                                    ? null
                                    : ByteBuffer.allocateDirect(FIRST_IN));

    private AsyncConnection(UpstreamLoop loop, SocketChannel channel, int state) {
        this.loop = loop;
        this.channel = channel;
        this.state = new AtomicInteger(state);
    }

    /**
     * Starts connecting to {@code address} for {@code exchange}, which hears back on the loop's
     * thread: {@link AsyncForward#onConnected} or {@link AsyncForward#onConnectFailed}.
     */
    static void connect(
            UpstreamLoop loop, InetSocketAddress address, long connectMs, AsyncForward exchange)
            throws IOException {
        SocketChannel channel = SocketChannel.open();
        AsyncConnection connection = new AsyncConnection(loop, channel, CONNECTING);
        connection.exchange = exchange;
        connection.deadline =
                connectMs > 0 ? deadlineAfter(TimeUnit.MILLISECONDS.toNanos(connectMs)) : 0;
        boolean connected;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            connected = channel.connect(address);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        loop.execute(() -> connection.register(connected));
    }

    /** The server's deadline from now ({@code timeout server}), none when it has no timeout. */
    private void armDeadline() {
        if (serverNanos > 0) {
            deadline = deadlineAfter(serverNanos);
            loop.deadlineArmed();
        } else {
            deadline = 0;
        }
    }

    /** True while a deadline is set. */
    boolean hasDeadline() {
        return deadline != 0;
    }

    private static long deadlineAfter(long nanos) {
        long d = System.nanoTime() + nanos;
        return d == 0 ? 1 : d;
    }

    private void register(boolean connected) {
        if (state.get() == CLOSED) {
            return;
        }
        try {
            key =
                    channel.register(
                            loop.selector(),
                            connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT,
                            this);
        } catch (ClosedChannelException e) {
            close();
            exchange.onConnectFailed(e);
            return;
        }
        if (hasDeadline()) {
            // The connect's deadline, set before the connection was the loop's to check.
            loop.deadlineArmed();
        }
        if (connected) {
            connected();
        }
    }

    private void connected() {
        if (state.compareAndSet(CONNECTING, BUSY)) {
            deadline = 0;
            exchange.onConnected(this);
        }
    }

    /** Claims an idle pooled connection; false when the loop closed it meanwhile. */
    boolean take() {
        return state.compareAndSet(IDLE, BUSY);
    }

    /** True when the connection carried a request before (the server may have closed it since). */
    boolean reused() {
        return uses > 1;
    }

    boolean answerStarted() {
        return answerStarted;
    }

    /** Starts a request for {@code forward}: returns the empty head to write it into. */
    RequestHead beginRequest(AsyncForward forward, long serverMs) {
        head.reset();
        inLength = 0;
        answerStarted = false;
        uses++;
        serverNanos = TimeUnit.MILLISECONDS.toNanos(serverMs);
        armDeadline();
        exchange = forward;
        return head;
    }

    /** Sends the head; what the socket does not take now goes out when it can. */
    void send() throws IOException {
        int length = head.length();
        ByteBuffer direct = SEND_BUFFER.get();
        int written;
        if (direct != null && length <= direct.capacity()) {
            direct.clear();
            direct.put(head.bytes(), 0, length).flip();
            written = channel.write(direct);
        } else {
            written = channel.write(ByteBuffer.wrap(head.bytes(), 0, length));
        }
        if (written < length) {
            pending = ByteBuffer.wrap(head.bytes(), written, length - written);
            loop.execute(
                    () -> {
                        if (key != null && key.isValid()) {
                            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        }
                    });
        }
    }

    /** The loop this connection's events are handled on. */
    UpstreamLoop loop() {
        return loop;
    }

    /** A Jetty selector's call: this connection is ready; handled at once, on its thread. */
    @Override
    public Runnable onSelected() {
        SelectionKey selected = key;
        if (selected != null) {
            UpstreamLoop.handle(this, selected);
        }
        return null;
    }

    /** Interest is set by the connection itself, on the loop's thread. */
    @Override
    public void updateKey() {}

    @Override
    public void replaceKey(SelectionKey newKey) {
        key = newKey;
    }

    /** Called by the loop when the selector has something for this connection. */
    void ready(SelectionKey selected) {
        AsyncForward forward = exchange;
        int ops = selected.readyOps();
        if ((ops & SelectionKey.OP_CONNECT) != 0) {
            try {
                channel.finishConnect();
            } catch (IOException e) {
                if (state.compareAndSet(CONNECTING, CLOSED)) {
                    close();
                    forward.onConnectFailed(e);
                }
                return;
            }
            selected.interestOps(SelectionKey.OP_READ);
            connected();
            return;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && pending != null) {
            try {
                channel.write(pending);
            } catch (IOException e) {
                pending = null;
                if (state.get() == BUSY) {
                    forward.onFailed(this, e);
                }
                return;
            }
            if (!pending.hasRemaining()) {
                pending = null;
                selected.interestOps(SelectionKey.OP_READ);
            }
        }
        if ((ops & SelectionKey.OP_READ) != 0) {
            int now = state.get();
            if (now == IDLE && state.compareAndSet(IDLE, CLOSED)) {
                // The server closed an idle connection (or sent something unasked): drop it.
                close();
            } else if (now == BUSY) {
                forward.onReadable(this);
            } else if (now == RELAYING) {
                pauseWhileRelaying(selected);
            } else if (now == STREAMING) {
                forward.onStreamReadable(this);
            }
        }
    }

    private void pauseWhileRelaying(SelectionKey selected) {
        if (inLength < in.length) {
            try {
                ByteBuffer direct = loop.readBuffer();
                direct.limit(Math.min(direct.capacity(), in.length - inLength));
                int n = channel.read(direct);
                if (n != 0) {
                    serverDone = true;
                }
            } catch (IOException e) {
                serverDone = true;
            }
        } else {
            serverDone = true;
        }
        paused = true;
        selected.interestOps(0);
    }

    /**
     * Reads what the server sent into the buffer, growing it while the socket fills it (up to
     * {@link ServerConnection#BUFFER}); the bytes read, -1 when the server closed the connection
     * first.
     */
    int read() throws IOException {
        int total = 0;
        while (true) {
            ByteBuffer direct = loop.readBuffer();
            direct.limit(Math.min(direct.capacity(), in.length - inLength));
            int n = channel.read(direct);
            if (n > 0) {
                direct.flip().get(in, inLength, n);
            }
            if (n < 0) {
                return total > 0 ? total : n;
            }
            if (n > 0) {
                inLength += n;
                total += n;
                answerStarted = true;
                armDeadline();
            }
            if (n == 0 || inLength < in.length || !grow()) {
                return total;
            }
        }
    }

    private boolean grow() {
        if (in.length >= ServerConnection.BUFFER) {
            return false;
        }
        in = java.util.Arrays.copyOf(in, Math.min(in.length * 2, ServerConnection.BUFFER));
        return true;
    }

    byte[] in() {
        return in;
    }

    int inLength() {
        return inLength;
    }

    /** Drops the first {@code n} bytes read (an interim 1xx answer). */
    void discard(int n) {
        System.arraycopy(in, n, in, 0, inLength - n);
        inLength -= n;
    }

    /**
     * The answer head is parsed and its body is in the buffer: no more reading or deadline until it
     * is relayed.
     */
    boolean relaying() {
        deadline = 0;
        return state.compareAndSet(BUSY, RELAYING);
    }

    /**
     * The answer head is parsed and its body is longer than what arrived with it: the body is
     * streamed to the client on the loop ({@link AsyncForward#onStreamReadable}), reading stopped
     * while each piece is written. False when the exchange ended meanwhile.
     */
    boolean streaming() {
        deadline = 0;
        if (!state.compareAndSet(BUSY, STREAMING)) {
            return false;
        }
        key.interestOps(0);
        // The pieces after what came with the head are read into pooled buffers (readPiece): this
        // connection's own buffer need not grow for them.
        return true;
    }

    /**
     * Reads the next piece of a streamed body into a buffer of {@code pool} (direct, so that
     * neither this read nor the write to the client copies it through a heap array): the bytes
     * read, 0 when none are there yet (the loop then watches for them, with the server's deadline),
     * -1 when the server closed the connection. {@link #takePiece} hands over what was read.
     */
    int readPiece(ByteBufferPool pool) throws IOException {
        if (piece == null) {
            piece = pool.acquire(PIECE, true);
        }
        ByteBuffer buffer = piece.getByteBuffer();
        BufferUtil.clearToFill(buffer);
        int n;
        try {
            n = channel.read(buffer);
        } finally {
            BufferUtil.flipToFlush(buffer, 0);
        }
        if (n > 0) {
            if ((key.interestOps() & SelectionKey.OP_READ) != 0) {
                key.interestOps(0);
            }
            deadline = 0;
        } else if (n == 0) {
            key.interestOps(SelectionKey.OP_READ);
            armDeadline();
        }
        return n;
    }

    /**
     * The piece {@link #readPiece} filled, from its first byte: the caller writes it and releases
     * it (a piece left here when the connection closes is dropped, not released: another thread may
     * close it while the loop reads).
     */
    RetainableByteBuffer takePiece() {
        RetainableByteBuffer taken = piece;
        piece = null;
        return taken;
    }

    /** A piece was written to the client: read the next one, on the loop's thread. */
    void nextPiece() {
        loop.execute(
                () -> {
                    AsyncForward forward = exchange;
                    if (state.get() == STREAMING) {
                        forward.onStreamReadable(this);
                    }
                });
    }

    /**
     * The streamed body was read whole: the connection is idle again, watched for reads; false when
     * it cannot carry another request (the caller closes it then).
     */
    boolean streamed() {
        if (!state.compareAndSet(STREAMING, IDLE)) {
            return false;
        }
        inLength = 0;
        deadline = 0;
        idleSinceNanos = System.nanoTime();
        // On the loop's thread (the last piece was read there): watched again before it is pooled.
        if (key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
        return true;
    }

    /** Ends a streamed exchange that failed: true for the one caller that does so. */
    boolean failStreaming() {
        if (!state.compareAndSet(STREAMING, CLOSED)) {
            return false;
        }
        close();
        return true;
    }

    /** True while part of the request head still waits to be written. */
    boolean writing() {
        return pending != null;
    }

    /**
     * Ends the exchange on this connection because it failed: true for the one caller that does so
     * (a failed write on the request's thread and a failed read on the loop can race).
     */
    boolean failBusy() {
        if (!state.compareAndSet(BUSY, CLOSED)) {
            return false;
        }
        close();
        return true;
    }

    /**
     * Gives the connection up to a blocking reader: it leaves the loop, turns blocking, and then
     * {@code then} runs (on the loop's thread) to hand it over.
     */
    void handOff(Runnable then) {
        deadline = 0;
        if (!state.compareAndSet(BUSY, HANDED_OFF)) {
            return;
        }
        key.cancel();
        loop.afterCancelledKeysLeave(
                () -> {
                    try {
                        channel.configureBlocking(true);
                    } catch (IOException e) {
                        close();
                    }
                    then.run();
                });
    }

    /** The blocking side of this connection, with the bytes already read after the answer head. */
    ServerConnection adopt(int headEnd) throws IOException {
        if (!channel.isOpen() || !channel.isBlocking()) {
            throw new ClosedChannelException();
        }
        return ServerConnection.adopt(
                channel.socket(), in, headEnd, inLength - headEnd, uses, this);
    }

    /**
     * Back from the blocking reader it was handed off to, its answer relayed whole: non-blocking
     * again and registered with its loop, then given to {@code idle} (the server's pool), so the
     * next request reuses it instead of opening a connection (as HAProxy reuses its connections
     * whatever the size of the answers).
     */
    void backFromHandOff(java.util.function.Consumer<AsyncConnection> idle) {
        loop.execute(
                () -> {
                    try {
                        channel.configureBlocking(false);
                        key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
                    } catch (IOException | RuntimeException e) {
                        close();
                        return;
                    }
                    if (in.length > FIRST_IN) {
                        in = new byte[FIRST_IN];
                    }
                    inLength = 0;
                    pending = null;
                    paused = false;
                    serverDone = false;
                    idleSinceNanos = System.nanoTime();
                    if (state.compareAndSet(HANDED_OFF, IDLE)) {
                        idle.accept(this);
                    } else {
                        close();
                    }
                });
    }

    /**
     * Back to idle after its answer was relayed; false when it cannot carry another request (the
     * caller closes it then).
     */
    boolean backToIdle() {
        if (serverDone || !state.compareAndSet(RELAYING, IDLE)) {
            return false;
        }
        inLength = 0;
        idleSinceNanos = System.nanoTime();
        if (paused) {
            paused = false;
            loop.execute(
                    () -> {
                        if (key != null && key.isValid()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    });
        }
        return true;
    }

    /** Tells the exchange when its deadline passed; the loop calls this every tick. */
    void checkDeadline(long now) {
        long d = deadline;
        int s = state.get();
        if (d != 0 && now - d >= 0 && s == STREAMING) {
            deadline = 0;
            exchange.onStreamFailed(
                    this,
                    new java.net.SocketTimeoutException(
                            "the server did not send the rest of its answer in time"));
        } else if (d != 0 && now - d >= 0 && (s == BUSY || s == CONNECTING)) {
            deadline = 0;
            if (s == CONNECTING) {
                if (state.compareAndSet(CONNECTING, CLOSED)) {
                    close();
                    exchange.onConnectFailed(
                            new java.net.SocketTimeoutException("connect timed out"));
                }
            } else {
                exchange.onFailed(
                        this,
                        new java.net.SocketTimeoutException("the server did not answer in time"));
            }
        }
    }

    /**
     * The loop caught an unexpected exception while handling this connection: close it and fail its
     * request.
     */
    void failUnexpectedly(RuntimeException e) {
        int was = state.getAndSet(CLOSED);
        close();
        AsyncForward forward = exchange;
        if (was != IDLE && was != CLOSED && was != HANDED_OFF && forward != null) {
            forward.abort(e);
        }
    }

    @Override
    public long idleSinceNanos() {
        return idleSinceNanos;
    }

    @Override
    public void close() {
        state.set(CLOSED);
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
