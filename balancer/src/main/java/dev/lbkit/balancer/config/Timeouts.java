package dev.lbkit.balancer.config;

/**
 * The {@code timeout} lines in milliseconds; 0 means not set (no timeout, as in HAProxy).
 *
 * @param queueMs {@code timeout queue}: how long a request may wait for a free server slot
 */
public record Timeouts(long connectMs, long clientMs, long serverMs, long checkMs, long queueMs) {
    public Timeouts(long connectMs, long clientMs, long serverMs, long checkMs) {
        this(connectMs, clientMs, serverMs, checkMs, 0);
    }

    public static Timeouts none() {
        return new Timeouts(0, 0, 0, 0);
    }

    /**
     * How long a queued request waits before its 503: {@code timeout queue}, else {@code timeout
     * connect}.
     */
    public long queueWaitMs() {
        return queueMs > 0 ? queueMs : connectMs;
    }
}
