package dev.lbkit.balancer.config;

/**
 * {@code http-request use-service <name> [if|unless <cond>]}: requests that match are answered by
 * the named service instead of a server. lbkit has one service, HAProxy's {@code
 * prometheus-exporter}.
 *
 * @param condition null when the line has no {@code if} or {@code unless}: it applies to every
 *     request
 */
public record ServiceRule(String service, Condition condition, Where where) {

    /** The one service lbkit serves (HAProxy's name for its Prometheus exporter). */
    public static final String PROMETHEUS_EXPORTER = "prometheus-exporter";

    public boolean appliesTo(AclTest.Facts facts) {
        return condition == null || condition.holds(facts);
    }
}
