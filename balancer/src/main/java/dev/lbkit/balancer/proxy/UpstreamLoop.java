package dev.lbkit.balancer.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event loop for lbkit's non-blocking server connections, as HAProxy runs one per thread: one
 * thread waits for every connection of the loop at once and handles what is ready (an answer
 * arriving, a connect completing), so a request waiting for its server holds no thread. Deadlines
 * ({@code timeout connect}, {@code timeout server}) are checked every {@link #TICK_MS}
 * milliseconds.
 *
 * <p><b>Locks.</b> {@code select} calls {@link #readyKey} for each ready key while it holds the
 * selector's own monitors, so a connection's whole answer path (relaying to Jetty, giving the
 * server slot back under the backend's lock) runs under them. That is safe because no other thread
 * ever waits for this selector: they hand work over with {@link #execute} (a lock-free queue and a
 * wakeup), and connections register from the loop's own thread. Keep it that way, and keep the
 * backend's lock a leaf (see {@link dev.lbkit.balancer.Backend}).
 */
final class UpstreamLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamLoop.class);
    static final long TICK_MS = 10;

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private long nextTick;

    UpstreamLoop(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the upstream event loop", e);
        }
        thread = new LoopThread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** True on the thread of any upstream loop. */
    static boolean inAnyLoop() {
        return Thread.currentThread() instanceof LoopThread;
    }

    /** Marks the loops' threads. */
    private static final class LoopThread extends Thread {
        LoopThread(Runnable run, String name) {
            super(run, name);
        }
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop's thread, soon. */
    void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop()) {
            selector.wakeup();
        }
    }

    private void run() {
        while (running) {
            try {
                selector.select(this::readyKey, TICK_MS);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    nextTick = now + TimeUnit.MILLISECONDS.toNanos(TICK_MS);
                    for (SelectionKey key : selector.keys()) {
                        if (key.attachment() instanceof AsyncConnection connection) {
                            connection.checkDeadline(now);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("upstream event loop: {}", e.toString(), e);
            }
        }
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof AsyncConnection connection) {
                connection.close();
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Hands a selected key to its connection. */
    void readyKey(SelectionKey key) {
        if (key.attachment() instanceof AsyncConnection connection) {
            try {
                connection.ready(key);
            } catch (RuntimeException e) {
                connection.failUnexpectedly(e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
    }
}
