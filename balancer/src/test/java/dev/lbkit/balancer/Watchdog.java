package dev.lbkit.balancer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps a concurrency test from hanging the build. Every {@link #CHECK_EVERY_MS} ms a thread of its
 * own asks the JVM for deadlocked threads and looks for a watched operation past its limit; on the
 * first of either (or a worker's failure) it trips: it writes a report with every thread's stack
 * and the locks each holds and waits for, and {@link #awaitTrip} hands that report to the test,
 * which fails with it. A deadlock never ends by itself, so the test must not wait for it to.
 */
public final class Watchdog implements AutoCloseable {
    static final long CHECK_EVERY_MS = 50;

    /**
     * After a deadlock's full cycle, the other threads' top frames are enough to see what they were
     * doing.
     */
    private static final int TOP_FRAMES = 12;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Object, Watched> watched = new ConcurrentHashMap<>();
    private final CountDownLatch tripped = new CountDownLatch(1);
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService checker =
            Executors.newSingleThreadScheduledExecutor(
                    runnable -> {
                        Thread thread = new Thread(runnable, "watchdog");
                        thread.setDaemon(true);
                        return thread;
                    });
    private volatile String report;

    private record Watched(String what, String thread, long deadlineNanos, Duration limit) {}

    public Watchdog() {
        checker.scheduleWithFixedDelay(
                this::check, CHECK_EVERY_MS, CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code operation} on this thread, watched: the watchdog trips if it is still running
     * after {@code limit}.
     */
    public <T> T watch(String what, Duration limit, Callable<T> operation) throws Exception {
        Object ticket = new Object();
        watched.put(
                ticket,
                new Watched(
                        what,
                        Thread.currentThread().getName(),
                        System.nanoTime() + limit.toNanos(),
                        limit));
        try {
            return operation.call();
        } finally {
            watched.remove(ticket);
        }
    }

    /**
     * A worker of the test failed: trip with its failure, so the test ends now instead of at its
     * deadline.
     */
    public void workerFailed(String worker, Throwable failure) {
        StringWriter stack = new StringWriter();
        failure.printStackTrace(new PrintWriter(stack));
        trip(worker + " failed: " + stack);
    }

    public boolean tripped() {
        return tripped.getCount() == 0;
    }

    /**
     * Waits until the watchdog trips or {@code duration} has passed; the report when it tripped.
     */
    public Optional<String> awaitTrip(Duration duration) throws InterruptedException {
        tripped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        return Optional.ofNullable(report);
    }

    private void check() {
        long[] deadlocked = threads.findDeadlockedThreads();
        if (deadlocked != null) {
            ThreadInfo[] cycle = threads.getThreadInfo(deadlocked, true, true);
            trip(
                    "DEADLOCK: "
                            + deadlocked.length
                            + " threads each wait for a lock another holds\n"
                            + dump(cycle, Integer.MAX_VALUE)
                            + "\nAll threads, top frames:\n"
                            + dump(threads.dumpAllThreads(true, true), TOP_FRAMES));
            return;
        }
        long now = System.nanoTime();
        for (Watched w : watched.values()) {
            if (now - w.deadlineNanos() > 0) {
                trip(
                        "HANG: '"
                                + w.what()
                                + "' on thread "
                                + w.thread()
                                + " still waits after its limit of "
                                + w.limit().toMillis()
                                + " ms\n"
                                + dump(threads.dumpAllThreads(true, true), Integer.MAX_VALUE));
                return;
            }
        }
    }

    private synchronized void trip(String why) {
        if (report == null) {
            long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            report = "watchdog tripped " + afterMs + " ms after it started. " + why;
            tripped.countDown();
        }
    }

    /**
     * Threads as jstack shows them, up to {@code maxFrames} deep: the lock waited for, and the
     * locks held at each frame.
     */
    static String dump(ThreadInfo[] infos, int maxFrames) {
        StringBuilder out = new StringBuilder();
        for (ThreadInfo info : infos) {
            if (info == null) {
                continue;
            }
            out.append('"')
                    .append(info.getThreadName())
                    .append("\" ")
                    .append(info.getThreadState());
            if (info.getLockInfo() != null) {
                out.append(" waiting for ").append(info.getLockInfo());
            }
            if (info.getLockOwnerName() != null) {
                out.append(" held by \"").append(info.getLockOwnerName()).append('"');
            }
            out.append('\n');
            StackTraceElement[] stack = info.getStackTrace();
            for (int depth = 0; depth < Math.min(stack.length, maxFrames); depth++) {
                out.append("\tat ").append(stack[depth]).append('\n');
                for (MonitorInfo monitor : info.getLockedMonitors()) {
                    if (monitor.getLockedStackDepth() == depth) {
                        out.append("\t- locked ").append(monitor).append('\n');
                    }
                }
            }
            LockInfo[] synchronizers = info.getLockedSynchronizers();
            if (synchronizers.length > 0) {
                out.append("\tlocked synchronizers: ")
                        .append(Arrays.toString(synchronizers))
                        .append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Closes {@code resource} on a thread of its own and waits for it at most {@code limit}. A
     * deadlocked lbkit cannot stop (Jetty waits for its selector threads, which wait for the
     * deadlocked lock), and the build must go on. Returns false when it did not close in time.
     */
    public static boolean closeWithin(Duration limit, AutoCloseable resource) throws Exception {
        FutureTask<Void> closing =
                new FutureTask<>(
                        () -> {
                            resource.close();
                            return null;
                        });
        Thread closer = new Thread(closing, "closer");
        closer.setDaemon(true);
        closer.start();
        try {
            closing.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
