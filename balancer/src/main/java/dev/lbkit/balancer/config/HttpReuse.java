package dev.lbkit.balancer.config;

/**
 * A backend's {@code http-reuse} mode: when a request may go out on an idle connection another
 * client connection opened to the server. HAProxy 2.6's default is {@link #SAFE}.
 */
public enum HttpReuse {
    /** Idle server connections are never shared between client connections. */
    NEVER,
    /**
     * The first request of a client connection gets a server connection of its own; later ones may
     * share.
     */
    SAFE,
    /** As safe, but a first request may take an idle connection that already carried a request. */
    AGGRESSIVE,
    /** Every request may take any idle connection. */
    ALWAYS;

    /**
     * True when a request may take an idle connection from the shared pool. With {@code never} and
     * {@code safe} the first request of each client connection opens a new one.
     */
    public boolean sharesForFirstRequest() {
        return this == AGGRESSIVE || this == ALWAYS;
    }
}
