package dev.lbkit.balancer.config;

/**
 * A {@code bind} line. lbkit listens only where the line says; an empty host ({@code *:80} or
 * {@code :80}) means every address, exactly as in HAProxy.
 *
 * @param host the address to listen on; "" for all addresses
 * @param v4v6 true when the line carries {@code v4v6} (IPv4 clients are then seen as
 *     ::ffff:a.b.c.d)
 * @param acceptProxy true when the line carries {@code accept-proxy}: every connection starts with
 *     a PROXY protocol header (version 1 or 2), and the client address is the one that header gives
 */
public record Bind(String host, int port, boolean v4v6, boolean acceptProxy, Where where) {
    public Bind(String host, int port, boolean v4v6, Where where) {
        this(host, port, v4v6, false, where);
    }
}
