package dev.lbkit.episodes.random;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.episodes.sourcehash.ConsistentRing;
import java.util.List;

/**
 * {@code balance random} / {@code random(N)}: draws N random points on the consistent-hash ring (2
 * by default) and keeps the least loaded of the drawn servers relative to their weights, the later
 * draw winning ties ("power of two choices" for N = 2).
 *
 * <p>Worked example: with {@code nbthread 1} HAProxy's generator starts at 2463534242, so the first
 * draws are 723471715, 2497366906, 2064144800, ... With weights 2/1/3, ids 1/2/3 and sequential
 * traffic (every server at 0 in flight, so ties everywhere), {@code random} picks the ring owner of
 * the 2nd, 4th, 6th... draw and {@code random(1)} of every draw. Over many requests the shares come
 * out near s1 38%, s2 14%, s3 48%: the ring is uneven, so they differ from the weights' 33/17/50.
 *
 * <p>By HAProxy line: the generator is the process's {@link StatisticalPrng}, shared with every
 * other backend that draws; 2.6 starts it at the fixed seed, 3.0+ adds a per-process random value,
 * so its picks differ from run to run (only their distribution can be compared). 3.4 changes the
 * tie: when two drawn servers are equally loaded, the one with the lower 1-second session rate
 * (relative to its weight) wins, so sequential traffic follows the weights (2/1/3 gives 33/17/50%)
 * instead of the ring's shares; see {@link #keepPrevious}.
 *
 * <p>The ring is always consistent, whatever {@code hash-type} says, and {@code
 * hash-balance-factor} applies to each draw. HAProxy documents the algorithm under {@code balance}
 * in its configuration manual (section 4); the generator and its seed come from the source.
 */
final class RandomBalancer implements LoadBalancer {
    private final ConsistentRing ring;
    private final StatisticalPrng random;
    private final int draws;

    /** 3.4's rate counters, one per server (by index); null before 3.4. */
    private final SessionRate34[] rates;

    private long lastNow;

    /** A backend alone in its process, as HAProxy 2.6 runs it. */
    RandomBalancer(ProxySection backend, List<Server> servers) {
        this(backend, servers, HaproxyLine.V2_6, StatisticalPrng.fixedSeed());
    }

    RandomBalancer(
            ProxySection backend, List<Server> servers, HaproxyLine line, StatisticalPrng random) {
        this.ring =
                new ConsistentRing(
                        servers, backend.allBackups(), backend.hashBalanceFactor(), line);
        this.random = random;
        this.draws = Math.max(1, backend.balance().randomDraws());
        this.rates = line.compareTo(HaproxyLine.V3_4) >= 0 ? newRates(servers.size()) : null;
    }

    private static SessionRate34[] newRates(int count) {
        SessionRate34[] rates = new SessionRate34[count];
        for (int i = 0; i < count; i++) {
            rates[i] = new SessionRate34();
        }
        return rates;
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        return pick(request, avoid, lastNow);
    }

    // snippet:start random-pick
    @Override
    public Server pick(RequestInfo request, Server avoid, long now) {
        lastNow = now;
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
            if (previous != null && previous != current && keepPrevious(previous, current, now)) {
                current = previous;
            }
        }
        if (current != null && current.full()) {
            return null; // HAProxy queues the request at the backend instead; lbkit has no backend
            // queue
        }
        return current;
    }

    /** 2.6-3.2: keep the earlier draw only if the later one is more loaded (relative to weight). */
    private boolean keepPrevious(Server previous, Server current, long now) {
        if (rates == null) {
            return moreLoaded(current, previous);
        }
        return keepPrevious34(previous, current, now);
    }

    /**
     * served(a)/eweight(a) > served(b)/eweight(b), cross-multiplied in unsigned 32-bit as HAProxy
     * does.
     */
    private static boolean moreLoaded(Server a, Server b) {
        int left = a.served() * b.eweight();
        int right = b.served() * a.eweight();
        return Integer.compareUnsigned(left, right) > 0;
    }

    // snippet:end random-pick

    // snippet:start random-tie-34
    /**
     * HAProxy 3.4: as before when the loads differ (64-bit products); on equal loads the earlier
     * draw stays only if its weighted session rate is strictly lower than the later one's.
     */
    private boolean keepPrevious34(Server previous, Server current, long now) {
        long currentLoad = (long) current.served() * previous.eweight();
        long previousLoad = (long) previous.served() * current.eweight();
        if (currentLoad != previousLoad) {
            return currentLoad > previousLoad;
        }
        long previousRate = (long) rates[previous.index()].read(now) * current.eweight();
        long currentRate = (long) rates[current.index()].read(now) * previous.eweight();
        return previousRate < currentRate;
    }

    // snippet:end random-tie-34

    @Override
    public void taken(Server server, long now) {
        if (rates != null) {
            rates[server.index()].count(now);
        }
    }

    @Override
    public void taken(Server server) {
        taken(server, lastNow);
    }

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
