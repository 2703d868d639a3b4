package dev.lbkit.balancer.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A client connection that can tell, while lbkit waits for a server, whether the client has closed
 * its side ({@code option abortonclose}). Jetty does not read a connection while one of its
 * requests is being answered, so nobody would notice the close until the answer is written.
 *
 * <p>{@link #watch} asks the selector to say when the connection becomes readable, on Jetty's own
 * fill interest (Jetty leaves it unused meanwhile), and then reads: the end of the stream is the
 * close; bytes (a pipelined request) are kept and handed to Jetty's next {@link #fill} before
 * anything else, so no byte is lost or reordered. When Jetty asks for fill interest while a watch
 * holds it, the watch hands it over. Nothing of this runs unless a watch is asked for: without
 * {@code abortonclose}, each call costs one read of a volatile flag.
 */
final class ClientEndPoint extends SocketChannelEndPoint {
    /** The most a watch keeps of what the client sends while its request waits. */
    private static final int KEEP = 4096;

    private final Executor executor;

    /**
     * The Jetty selector that handles this connection, and the server connections of its requests.
     */
    private final ManagedSelector managedSelector;

    /**
     * The upstream loop of this connection's server connections, chosen by {@link Upstream#loopFor}
     * at its first request; set and read on the threads that handle its requests one after the
     * other, so at worst chosen twice, the same way.
     */
    private UpstreamLoop upstreamLoop;

    /** The key, when it is one that can take Jetty's wish to read without an interest update. */
    private volatile LazyReadKey lazyKey;

    private final Object lock = new Object();

    /** Bytes read while watching, not yet given to Jetty (flush mode); null until the first. */
    private ByteBuffer kept;

    /** The watch that holds the fill interest now, or null. */
    private Watch watch;

    /**
     * Jetty's fill callback, registered while a watch held the interest: the watch passes it on.
     */
    private Callback handedOver;

    /** The client's side has ended (a read gave -1). */
    private boolean ended;

    /**
     * Whether this connection was ever watched or read ahead: until then every call goes straight
     * to Jetty's endpoint, without the lock (the path of every connection without {@code
     * abortonclose}).
     */
    private volatile boolean used;

    ClientEndPoint(
            SocketChannel channel,
            ManagedSelector selector,
            SelectionKey key,
            Scheduler scheduler,
            Executor executor) {
        super(channel, selector, key, scheduler);
        this.executor = executor;
        this.managedSelector = selector;
        this.lazyKey = key instanceof LazyReadKey lazy ? lazy : null;
    }

    /** The Jetty selector that handles this connection. */
    ManagedSelector managedSelector() {
        return managedSelector;
    }

    UpstreamLoop upstreamLoop() {
        return upstreamLoop;
    }

    void upstreamLoop(UpstreamLoop loop) {
        upstreamLoop = loop;
    }

    /**
     * Jetty waits to read: when the selector watches for reads already (almost always, see {@link
     * LazyReadKey}), nothing has to change but a flag, from whatever thread Jetty is on; the
     * selector is not woken.
     */
    @Override
    protected void needsFillInterest() {
        LazyReadKey lazy = lazyKey;
        if (lazy != null && lazy.armRead()) {
            return;
        }
        super.needsFillInterest();
    }

    @Override
    public void replaceKey(SelectionKey newKey) {
        lazyKey = newKey instanceof LazyReadKey lazy ? lazy : null;
        super.replaceKey(newKey);
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        if (used) {
            synchronized (lock) {
                if (kept != null && kept.hasRemaining()) {
                    return BufferUtil.append(buffer, kept);
                }
            }
        }
        return super.fill(buffer);
    }

    /**
     * Whether the client has closed its side by now, reading (and keeping) what it sent meanwhile:
     * never blocks.
     */
    boolean clientClosed() {
        used = true;
        synchronized (lock) {
            if (ended) {
                return true;
            }
            if (kept == null) {
                kept = BufferUtil.allocate(KEEP);
            }
            try {
                while (BufferUtil.space(kept) > 0) {
                    int position = BufferUtil.flipToFill(kept);
                    int n;
                    try {
                        n = getChannel().read(kept);
                    } finally {
                        BufferUtil.flipToFlush(kept, position);
                    }
                    if (n < 0) {
                        ended = true;
                        return true;
                    }
                    if (n == 0) {
                        return false;
                    }
                }
            } catch (IOException e) {
                // A reset: the client is gone.
                ended = true;
                return true;
            }
            return false;
        }
    }

    /**
     * Runs {@code onClose} once, on a selector thread, if the client closes its side before {@link
     * #unwatch}; false when the connection cannot be watched now (Jetty is reading it, it is
     * already watched, or the client has sent more already).
     */
    boolean watch(Runnable onClose) {
        used = true;
        Watch w = new Watch(onClose);
        synchronized (lock) {
            // Bytes already kept wait for Jetty, which will be told of them at once: a watch
            // would hold the interest they need.
            if (watch != null || handedOver != null || (kept != null && kept.hasRemaining())) {
                return false;
            }
            watch = w;
        }
        if (!super.tryFillInterested(w)) {
            dropped(w);
            return false;
        }
        return true;
    }

    /**
     * {@code w} could not take the fill interest: it is no watch any more, and a callback Jetty
     * handed it meanwhile runs now (Jetty then fills, finds nothing and asks again).
     */
    private void dropped(Watch w) {
        Callback jetty;
        synchronized (lock) {
            if (watch == w) {
                watch = null;
            }
            jetty = handedOver;
            handedOver = null;
        }
        if (jetty != null) {
            executor.execute(jetty::succeeded);
        }
    }

    /** Stops watching: {@code onClose} is not run any more. */
    void unwatch() {
        synchronized (lock) {
            if (watch != null) {
                watch.stopped = true;
            }
        }
    }

    @Override
    public void fillInterested(Callback callback) {
        if (!used) {
            super.fillInterested(callback);
            return;
        }
        Taken taken;
        synchronized (lock) {
            taken = handOver(callback);
            if (taken == Taken.NO_WATCH) {
                super.fillInterested(callback);
            }
        }
        afterTaking(taken, callback);
    }

    @Override
    public boolean tryFillInterested(Callback callback) {
        if (!used) {
            return super.tryFillInterested(callback);
        }
        Taken taken;
        synchronized (lock) {
            taken = handOver(callback);
            if (taken == Taken.NO_WATCH && !super.tryFillInterested(callback)) {
                return false;
            }
        }
        afterTaking(taken, callback);
        return true;
    }

    @Override
    public boolean isFillInterested() {
        if (!used) {
            return super.isFillInterested();
        }
        synchronized (lock) {
            if (watch != null) {
                return handedOver != null;
            }
            return super.isFillInterested();
        }
    }

    /** What became of Jetty's fill callback. */
    private enum Taken {
        /** No watch held the interest: registered as usual. */
        NO_WATCH,
        /** A watch holds the interest and passes it on when it fires. */
        HANDED_OVER,
        /** Bytes a watch read wait already: no readiness will come for them, so it runs now. */
        RUN_NOW
    }

    /**
     * Jetty asks for the fill interest: a watch that holds it stops watching and takes {@code
     * callback} over, unless bytes it read wait already. Called with the lock held.
     */
    private Taken handOver(Callback callback) {
        if (watch == null) {
            return Taken.NO_WATCH;
        }
        watch.stopped = true;
        if (kept != null && kept.hasRemaining()) {
            return Taken.RUN_NOW;
        }
        handedOver = callback;
        return Taken.HANDED_OVER;
    }

    private void afterTaking(Taken taken, Callback callback) {
        switch (taken) {
            case RUN_NOW -> executor.execute(callback::succeeded);
            case NO_WATCH -> fillableNowIfKept();
            case HANDED_OVER -> {
                // the watch calls it
            }
        }
    }

    /**
     * Bytes kept from a watch wait for Jetty, and the selector will not report them (they left the
     * socket): Jetty's callback runs now.
     */
    private void fillableNowIfKept() {
        boolean now;
        synchronized (lock) {
            now = kept != null && kept.hasRemaining();
        }
        if (now) {
            executor.execute(() -> getFillInterest().fillable());
        }
    }

    /** The fill interest a watch registers. */
    private final class Watch implements Callback {
        private final Runnable onClose;

        /** Guarded by the endpoint's lock. */
        boolean stopped;

        Watch(Runnable onClose) {
            this.onClose = onClose;
        }

        @Override
        public void succeeded() {
            Callback jetty;
            boolean closed = false;
            boolean again = false;
            synchronized (lock) {
                if (watch == this) {
                    watch = null;
                }
                jetty = handedOver;
                handedOver = null;
                // Read only while nobody else waits to: Jetty's own interest (registered once this
                // watch had fired) must find what the socket holds.
                if (jetty == null && !stopped && !ClientEndPoint.super.isFillInterested()) {
                    closed = clientClosed();
                    // Bytes (a pipelined request) end the watch: they wait for Jetty, which is told
                    // at once when it asks (fillableNowIfKept).
                    again = !closed && !kept.hasRemaining();
                    if (again) {
                        watch = this;
                    }
                }
            }
            if (jetty != null) {
                executor.execute(jetty::succeeded);
            } else if (closed) {
                onClose.run();
            } else if (again && !ClientEndPoint.super.tryFillInterested(this)) {
                dropped(this);
            }
        }

        @Override
        public void failed(Throwable failure) {
            Callback jetty;
            synchronized (lock) {
                if (watch == this) {
                    watch = null;
                }
                jetty = handedOver;
                handedOver = null;
            }
            if (jetty != null) {
                jetty.failed(failure);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }
}
