package dev.lbkit.balancer.log;

import java.util.List;

/**
 * What a frontend logs and where: its targets ({@code log} lines, {@code log global} resolved to
 * the global section's), and its format ({@code option httplog}, {@code option httplog clf}, {@code
 * option tcplog} or {@code log-format}). A frontend logs only when it has both.
 *
 * @param targets where lines go, in {@code log} line order
 * @param format the line format, or null when none was set (HAProxy then logs only connections)
 * @param dontLogNull {@code option dontlognull}: connections that sent nothing are not logged
 * @param countsOwnAnswers whether {@code %B} counts the answers the balancer writes itself (its
 *     error pages): true up to HAProxy 3.2, false in 3.4, which logs 0 bytes for its 503 page (seen
 *     with the 3.4.7 container)
 */
public record LogSettings(
        List<LogTarget> targets, LogFormat format, boolean dontLogNull, boolean countsOwnAnswers) {

    /** No logging, the default. */
    public static final LogSettings OFF = new LogSettings(List.of(), null, false);

    /** Settings that count the balancer's own answers, as HAProxy up to 3.2 does. */
    public LogSettings(List<LogTarget> targets, LogFormat format, boolean dontLogNull) {
        this(targets, format, dontLogNull, true);
    }

    public LogSettings {
        targets = List.copyOf(targets);
    }

    /** Whether request lines are written at all. */
    public boolean logsRequests() {
        return format != null && !targets.isEmpty();
    }

    /**
     * Targets but no format: HAProxy then writes a line per accepted connection, and none per
     * request.
     */
    public boolean logsConnections() {
        return format == null && !targets.isEmpty();
    }
}
