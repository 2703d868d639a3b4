package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.algorithm.AlgorithmProvider;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;
import java.util.Set;

/**
 * The engine's tests run without any episode on the classpath: this provider (listed in
 * src/test/resources/META-INF/services, and left out of the test-jar the episodes use) serves the
 * algorithms that take no argument with {@link TestRoundRobin}. static-rr says its weights are
 * static, so the runtime API's refusal can be tested here too.
 */
public final class EngineTestAlgorithms implements AlgorithmProvider {

    @Override
    public Set<Algorithm> algorithms() {
        return Set.of(
                Algorithm.ROUNDROBIN,
                Algorithm.STATIC_RR,
                Algorithm.LEASTCONN,
                Algorithm.FIRST,
                Algorithm.SOURCE);
    }

    @Override
    public LoadBalancer create(ProxySection backend, List<Server> servers, HaproxyLine line) {
        return new TestRoundRobin(servers, backend.balance().algorithm() == Algorithm.STATIC_RR);
    }
}
