package dev.lbkit.balancer.algorithm;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;
import java.util.Set;

/** The algorithm seam: one static factory from a backend's configuration to its {@link LoadBalancer}. */
public final class LoadBalancers {

    private LoadBalancers() {
    }

    /** The algorithms lbkit implements today; the config check refuses the others with "not supported yet". */
    public static Set<Algorithm> supported() {
        return Set.of(Algorithm.ROUNDROBIN, Algorithm.STATIC_RR, Algorithm.LEASTCONN, Algorithm.FIRST);
    }

    /** Creates the algorithm for {@code backend} over its {@code servers} (declaration order). */
    public static LoadBalancer create(ProxySection backend, List<Server> servers) {
        Algorithm algorithm = backend.balance().algorithm();
        switch (algorithm) {
            case ROUNDROBIN:
                return new RoundRobinBalancer(servers, backend.allBackups());
            case STATIC_RR:
                return new StaticRoundRobinBalancer(servers, backend.allBackups());
            case LEASTCONN:
                return new LeastConnBalancer(servers, backend.allBackups());
            case FIRST:
                return new FirstBalancer(servers, backend.allBackups());
            default:
                throw new UnsupportedOperationException("balance " + algorithm.keyword() + " is not supported yet");
        }
    }
}
