package dev.lbkit.balancer.config;

import java.util.List;

/**
 * The {@code global} section, limited to what changes lbkit's behaviour.
 *
 * @param nbthread the configured thread count, or 0 when not set (HAProxy then uses one per CPU)
 * @param maxconn the process-wide connection limit, or 0 when not set
 * @param statsSockets every {@code stats socket} line, in file order
 */
public record Global(int nbthread, int maxconn, List<StatsSocket> statsSockets) {
    public Global {
        statsSockets = List.copyOf(statsSockets);
    }

    public static Global empty() {
        return new Global(0, 0, List.of());
    }
}
