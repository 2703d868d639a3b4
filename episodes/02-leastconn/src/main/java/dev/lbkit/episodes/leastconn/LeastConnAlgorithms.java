package dev.lbkit.episodes.leastconn;

import dev.lbkit.balancer.algorithm.AlgorithmProvider;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;
import java.util.Set;

/**
 * Episode 02's algorithms for the engine: {@code balance leastconn}, and {@code balance first},
 * which lives here because it is leastconn's opposite on the same tree: fill the first server up to
 * its {@code maxconn} before touching the next; and {@code balance sticky} (3.0 and later), which
 * keeps one server until it fails, leastconn's other opposite.
 */
public final class LeastConnAlgorithms implements AlgorithmProvider {

    @Override
    public Set<Algorithm> algorithms() {
        return Set.of(Algorithm.LEASTCONN, Algorithm.FIRST, Algorithm.STICKY);
    }

    @Override
    public LoadBalancer create(ProxySection backend, List<Server> servers, HaproxyLine line) {
        return create(backend, servers, line, StatisticalPrng.forLine(line));
    }

    /**
     * leastconn is 2.6's strict FIFO tree up to 3.0 ({@link LeastConnBalancer}) and, from 3.2, four
     * random lists per load level drawing from the process's generator {@code prng} ({@link
     * LeastConn32}).
     */
    @Override
    public LoadBalancer create(
            ProxySection backend, List<Server> servers, HaproxyLine line, StatisticalPrng prng) {
        if (backend.balance().algorithm() == Algorithm.FIRST) {
            return new FirstBalancer(servers, backend.allBackups());
        }
        if (backend.balance().algorithm() == Algorithm.STICKY) {
            return new StickyBalancer(servers, backend.allBackups());
        }
        return drawsAmongTies(line)
                ? new LeastConn32(servers, backend.allBackups(), prng)
                : new LeastConnBalancer(servers, backend.allBackups());
    }

    /** Whether leastconn of {@code line} draws among equally loaded servers (3.2 and later). */
    static boolean drawsAmongTies(HaproxyLine line) {
        return line.compareTo(HaproxyLine.V3_2) >= 0;
    }
}
