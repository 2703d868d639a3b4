package dev.lbkit.episodes.roundrobin;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code balance static-rr}: walks HAProxy's weighted map one slot per request, so each server gets
 * requests in proportion to its weight, starting with the first declared server.
 *
 * <p>Worked sequence: weights 2/1/3 build the map {@code [s1, s3, s1, s3, s2, s3]} and so repeat
 * {@code s1 s3 s1 s3 s2 s3}. With s3 DOWN the map becomes {@code [s1, s1, s2]}; the walk keeps its
 * index (back to 0 only when the index is past the new end).
 *
 * <p>Weights are divided by the GCD of all configured weights, computed once: 20/10/30 behaves like
 * 2/1/3. Runtime weight changes are ignored (for static algorithms HAProxy accepts only 0, 0%, 100%
 * and the configured weight, and lbkit's {@code Backend} turns 0 into DOWN). A server at its
 * maxconn is skipped; the server to avoid is skipped too but is returned when nothing else is free.
 *
 * <p>HAProxy quirk kept on purpose (checked against HAProxy 2.6.12): when no active server is
 * usable and {@code allbackups} is off, the map is {@code weight(first backup)} slots long but is
 * filled from <em>all</em> usable backups. Backups 2/3 then alternate {@code b1 b2}, and backups
 * 2/5/1 send everything to b2.
 *
 * <p>HAProxy documents {@code static-rr} under {@code balance} in its configuration manual; the map
 * and the walk are in docs/concepts.md, and the parity tests pin it.
 */
final class StaticRoundRobinBalancer implements LoadBalancer {

    private final List<Server> servers;
    private final ServerGroups groups;
    private final int weightDivisor;
    private Server[] map;
    private int index;

    StaticRoundRobinBalancer(List<Server> servers, boolean allBackups) {
        this.servers = servers;
        this.groups = new ServerGroups(servers, allBackups);
        this.weightDivisor = WeightedMap.startupDivisor(servers);
        rebuild();
    }

    /** The map weight: the configured weight over the startup GCD (runtime weights are ignored). */
    private int eweight(Server server) {
        return WeightedMap.mapWeight(server, weightDivisor);
    }

    // snippet:start static-rr-pick
    @Override
    public Server pick(RequestInfo request, Server avoid) {
        int total = map.length;
        if (total == 0) {
            return null;
        }
        if (index >= total) {
            index = 0;
        }
        int start = index;
        int slot = start;
        Server avoided = null;
        int afterAvoided = 0;
        do {
            Server server = map[slot++];
            if (!server.full()) {
                if (server != avoid) {
                    index = slot;
                    return server;
                }
                avoided = server;
                afterAvoided = slot;
            }
            if (slot == total) {
                slot = 0;
            }
        } while (slot != start);
        if (avoided != null) {
            index = afterAvoided;
        }
        // Saturated servers are never returned here: HAProxy then queues the request in the
        // backend.
        return avoided;
    }

    // snippet:end static-rr-pick

    @Override
    public void serverUp(Server server) {
        groups.up(server);
        rebuild();
    }

    @Override
    public void serverDown(Server server) {
        groups.down(server);
        rebuild();
    }

    /** Ignored: a static algorithm keeps its map weights (see the class comment). */
    @Override
    public void weightChanged(Server server, int oldUweight) {}

    /** Rebuilds the map from the usable servers of the group in use; the walk's index is kept. */
    private void rebuild() {
        List<Server> group = new ArrayList<>();
        ServerGroups.Which which = groups.which();
        for (Server server : servers) {
            boolean inGroup =
                    which == ServerGroups.Which.ACTIVE ? !server.backup() : server.backup();
            if (which != ServerGroups.Which.NONE && inGroup && groups.isUsable(server)) {
                group.add(server);
            }
        }
        if (which == ServerGroups.Which.SOLE_BACKUP) {
            map = WeightedMap.build(group, this::eweight, eweight(groups.soleBackup()));
        } else {
            map = WeightedMap.build(group, this::eweight);
        }
    }

    /**
     * static-rr is HAProxy's model static algorithm: its map is built from the weights at startup.
     */
    @Override
    public boolean staticWeights() {
        return true;
    }
}
