package dev.lbkit.balancer.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ManagedSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event loop for lbkit's non-blocking server connections, as HAProxy runs one per thread: one
 * thread waits for every connection of the loop at once and handles what is ready (an answer
 * arriving, a connect completing), so a request waiting for its server holds no thread. Deadlines
 * ({@code timeout connect}, {@code timeout server}) are checked every {@link #TICK_MS} milliseconds
 * while the loop has any; a loop without them sleeps until something happens.
 *
 * <p>There are two kinds. A {@link ThreadLoop} has a thread and a selector of its own; there are
 * {@code nbthread} of them, and they are the default. A {@link SelectorLoop} is one of the
 * frontend's own selectors (Jetty's event loops for the client connections), chosen with {@code
 * -Dlbkit.upstreamLoops=selectors}: a request's server connection is then handled on the thread
 * that handles its client connection, as one HAProxy thread handles both sides of a stream. That
 * spares a thread hand-over and some CPU per request, but on two cores shared with the load
 * generator and the servers, two busy threads instead of four served fewer requests/s at a higher
 * p99 (docs/benchmarks.md).
 *
 * <p><b>Locks.</b> A connection's whole answer path (relaying to Jetty, giving the server slot back
 * under the backend's lock) runs on the loop's thread, inside a ThreadLoop's {@code select}, which
 * holds the selector's own monitors. That is safe because no other thread ever waits for the
 * selector: they hand work over with {@link #execute} (a queue and a wakeup), and connections
 * register from the loop's own thread. Keep it that way, and keep the backend's lock a leaf (see
 * {@link dev.lbkit.balancer.Backend}).
 */
abstract class UpstreamLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamLoop.class);
    static final long TICK_MS = 10;

    /**
     * Where the loop's connections read their servers' answers before copying them into their own
     * buffers; the loop's thread only. Reading into a heap buffer, the JDK takes a temporary direct
     * buffer from a per-thread cache and gives it back for each read, which cost more than the copy
     * (docs/benchmarks.md).
     */
    private final java.nio.ByteBuffer readBuffer =
            java.nio.ByteBuffer.allocateDirect(ServerConnection.BUFFER);

    /** {@link #readBuffer}, cleared; for the loop's thread only. */
    final java.nio.ByteBuffer readBuffer() {
        return readBuffer.clear();
    }

    /**
     * True while the current thread handles a server connection's event, for any loop. Loops run
     * only on {@link LoopThread}s (the upstream loops' and the frontends' pool threads), which keep
     * the mark; on any other thread it is false.
     */
    static boolean inAnyLoop() {
        return Thread.currentThread() instanceof LoopThread loop && loop.handling;
    }

    private static void setHandling(boolean handling) {
        if (Thread.currentThread() instanceof LoopThread loop) {
            loop.handling = handling;
        }
    }

    /** The selector the loop's connections register with; use it on the loop's thread only. */
    abstract Selector selector();

    /** Runs {@code task} on the loop's thread, soon. */
    abstract void execute(Runnable task);

    /**
     * Runs {@code task} on the loop's thread once the keys cancelled before this call have left the
     * selector (a channel may turn blocking only then).
     */
    abstract void afterCancelledKeysLeave(Runnable task);

    /** Hands a selected key to its connection. */
    static void readyKey(SelectionKey key) {
        if (key.attachment() instanceof AsyncConnection connection) {
            handle(connection, key);
        }
    }

    static void handle(AsyncConnection connection, SelectionKey key) {
        // On a ThreadLoop's thread the mark is always set: nothing to set or clear per event.
        boolean mark = !inAnyLoop();
        if (mark) {
            setHandling(true);
        }
        try {
            connection.ready(key);
        } catch (RuntimeException e) {
            connection.failUnexpectedly(e);
        } finally {
            if (mark) {
                setHandling(false);
            }
        }
    }

    /** Runs {@code task} marked as the loop's work. */
    static void runHandling(Runnable task) {
        if (inAnyLoop()) {
            task.run();
            return;
        }
        setHandling(true);
        try {
            task.run();
        } finally {
            setHandling(false);
        }
    }

    /**
     * Whether a connection of this loop may have a deadline. A loop ticks only while it is set, so
     * a loop with no request in flight is not woken every {@link #TICK_MS} for nothing (with a high
     * nbthread, thousands of wake-ups a second).
     */
    private volatile boolean deadlines;

    /** A connection of this loop set a deadline (after setting it, from any thread). */
    final void deadlineArmed() {
        if (!deadlines) {
            deadlines = true;
            firstDeadline();
        }
    }

    /** The loop had no deadline to check and now may have one. */
    void firstDeadline() {}

    /** True when a connection of this loop may have a deadline to check. */
    final boolean hasDeadlines() {
        return deadlines;
    }

    /**
     * Tells each connection of {@code selector} (this loop's) the time, for its deadline; on the
     * loop's thread. The flag is cleared first and set again if a deadline is left, so a deadline
     * armed meanwhile on another thread is either seen here or sets the flag anew.
     */
    final void checkDeadlines(Selector selector) {
        deadlines = false;
        long now = System.nanoTime();
        boolean left = false;
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof AsyncConnection connection) {
                connection.checkDeadline(now);
                left |= connection.hasDeadline();
            }
        }
        if (left) {
            deadlines = true;
        }
    }

    static void closeConnections(Selector selector) {
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof AsyncConnection connection) {
                connection.close();
            }
        }
    }

    @Override
    public abstract void close();

    /** A loop with a thread and a selector of its own. */
    static final class ThreadLoop extends UpstreamLoop {
        private final Selector selector;
        private final Thread thread;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private volatile boolean running = true;
        private long nextTick;

        ThreadLoop(String name) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot open a selector for the upstream event loop", e);
            }
            thread = new LoopThread(this::run, name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        Selector selector() {
            return selector;
        }

        @Override
        void execute(Runnable task) {
            tasks.add(task);
            if (Thread.currentThread() != thread) {
                selector.wakeup();
            }
        }

        @Override
        void afterCancelledKeysLeave(Runnable task) {
            execute(
                    () -> {
                        try {
                            selector.selectNow(UpstreamLoop::readyKey);
                        } catch (IOException e) {
                            LOG.debug("upstream event loop: {}", e.toString(), e);
                        }
                        task.run();
                    });
        }

        private void run() {
            // Everything this thread does is the loop's.
            setHandling(true);
            while (running) {
                try {
                    // Without a deadline to check, wait until an event or a wake-up (0: no
                    // timeout); a deadline armed meanwhile wakes the selector (firstDeadline).
                    selector.select(UpstreamLoop::readyKey, hasDeadlines() ? TICK_MS : 0);
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                    long now = System.nanoTime();
                    if (hasDeadlines() && now - nextTick >= 0) {
                        nextTick = now + TimeUnit.MILLISECONDS.toNanos(TICK_MS);
                        checkDeadlines(selector);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("upstream event loop: {}", e.toString(), e);
                }
            }
            closeConnections(selector);
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        @Override
        void firstDeadline() {
            if (Thread.currentThread() != thread) {
                selector.wakeup();
            }
        }

        @Override
        public void close() {
            running = false;
            selector.wakeup();
        }
    }

    /**
     * One of a frontend's Jetty selectors, shared with the client connections it handles. Its
     * connections are {@link ManagedSelector.Selectable}: the selector calls them when they are
     * ready, on its own thread; work from other threads goes in with {@link
     * ManagedSelector#submit}. {@link Upstream} ticks it for the deadlines.
     */
    static final class SelectorLoop extends UpstreamLoop {
        private final ManagedSelector managed;

        SelectorLoop(ManagedSelector managed) {
            this.managed = managed;
        }

        ManagedSelector managed() {
            return managed;
        }

        @Override
        Selector selector() {
            return managed.getSelector();
        }

        @Override
        void execute(Runnable task) {
            managed.submit(selector -> runHandling(task));
        }

        @Override
        void afterCancelledKeysLeave(Runnable task) {
            // An update submitted while the selector applies its updates runs after the next
            // select, which is when cancelled keys leave.
            managed.submit(selector -> managed.submit(again -> runHandling(task)));
        }

        void tick() {
            if (hasDeadlines()) {
                managed.submit(selector -> runHandling(() -> checkDeadlines(selector)));
            }
        }

        @Override
        public void close() {
            if (managed.isRunning()) {
                managed.submit(UpstreamLoop::closeConnections);
            }
        }
    }
}
