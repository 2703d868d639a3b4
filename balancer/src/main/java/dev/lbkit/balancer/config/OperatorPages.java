package dev.lbkit.balancer.config;

import java.util.List;

/**
 * What a proxy serves to operators rather than forwarding: its statistics page (null when off) and
 * its {@code http-request use-service} rules, in file order.
 */
public record OperatorPages(StatsPage stats, List<ServiceRule> services) {

    /** A proxy that serves nothing itself. */
    public static final OperatorPages NONE = new OperatorPages(null, List.of());

    public OperatorPages {
        services = List.copyOf(services);
    }

    public boolean isEmpty() {
        return stats == null && services.isEmpty();
    }
}
