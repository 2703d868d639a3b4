package dev.lbkit.episodes.random;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.episodes.sourcehash.ConsistentRing;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;

/**
 * {@code balance random} / {@code random(N)}: draws N random points on the consistent-hash ring
 * (2 by default) and keeps the least loaded of the drawn servers relative to their weights, the
 * later draw winning ties ("power of two choices" for N = 2).
 *
 * <p>Worked example: with {@code nbthread 1} HAProxy's generator starts at 2463534242, so the first
 * draws are 723471715, 2497366906, 2064144800, ... With weights 2/1/3, ids 1/2/3 and sequential
 * traffic (every server at 0 in flight, so ties everywhere), {@code random} picks the ring owner of
 * the 2nd, 4th, 6th... draw and {@code random(1)} of every draw. Over many requests the shares come
 * out near s1 38%, s2 14%, s3 48%: the ring is uneven, so they differ from the weights' 33/17/50.
 *
 * <p>The ring is always consistent, whatever {@code hash-type} says, and {@code hash-balance-factor}
 * applies to each draw. HAProxy documents the algorithm under {@code balance} in its configuration
 * manual (section 4); the generator and its seed come from the source.
 */
final class RandomBalancer implements LoadBalancer {
    private final ConsistentRing ring;
    private final XorShift32 random;
    private final int draws;

    RandomBalancer(ProxySection backend, List<Server> servers, HaproxyLine line) {
        this(backend, servers, new XorShift32(), line);
    }

    /** @param line the HAProxy line whose ring keys the draws land on (3.0's differ) */
    RandomBalancer(ProxySection backend, List<Server> servers, XorShift32 random, HaproxyLine line) {
        this.ring = new ConsistentRing(servers, backend.allBackups(), backend.hashBalanceFactor(), line);
        this.random = random;
        this.draws = Math.max(1, backend.balance().randomDraws());
    }

    // snippet:start random-pick
    @Override
    public Server pick(RequestInfo request, Server avoid) {
        if (ring.totalWeight() == 0) {
            return null; // HAProxy gives up before drawing, so the generator does not advance
        }
        Server current = null;
        for (int draw = 0; draw < draws; draw++) {
            Server previous = current;
            current = ring.lookup(random.next(), avoid);
            if (current == null) {
                break;
            }
            if (previous != null && previous != current && moreLoaded(current, previous)) {
                current = previous;
            }
        }
        if (current != null && current.full()) {
            return null; // HAProxy queues the request at the backend instead; lbkit has no backend queue
        }
        return current;
    }

    /** served(a)/eweight(a) > served(b)/eweight(b), cross-multiplied in unsigned 32-bit as HAProxy does. */
    private static boolean moreLoaded(Server a, Server b) {
        int left = a.served() * ConsistentRing.eweight(b);
        int right = b.served() * ConsistentRing.eweight(a);
        return Integer.compareUnsigned(left, right) > 0;
    }
    // snippet:end random-pick

    @Override
    public void serverUp(Server server) {
        ring.serverUp(server);
    }

    @Override
    public void serverDown(Server server) {
        ring.serverDown(server);
    }

    @Override
    public void weightChanged(Server server, int oldUweight) {
        ring.weightChanged(server, oldUweight);
    }
}
