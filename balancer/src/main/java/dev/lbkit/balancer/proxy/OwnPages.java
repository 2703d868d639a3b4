package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.config.AclTest;
import io.javalin.config.JavalinConfig;

/**
 * Pages a frontend answers itself instead of forwarding to a server: the statistics page and the
 * Prometheus exporter. The proxy hands a request it {@link #claims} to the frontend's Javalin
 * routes, which {@link #addRoutes} registers; everything else is forwarded as before.
 */
public interface OwnPages {

    /**
     * The request attribute that holds the claimed request's {@link AclTest.Facts} (its target
     * exactly as received, method, headers, client), for the routes to evaluate conditions on.
     */
    String FACTS = "lbkit.requestFacts";

    /** A frontend without pages of its own. */
    OwnPages NONE =
            new OwnPages() {
                @Override
                public boolean claims(AclTest.Facts request) {
                    return false;
                }

                @Override
                public void addRoutes(JavalinConfig config) {}
            };

    /** Whether the request is for one of these pages. */
    boolean claims(AclTest.Facts request);

    /** Registers the routes that answer the claimed requests. */
    void addRoutes(JavalinConfig config);
}
