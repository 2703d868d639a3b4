package dev.lbkit.balancer.algorithm;

import dev.lbkit.balancer.config.HaproxyLine;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One lbkit process's "statistical" random generator: the xorshift32 stream that HAProxy keeps per
 * thread and that every backend on that thread draws from ({@code balance random}, and leastconn's
 * list choices from 3.2 on). lbkit models {@code nbthread 1}, so there is one per process, shared
 * by all backends that draw.
 *
 * <p>Worked example: {@code forLine(V2_6)} starts at 2463534242 and its first outputs are
 * 723471715, 2497366906, 2064144800 (unsigned), in every run. {@code forLine(V3_0)} gives the same
 * outputs to {@link #startupDraw()} (3.2's leastconn lays out its idle servers with them while the
 * config is read), but its first {@link #next()} first adds a value chosen at random for this
 * process to the state, so two runs of a 3.0+ lbkit, like two runs of a 3.0+ HAProxy, draw
 * different streams.
 *
 * <p>Thread-safe without a lock (one atomic word), so backends may draw under their own leaf locks.
 * Facts and their origin: docs/versions.md (the 3.0 per-process seed).
 */
public final class StatisticalPrng {
    /** The state every HAProxy thread starts from (thread 0; 2.6 adds 64 per further thread). */
    public static final int FIXED_SEED = (int) 2463534242L;

    private static final long STARTED = 1L << 32;

    /**
     * Low 32 bits: the state; bit 32: the run-time phase has begun (the per-process value is
     * added).
     */
    private final AtomicLong word;

    private final int perProcess;

    private StatisticalPrng(int state, boolean started, int perProcess) {
        if (state == 0) {
            throw new IllegalArgumentException("xorshift32 needs a non-zero state");
        }
        this.word = new AtomicLong((started ? STARTED : 0) | Integer.toUnsignedLong(state));
        this.perProcess = perProcess;
    }

    /**
     * The generator of a process of {@code line}: 2.6 keeps the fixed seed for good (so it repeats
     * itself run after run); 3.0 and later add a random 32-bit value per process when it starts
     * serving (HAProxy 3.0: "seeded per process").
     */
    public static StatisticalPrng forLine(HaproxyLine line) {
        return seededPerProcess(line)
                ? reseededBy(ThreadLocalRandom.current().nextInt())
                : fixedSeed();
    }

    /**
     * Whether a process of {@code line} seeds its generator on its own (3.0 and later), so that two
     * runs draw differently; 2.6's draws repeat from run to run.
     */
    public static boolean seededPerProcess(HaproxyLine line) {
        return line != HaproxyLine.V2_6;
    }

    /** HAProxy 2.6: the fixed seed, never changed. */
    public static StatisticalPrng fixedSeed() {
        return new StatisticalPrng(FIXED_SEED, true, 0);
    }

    /**
     * HAProxy 3.0+ with a known per-process value: the fixed seed during start-up, then {@code
     * state + perProcess} (0 becomes 1) at the first run-time draw. Tests use it to make a 3.0+
     * process reproducible; e.g. {@code reseededBy(0)} draws as 2.6 does.
     */
    public static StatisticalPrng reseededBy(int perProcess) {
        return new StatisticalPrng(FIXED_SEED, perProcess == 0, perProcess);
    }

    /**
     * A generator already serving, whose next draw starts from {@code state} (replay after
     * recovering it).
     */
    public static StatisticalPrng running(int state) {
        return new StatisticalPrng(state, true, 0);
    }

    /**
     * A draw made while the configuration is read (before the process serves): from the fixed seed,
     * without the per-process value. Once serving, the same as {@link #next()}.
     */
    public int startupDraw() {
        while (true) {
            long current = word.get();
            if ((current & STARTED) != 0) {
                return next();
            }
            int x = step((int) current);
            if (word.compareAndSet(current, Integer.toUnsignedLong(x))) {
                return x;
            }
        }
    }

    /**
     * The next output (read it unsigned); the first one adds the per-process value to the state.
     */
    public int next() {
        while (true) {
            long current = word.get();
            int state = (int) current;
            if ((current & STARTED) == 0) {
                state += perProcess;
                if (state == 0) {
                    state = 1;
                }
            }
            int x = step(state);
            if (word.compareAndSet(current, STARTED | Integer.toUnsignedLong(x))) {
                return x;
            }
        }
    }

    /** A draw scaled to 0..n-1: floor(x * n / 2^32) of the next output x, e.g. a list among 4. */
    public int nextBelow(int n) {
        return below(next(), n);
    }

    /** As {@link #nextBelow(int)} for a start-up draw. */
    public int startupDrawBelow(int n) {
        return below(startupDraw(), n);
    }

    /** floor(x * n / 2^32), x unsigned: 723471715 below 4 is 0, 2497366906 below 4 is 2. */
    public static int below(int x, int n) {
        return (int) ((Integer.toUnsignedLong(x) * n) >>> 32);
    }

    // snippet:start statistical-prng-step
    /** One xorshift32 step (shifts 13, 17, 5); 2463534242 steps to 723471715. */
    public static int step(int x) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return x;
    }

    // snippet:end statistical-prng-step

    /** The current state, unsigned, for reports. */
    public long state() {
        return Integer.toUnsignedLong((int) word.get());
    }
}
