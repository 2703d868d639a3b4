package dev.lbkit.balancer.config;

/** The {@code timeout} lines in milliseconds; 0 means not set (no timeout, as in HAProxy). */
public record Timeouts(long connectMs, long clientMs, long serverMs, long checkMs) {
    public static Timeouts none() {
        return new Timeouts(0, 0, 0, 0);
    }
}
