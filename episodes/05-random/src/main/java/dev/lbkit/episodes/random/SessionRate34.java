package dev.lbkit.episodes.random;

/**
 * A server's 1-second session-rate counter as HAProxy 3.4 keeps it: sessions counted in the current
 * second-long period and in the one before, read as a sliding estimate. 3.4's {@code random(N)}
 * reads it to break ties between two drawn servers (see {@link RandomBalancer}).
 *
 * <p>Worked example: sessions at 0, 100 and 900 ms give curr = 3 in the period [0, 1000); a read at
 * 1500 ms sees that period as past (3) with half of it still counting, and no session yet in the
 * current one: floor((3 * 500 + 0 * 1000) / 1000) = 1. A read at 1000 ms gives 3, one at 2000 ms
 * gives 0 (two periods later nothing is left).
 *
 * <p>Pure: the caller hands in the time (monotonic milliseconds). Facts: docs/versions.md
 */
final class SessionRate34 {
    private static final int PERIOD = 1000;

    private boolean started;
    private long tick;
    private int current;
    private int previous;

    /** One more session assigned at {@code now}. */
    void count(long now) {
        if (started && now - tick < PERIOD) {
            current++;
        } else if (started && now - (tick + PERIOD) < PERIOD) {
            previous = current;
            current = 1;
            tick += PERIOD;
        } else {
            started = true;
            previous = 0;
            current = 1;
            tick = now;
        }
    }

    /** The estimated sessions per second at {@code now}. */
    int read(long now) {
        if (!started) {
            return 0;
        }
        long remain = tick + PERIOD - now;
        int curr = current;
        int past;
        if (remain < 0) {
            remain += PERIOD;
            past = remain >= 0 ? curr : 0;
            curr = 0;
        } else {
            past = previous;
        }
        if (curr == 0 && past <= 1) {
            return past;
        }
        return (int) ((past * remain + curr * (long) PERIOD) / PERIOD);
    }
}
