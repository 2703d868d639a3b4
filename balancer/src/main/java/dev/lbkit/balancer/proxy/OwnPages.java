package dev.lbkit.balancer.proxy;

import io.javalin.config.JavalinConfig;

/**
 * Pages a frontend answers itself instead of forwarding to a server: the statistics page and the
 * Prometheus exporter. The proxy hands a request it {@link #claims} to the frontend's Javalin
 * routes, which {@link #addRoutes} registers; everything else is forwarded as before.
 */
public interface OwnPages {

    /** The request attribute that holds the request target exactly as received. */
    String RAW_TARGET = "lbkit.rawTarget";

    /** A frontend without pages of its own. */
    OwnPages NONE =
            new OwnPages() {
                @Override
                public boolean claims(String rawTarget, String clientAddress) {
                    return false;
                }

                @Override
                public void addRoutes(JavalinConfig config) {}
            };

    /**
     * Whether the request with this target (as received), from this client address, is for one of
     * these pages.
     */
    boolean claims(String rawTarget, String clientAddress);

    /** Registers the routes that answer the claimed requests. */
    void addRoutes(JavalinConfig config);
}
