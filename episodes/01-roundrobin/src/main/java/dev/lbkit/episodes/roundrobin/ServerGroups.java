package dev.lbkit.episodes.roundrobin;

import dev.lbkit.balancer.algorithm.Server;
import java.util.List;

/**
 * Tracks which servers an algorithm has been told are usable and decides which group serves: the
 * active servers while at least one is usable, otherwise the backups.
 *
 * <p>Worked sequence: servers a1, b1 (backup), b2 (backup), no {@code option allbackups}. While a1
 * is usable, {@link #which()} is {@link Which#ACTIVE}. With a1 down it is {@link Which#SOLE_BACKUP}
 * and {@link #soleBackup()} is b1; with b1 down too, b2. With {@code allbackups} the answer is
 * {@link Which#BACKUPS} and the algorithm balances b1 and b2 with its own backup structure.
 *
 * <p>HAProxy documents this under {@code backup} and {@code option allbackups} in its configuration
 * manual; docs/concepts.md states the rule.
 */
public final class ServerGroups {

    /** Which servers a pick may choose from right now. */
    public enum Which {
        /** At least one active server is usable: only active servers count. */
        ACTIVE,
        /**
         * No active server is usable and allbackups is off: the first usable backup takes
         * everything.
         */
        SOLE_BACKUP,
        /** No active server is usable and allbackups is on: all usable backups are balanced. */
        BACKUPS,
        /** Nothing is usable. */
        NONE
    }

    private final List<Server> servers;
    private final boolean allBackups;
    private final boolean[] usable;
    private int activeUsable;
    private int backupUsable;
    private Server firstBackup;

    /** Starts from each server's current {@link Server#usable()} state. */
    public ServerGroups(List<Server> servers, boolean allBackups) {
        this.servers = servers;
        this.allBackups = allBackups;
        this.usable = new boolean[servers.size()];
        for (Server server : servers) {
            if (server.usable()) {
                up(server);
            }
        }
    }

    /** Was {@code server} usable when the algorithm last heard of it? */
    public boolean isUsable(Server server) {
        return usable[server.index()];
    }

    public void up(Server server) {
        if (usable[server.index()]) {
            return;
        }
        usable[server.index()] = true;
        if (server.backup()) {
            backupUsable++;
            findFirstBackup();
        } else {
            activeUsable++;
        }
    }

    public void down(Server server) {
        if (!usable[server.index()]) {
            return;
        }
        usable[server.index()] = false;
        if (server.backup()) {
            backupUsable--;
            findFirstBackup();
        } else {
            activeUsable--;
        }
    }

    public Which which() {
        if (activeUsable > 0) {
            return Which.ACTIVE;
        }
        if (backupUsable == 0) {
            return Which.NONE;
        }
        return allBackups ? Which.BACKUPS : Which.SOLE_BACKUP;
    }

    /** The first usable backup in declaration order, or null (also null with allbackups). */
    public Server soleBackup() {
        return allBackups ? null : firstBackup;
    }

    private void findFirstBackup() {
        firstBackup = null;
        for (Server server : servers) {
            if (server.backup() && usable[server.index()]) {
                firstBackup = server;
                return;
            }
        }
    }
}
