package dev.lbkit.balancer.log;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One frontend's access log: formats each finished request on the thread that finished it and hands
 * the line to a writer thread of its own, through a lock-free queue, so the request path never
 * waits for a pipe, a terminal or a syslog server. When the writer falls {@value #MAX_PENDING}
 * lines behind, new lines are dropped and counted, as HAProxy drops log lines it cannot send. A
 * frontend that does not log has no {@code AccessLog} at all.
 *
 * <pre>{@code
 * AccessLog log = AccessLog.open("web", settings);   // null when the frontend does not log
 * log.write(record);                                 // at the end of each request
 * }</pre>
 */
public final class AccessLog implements AutoCloseable {
    static final int MAX_PENDING = 100_000;

    /** How long {@link #close} waits for a writer that writes nothing before it stops waiting. */
    static final long STALL_MS = 10_000;

    private static final String TAG = "lbkit";

    /** Requests in progress in every logging frontend of this process (%ac). */
    private static final AtomicInteger ACTIVE = new AtomicInteger();

    /** Requests seen by every logging frontend of this process (%rt). */
    private static final AtomicLong REQUESTS = new AtomicLong();

    private final LogFormat format;
    private final boolean countsOwnAnswers;
    private final List<Sink> sinks;
    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean writerParked = new AtomicBoolean();
    private final Thread writer;
    private final String frontend;
    private volatile boolean closed;

    private AccessLog(
            String frontend, LogFormat format, boolean countsOwnAnswers, List<Sink> sinks) {
        this.frontend = frontend;
        this.format = format;
        this.countsOwnAnswers = countsOwnAnswers;
        this.sinks = sinks;
        this.writer = new Thread(this::drainForever, "lbkit-log-" + frontend);
        writer.setDaemon(true);
    }

    /**
     * The access log of {@code frontend}, started; null when {@code settings} have no target or
     * none of its targets can be written (each such target is named on stderr, once).
     */
    public static AccessLog open(String frontend, LogSettings settings) {
        if (settings.targets().isEmpty()) {
            return null;
        }
        List<Sink> sinks = new ArrayList<>();
        for (LogTarget target : settings.targets()) {
            Sink sink = Sink.of(target);
            if (sink == null) {
                System.err.println(
                        "[WARNING] frontend '"
                                + frontend
                                + "': lbkit cannot write logs to '"
                                + target.address()
                                + "' (a UNIX datagram socket or a ring); use 'log stdout' or a UDP"
                                + " syslog address. Lines for it are skipped.");
            } else {
                sinks.add(sink);
            }
        }
        if (sinks.isEmpty()) {
            return null;
        }
        AccessLog log =
                new AccessLog(frontend, settings.format(), settings.countsOwnAnswers(), sinks);
        log.writer.start();
        return log;
    }

    /**
     * Whether {@code %B} counts the balancer's own answers (error pages); false from HAProxy 3.4.
     */
    public boolean countsOwnAnswers() {
        return countsOwnAnswers;
    }

    /** Whether this log writes a line per request (it has a format); else one per connection. */
    public boolean logsRequests() {
        return format != null;
    }

    /**
     * A client connection was accepted, in a frontend that has log targets but no log format:
     * HAProxy's line for it, {@code Connect from 127.0.0.1:44624 to 127.0.0.1:8080 (web/HTTP)}.
     */
    public void connectionAccepted(String client, String listener, String frontend) {
        enqueue("Connect from " + client + " to " + listener + " (" + frontend + "/HTTP)");
    }

    /** A request began: counts it for %ac and returns its number (%rt). */
    public static long requestStarted() {
        ACTIVE.incrementAndGet();
        return REQUESTS.getAndIncrement();
    }

    /** Requests in progress in the logging frontends (%ac), this one included. */
    public static int active() {
        return ACTIVE.get();
    }

    /** Formats the finished request and queues its line; never blocks. */
    public void write(AccessRecord record) {
        ACTIVE.decrementAndGet();
        enqueue(format.format(record));
    }

    private void enqueue(String line) {
        if (closed) {
            return;
        }
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        pending.add(line);
        if (writerParked.get()) {
            LockSupport.unpark(writer);
        }
    }

    /** Lines dropped because the writer was too far behind. */
    public long dropped() {
        return dropped.get();
    }

    private void drainForever() {
        while (true) {
            String line = pending.poll();
            if (line != null) {
                pendingCount.decrementAndGet();
                Instant now = Instant.now();
                for (Sink sink : sinks) {
                    sink.write(line, now);
                }
                continue;
            }
            sinks.forEach(Sink::flush);
            if (closed) {
                return;
            }
            writerParked.set(true);
            if (pending.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            writerParked.set(false);
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            // Until the writer has written what is queued: it may be slow to get a core on a busy
            // machine (a fixed 2 s wait lost every line once). Only a writer that writes nothing
            // for STALL_MS (a stdout nobody reads) is given up on.
            int left = pendingCount.get();
            long lastProgress = System.nanoTime();
            while (writer.isAlive()) {
                writer.join(100);
                int now = pendingCount.get();
                if (now != left) {
                    left = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress
                        > TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sinks.forEach(Sink::close);
        if (dropped.get() > 0) {
            System.err.println(
                    "[WARNING] frontend '"
                            + frontend
                            + "': "
                            + dropped.get()
                            + " access log lines were"
                            + " dropped because the log writer fell "
                            + MAX_PENDING
                            + " lines behind (a slow stdout or pipe?).");
        }
    }

    /** One target, as the writer thread uses it. */
    private abstract static class Sink {
        final LogTarget target;
        private final long pid = ProcessHandle.current().pid();

        Sink(LogTarget target) {
            this.target = target;
        }

        static Sink of(LogTarget target) {
            return switch (target.kind()) {
                case STDOUT -> new StreamSink(target, System.out);
                case STDERR -> new StreamSink(target, System.err);
                case UDP -> UdpSink.open(target);
                case UNIX -> null;
            };
        }

        /** The framed line, cut to the target's {@code len} (newline included), as bytes. */
        byte[] frame(String line, Instant now) {
            if (!target.passes(LogTarget.INFO)) {
                return null;
            }
            int level = target.writtenLevel(LogTarget.INFO);
            String whole = target.framing().header(target.facility(), level, now, TAG, pid) + line;
            byte[] bytes = whole.getBytes(StandardCharsets.ISO_8859_1);
            int length = Math.min(bytes.length, target.maxLength() - 1);
            byte[] framed = java.util.Arrays.copyOf(bytes, length + 1);
            framed[length] = '\n';
            return framed;
        }

        abstract void write(String line, Instant now);

        void flush() {}

        void close() {}
    }

    /** stdout or stderr, as the process had them when the log opened. */
    private static final class StreamSink extends Sink {
        private final PrintStream out;

        StreamSink(LogTarget target, PrintStream out) {
            super(target);
            this.out = out;
        }

        @Override
        void write(String line, Instant now) {
            byte[] framed = frame(line, now);
            if (framed != null) {
                out.write(framed, 0, framed.length);
            }
        }

        @Override
        void flush() {
            out.flush();
        }
    }

    /** A syslog server over UDP: one datagram per line. */
    private static final class UdpSink extends Sink {
        private final DatagramChannel channel;
        private final InetSocketAddress server;

        private UdpSink(LogTarget target, DatagramChannel channel) {
            super(target);
            this.channel = channel;
            this.server = new InetSocketAddress(target.host(), target.port());
        }

        static UdpSink open(LogTarget target) {
            try {
                return new UdpSink(target, DatagramChannel.open());
            } catch (IOException e) {
                System.err.println(
                        "[WARNING] cannot open a UDP socket for 'log "
                                + target.address()
                                + "': "
                                + e.getMessage());
                return null;
            }
        }

        @Override
        void write(String line, Instant now) {
            byte[] framed = frame(line, now);
            if (framed == null) {
                return;
            }
            try {
                channel.send(ByteBuffer.wrap(framed), server);
            } catch (IOException e) {
                // A syslog server that is not there loses the line, as with HAProxy; the request is
                // not affected.
            }
        }

        @Override
        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
