package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A plain rotation over the usable servers in declaration order, for testing the engine (data path,
 * health checks, runtime API) without the episodes' real algorithms. It records every target it was
 * asked to balance. {@link EngineTestAlgorithms} serves it for the algorithms that take no
 * argument, so the engine's tests can start configs as written.
 */
public final class TestRoundRobin implements LoadBalancer {
    private final List<Server> servers;
    private final List<String> targets = Collections.synchronizedList(new ArrayList<>());
    private int next;

    private final boolean staticWeights;

    public TestRoundRobin(List<Server> servers) {
        this(servers, false);
    }

    /** A rotation that says its weights are static, as HAProxy's static algorithms do. */
    public TestRoundRobin(List<Server> servers, boolean staticWeights) {
        this.servers = servers;
        this.staticWeights = staticWeights;
    }

    @Override
    public boolean staticWeights() {
        return staticWeights;
    }

    public List<String> targets() {
        return List.copyOf(targets);
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        targets.add(request.target());
        Server fallback = null;
        for (int i = 0; i < servers.size(); i++) {
            Server candidate = servers.get((next + i) % servers.size());
            if (!candidate.usable()) {
                continue;
            }
            if (candidate == avoid) {
                fallback = candidate;
                continue;
            }
            next = (servers.indexOf(candidate) + 1) % servers.size();
            return candidate;
        }
        return fallback;
    }

    @Override
    public void serverUp(Server server) {}

    @Override
    public void serverDown(Server server) {}

    @Override
    public void weightChanged(Server server, int oldUweight) {}
}
