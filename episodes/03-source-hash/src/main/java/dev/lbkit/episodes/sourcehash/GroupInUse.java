package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.episodes.roundrobin.WeightedMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Which servers a backend balances over right now: the usable active servers if there is one,
 * otherwise the usable backups, of which only the first counts without {@code option allbackups}.
 *
 * <p>Worked example: actives a1 (down), a2 (up) and backup b1 give the active group [a2]. With both
 * actives down and no {@code allbackups}, the group is backup, {@code singleBackup} is b1, the
 * total weight is b1's eweight and {@code used} is 1.
 *
 * <p>HAProxy documents backups under {@code backup} and {@code option allbackups} in its
 * configuration manual.
 *
 * @param backup true when the backup servers are in use
 * @param singleBackup the first usable backup when it alone takes the traffic (no allbackups), else
 *     null
 * @param usable the usable servers of the group, in declaration order (all usable backups even in
 *     the single-backup case: HAProxy's map still lets them compete, see {@link WeightedMap})
 * @param totalWeight HAProxy's {@code tot_weight}: sum of the group's eweights, or the single
 *     backup's eweight
 * @param used HAProxy's {@code tot_used}: how many servers share the traffic
 */
record GroupInUse(
        boolean backup, Server singleBackup, List<Server> usable, int totalWeight, int used) {

    /**
     * Counts the group in use among {@code servers} (declaration order), as HAProxy recounts it.
     */
    public static GroupInUse of(
            List<Server> servers, boolean allBackups, ToIntFunction<Server> eweight) {
        List<Server> active = new ArrayList<>();
        List<Server> backups = new ArrayList<>();
        int activeWeight = 0;
        int backupWeight = 0;
        for (Server server : servers) {
            if (!server.usable() || eweight.applyAsInt(server) == 0) {
                continue;
            }
            if (server.backup()) {
                backups.add(server);
                backupWeight += eweight.applyAsInt(server);
            } else {
                active.add(server);
                activeWeight += eweight.applyAsInt(server);
            }
        }
        if (!active.isEmpty()) {
            return new GroupInUse(false, null, List.copyOf(active), activeWeight, active.size());
        }
        if (!allBackups && !backups.isEmpty()) {
            Server first = backups.get(0);
            return new GroupInUse(true, first, List.copyOf(backups), eweight.applyAsInt(first), 1);
        }
        return new GroupInUse(true, null, List.copyOf(backups), backupWeight, backups.size());
    }
}
