package dev.lbkit.balancer.config;

import dev.lbkit.balancer.log.LogTarget;
import java.util.List;

/**
 * The {@code global} section, limited to what changes lbkit's behaviour.
 *
 * @param nbthread the configured thread count, or 0 when not set (HAProxy then uses one per CPU)
 * @param maxconn the process-wide connection limit, or 0 when not set
 * @param statsSockets every {@code stats socket} line, in file order
 * @param logTargets every {@code log} line, in file order: what {@code log global} in a proxy means
 */
public record Global(
        int nbthread, int maxconn, List<StatsSocket> statsSockets, List<LogTarget> logTargets) {
    public Global {
        statsSockets = List.copyOf(statsSockets);
        logTargets = List.copyOf(logTargets);
    }

    /** A global section without {@code log} lines. */
    public Global(int nbthread, int maxconn, List<StatsSocket> statsSockets) {
        this(nbthread, maxconn, statsSockets, List.of());
    }

    public static Global empty() {
        return new Global(0, 0, List.of());
    }
}
