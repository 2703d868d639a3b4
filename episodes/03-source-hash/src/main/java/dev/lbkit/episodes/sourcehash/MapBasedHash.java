package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.episodes.roundrobin.WeightedMap;
import java.util.List;

/**
 * {@code hash-type map-based}: a hash value picks the server in slot {@code hash mod T} of
 * HAProxy's weighted map, where T is the group's total weight after dividing every weight by the
 * startup GCD. A request without a key walks the same map in static-rr order with its own index.
 *
 * <p>Worked example: weights 2/1/3 (GCD 1) give the map {@code [s1, s3, s1, s3, s2, s3]}, so {@code
 * balance source} sends 127.0.1.1 (0x7F000101 = 2130706689, which is 3 mod 6) to s3. Weights
 * 20/10/30 give the same map: the GCD 10 is divided out once, at startup. When a server goes DOWN
 * or UP the whole map is rebuilt and most keys move, because T changes.
 *
 * <p>HAProxy documents map-based hashing under {@code hash-type} in its configuration manual
 * (section 4). Runtime weight changes are ignored, as HAProxy's runtime API refuses weights other
 * than 0% and 100% for static algorithms.
 */
public final class MapBasedHash implements HashLookup {
    private final List<Server> servers;
    private final boolean allBackups;
    private final int weightDivisor;
    private GroupInUse group;
    private Server[] map;
    private int roundRobinIndex;

    MapBasedHash(List<Server> servers, boolean allBackups) {
        this.servers = List.copyOf(servers);
        this.allBackups = allBackups;
        this.weightDivisor = WeightedMap.startupDivisor(servers);
        rebuild();
    }

    /**
     * The map-based effective weight: the configured weight over the startup GCD (rounded up, as
     * HAProxy does).
     */
    public int eweight(Server server) {
        return WeightedMap.mapWeight(server, weightDivisor);
    }

    /** The current map, for tests and teaching output. */
    public List<Server> map() {
        return List.of(map);
    }

    @Override
    public int totalWeight() {
        return group.totalWeight();
    }

    @Override
    public int used() {
        return group.used();
    }

    @Override
    public Server lookup(int hash, Server avoid) {
        // The map lookup ignores "avoid": a redispatched request with a key lands on the same
        // server.
        int total = group.totalWeight();
        return total == 0 ? null : map[Integer.remainderUnsigned(hash, total)];
    }

    @Override
    public Server nextRoundRobin(Server avoid) {
        int total = group.totalWeight();
        if (total == 0) {
            return null;
        }
        if (roundRobinIndex < 0 || roundRobinIndex >= total) {
            roundRobinIndex = 0;
        }
        int slot = roundRobinIndex;
        Server avoided = null;
        int afterAvoided = 0;
        do {
            Server server = map[slot++];
            if (!server.full()) {
                avoided = server;
                afterAvoided = slot;
                if (server != avoid) {
                    roundRobinIndex = slot;
                    return server;
                }
            }
            if (slot == total) {
                slot = 0;
            }
        } while (slot != roundRobinIndex);
        if (avoided != null) {
            roundRobinIndex = afterAvoided;
        }
        return avoided;
    }

    @Override
    public void serverUp(Server server) {
        rebuild();
    }

    @Override
    public void serverDown(Server server) {
        rebuild();
    }

    @Override
    public void weightChanged(Server server, int oldUweight) {
        // Ignored on purpose: map-based algorithms are static in HAProxy.
    }

    private void rebuild() {
        group = GroupInUse.of(servers, allBackups, this::eweight);
        map = WeightedMap.build(group.usable(), this::eweight, group.totalWeight());
    }
}
