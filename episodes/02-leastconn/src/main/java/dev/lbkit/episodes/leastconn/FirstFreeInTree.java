package dev.lbkit.episodes.leastconn;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.episodes.roundrobin.FifoTree;
import dev.lbkit.episodes.roundrobin.ServerGroups;
import java.util.function.Predicate;

/**
 * The pick that {@code leastconn} and {@code first} share: take the first server of an ordered tree
 * (lowest load key, or lowest id) that is not full, passing over the server to avoid unless nothing
 * else is free. The two algorithms differ in the key the tree is ordered by and in what full means:
 * {@code first} passes a server over at its {@code maxconn} ({@link Server#full}), leastconn only
 * once its own queue holds {@code maxqueue} requests too ({@link Server#fullForLeastconn}).
 */
final class FirstFreeInTree {
    private FirstFreeInTree() {}

    /** Picks from the active or backup tree, as the group in use says. */
    static Server pick(
            ServerGroups groups,
            FifoTree<Server> active,
            FifoTree<Server> backup,
            Server avoid,
            Predicate<Server> full) {
        FifoTree<Server> tree;
        switch (groups.which()) {
            case ACTIVE -> tree = active;
            case SOLE_BACKUP -> {
                return groups.soleBackup();
            }
            case BACKUPS -> tree = backup;
            default -> {
                return null;
            }
        }
        Server avoided = null;
        for (FifoTree.Node<Server> node = tree.first(); node != null; node = tree.next(node)) {
            Server server = node.value();
            if (!full.test(server)) {
                if (server != avoid) {
                    return server;
                }
                avoided = server;
            }
        }
        return avoided;
    }
}
