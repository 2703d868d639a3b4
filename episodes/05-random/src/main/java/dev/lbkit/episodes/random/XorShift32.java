package dev.lbkit.episodes.random;

/**
 * Marsaglia's xorshift32 generator, the per-thread "statistical" PRNG that {@code balance random}
 * draws ring positions from. Not thread-safe: one instance stands for one HAProxy thread.
 *
 * <p>Worked example: from the thread-0 seed 2463534242 the first outputs are 723471715, 2497366906,
 * 2064144800, 2008045182, 3532304609 (unsigned). With {@code nbthread 1} and sequential traffic,
 * {@code balance random(1)} therefore looks up exactly these values on the consistent-hash ring,
 * one per request.
 *
 * <p>HAProxy documents {@code balance random} in its configuration manual (section 4, "balance");
 * the seed is not documented, it comes from the source.
 */
public final class XorShift32 {

    /**
     * The seed of thread 0. Thread t starts at this plus t * 64 (64 = MAX_THREADS in 2.6 builds).
     */
    public static final int THREAD_0_SEED = (int) 2463534242L;

    private int state;

    /** A generator in the state of HAProxy's thread 0 at startup. */
    public XorShift32() {
        this(THREAD_0_SEED);
    }

    /** A generator starting from {@code seed}; 0 would stay 0 forever, so it is refused. */
    public XorShift32(int seed) {
        if (seed == 0) {
            throw new IllegalArgumentException("xorshift32 needs a non-zero seed");
        }
        this.state = seed;
    }

    // snippet:start xorshift
    /** Advances the generator and returns the new state (read it as unsigned). */
    public int next() {
        int x = state;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        state = x;
        return x;
    }
    // snippet:end xorshift
}
