package dev.lbkit.episodes.roundrobin;

import dev.lbkit.balancer.algorithm.AlgorithmProvider;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;
import java.util.Set;

/**
 * Episode 01's algorithms for the engine: {@code balance roundrobin} and {@code balance static-rr}.
 */
public final class RoundRobinAlgorithms implements AlgorithmProvider {

    @Override
    public Set<Algorithm> algorithms() {
        return Set.of(Algorithm.ROUNDROBIN, Algorithm.STATIC_RR);
    }

    @Override
    public LoadBalancer create(ProxySection backend, List<Server> servers, HaproxyLine line) {
        return backend.balance().algorithm() == Algorithm.STATIC_RR
                ? new StaticRoundRobinBalancer(servers, backend.allBackups())
                : new RoundRobinBalancer(servers, backend.allBackups(), line);
    }
}
