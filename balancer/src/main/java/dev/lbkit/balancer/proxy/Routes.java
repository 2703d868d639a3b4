package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.AclTest;
import dev.lbkit.balancer.config.UseBackend;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.Request;

/**
 * Which backend a frontend sends a request to: the first {@code use_backend} rule whose condition
 * holds, else the default backend (the {@code default_backend}, or a listen section's own), else
 * none.
 */
public final class Routes {
    /** A {@code use_backend} rule with the running backend it names. */
    public record Route(UseBackend rule, Backend backend) {}

    private final List<Route> rules;
    private final Backend defaultBackend;

    public Routes(List<Route> rules, Backend defaultBackend) {
        this.rules = List.copyOf(rules);
        this.defaultBackend = defaultBackend;
    }

    /** Only a default backend (which may be null). */
    public static Routes to(Backend defaultBackend) {
        return new Routes(List.of(), defaultBackend);
    }

    /** Every backend a request may reach from here. */
    Set<Backend> backends() {
        Set<Backend> all = Collections.newSetFromMap(new IdentityHashMap<>());
        rules.forEach(route -> all.add(route.backend()));
        if (defaultBackend != null) {
            all.add(defaultBackend);
        }
        return all;
    }

    /**
     * The backend for {@code request}, or null when no rule applies and there is no default
     * backend.
     */
    Backend backendFor(Request request) {
        if (rules.isEmpty()) {
            return defaultBackend;
        }
        AclTest.Facts facts = new RequestFacts(request);
        for (Route route : rules) {
            if (route.rule().appliesTo(facts)) {
                return route.backend();
            }
        }
        return defaultBackend;
    }
}
