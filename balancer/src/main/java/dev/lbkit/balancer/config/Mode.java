package dev.lbkit.balancer.config;

/**
 * {@code mode http} or {@code mode tcp}. lbkit proxies HTTP only; tcp is accepted by the reader and
 * refused by the proxy.
 */
public enum Mode {
    HTTP,
    TCP
}
