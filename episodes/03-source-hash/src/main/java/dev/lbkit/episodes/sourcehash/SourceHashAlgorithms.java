package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.algorithm.AlgorithmProvider;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;
import java.util.Set;

/** Episode 03's algorithm for the engine: {@code balance source}, over the map or the ring. */
public final class SourceHashAlgorithms implements AlgorithmProvider {

    @Override
    public Set<Algorithm> algorithms() {
        return Set.of(Algorithm.SOURCE);
    }

    @Override
    public LoadBalancer create(ProxySection backend, List<Server> servers, HaproxyLine line) {
        return new HashBalancer(backend, servers, new SourceKey(), line);
    }
}
