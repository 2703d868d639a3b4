package dev.lbkit.episodes.leastconn;

import dev.lbkit.balancer.algorithm.AlgorithmProvider;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;
import java.util.Set;

/**
 * Episode 02's algorithms for the engine: {@code balance leastconn}, and {@code balance first},
 * which lives here because it is leastconn's opposite on the same tree: fill the first server up
 * to its {@code maxconn} before touching the next.
 */
public final class LeastConnAlgorithms implements AlgorithmProvider {

    @Override
    public Set<Algorithm> algorithms() {
        return Set.of(Algorithm.LEASTCONN, Algorithm.FIRST);
    }

    @Override
    public LoadBalancer create(ProxySection backend, List<Server> servers, HaproxyLine line) {
        return backend.balance().algorithm() == Algorithm.FIRST
                ? new FirstBalancer(servers, backend.allBackups())
                : new LeastConnBalancer(servers, backend.allBackups());
    }
}
