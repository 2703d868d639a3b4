package dev.lbkit.balancer.config;

import java.util.List;

/**
 * A configuration that HAProxy would refuse. Each alert is one line in HAProxy's own shape, e.g.
 * {@code [ALERT] parsing [haproxy.cfg:12] : unknown keyword 'balanse' in 'backend' section}.
 */
public final class ConfigException extends Exception {
    private final List<String> alerts;

    public ConfigException(List<String> alerts) {
        super(String.join(System.lineSeparator(), alerts));
        this.alerts = List.copyOf(alerts);
    }

    public List<String> alerts() {
        return alerts;
    }
}
