package dev.lbkit.balancer.proxy;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client connection's selection key that stops watching for reads only when it must. Jetty stops
 * reading a client connection while its request is served and starts again after the answer: two
 * changes of the selector's interest, each a system call ({@code epoll_ctl}), for every request.
 * The client rarely sends anything in between, so this key keeps watching and drops the read
 * interest only if bytes (or the end of the connection) do arrive while Jetty is not reading; those
 * are then hidden from Jetty until it reads again, when the interest comes back. HAProxy leaves a
 * connection's polling on in the same way while it expects to read again soon.
 *
 * <p>Jetty calls this key on its selector's thread only (interest changes and ready operations);
 * {@link #interestOps()} may be read from any thread.
 */
final class LazyReadKey extends SelectionKey {
    private final SelectionKey key;

    /** The interest Jetty asked for. */
    private volatile int wanted;

    /** The interest given to the selector: {@link #wanted}, plus reading while nothing arrives. */
    private int applied;

    /** The selector does not watch for reads. */
    private static final int NOT_WATCHING = 0;

    /** The selector watches for reads; Jetty has not asked to read (by {@link #armRead}). */
    private static final int WATCHING = 1;

    /** The selector watches for reads, and Jetty waits to read: the next readiness is Jetty's. */
    private static final int ARMED = 2;

    /** One of the three above; only {@link #armRead} changes it off the selector's thread. */
    private final AtomicInteger reads;

    LazyReadKey(SelectionKey key) {
        this.key = key;
        this.wanted = key.interestOps();
        this.applied = wanted;
        this.reads = new AtomicInteger((applied & OP_READ) != 0 ? WATCHING : NOT_WATCHING);
    }

    /**
     * Jetty waits to read, asked from any thread: true when the selector watches for reads already,
     * so that its next readiness goes to Jetty with no interest update; false when it does not (it
     * stopped after bytes arrived unasked), and Jetty must set its interest as usual.
     */
    boolean armRead() {
        return reads.compareAndSet(WATCHING, ARMED) || reads.get() == ARMED;
    }

    @Override
    public SelectableChannel channel() {
        return key.channel();
    }

    @Override
    public Selector selector() {
        return key.selector();
    }

    @Override
    public boolean isValid() {
        return key.isValid();
    }

    @Override
    public void cancel() {
        key.cancel();
    }

    @Override
    public int interestOps() {
        return wanted;
    }

    @Override
    public SelectionKey interestOps(int ops) {
        wanted = ops;
        int give = (applied & OP_READ) != 0 ? ops | OP_READ : ops;
        apply(give);
        return this;
    }

    @Override
    public int readyOps() {
        int ready = key.readyOps();
        if ((ready & OP_READ) == 0) {
            return ready;
        }
        if (reads.compareAndSet(ARMED, WATCHING) || (wanted & OP_READ) != 0) {
            return ready;
        }
        if (reads.compareAndSet(WATCHING, NOT_WATCHING)) {
            // Something arrived while Jetty is not reading: stop watching until it reads again.
            apply(wanted);
            return ready & ~OP_READ;
        }
        if (reads.compareAndSet(ARMED, WATCHING)) {
            // Jetty asked to read in the meantime.
            return ready;
        }
        return ready & ~OP_READ;
    }

    private void apply(int ops) {
        if (ops != applied) {
            key.interestOps(ops);
            applied = ops;
            if ((ops & OP_READ) == 0) {
                reads.set(NOT_WATCHING);
            } else {
                reads.compareAndSet(NOT_WATCHING, WATCHING);
            }
        }
    }
}
