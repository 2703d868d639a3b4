package dev.lbkit.episodes.leastconn;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.episodes.roundrobin.FifoTree;
import dev.lbkit.episodes.roundrobin.RoundRobinBalancer;
import dev.lbkit.episodes.roundrobin.ServerGroups;
import java.util.List;

/**
 * {@code balance leastconn}: sends each request to the server with the fewest requests in flight
 * relative to its weight, taking servers with equal load in the order they last changed load.
 *
 * <p>Each server sits in a tree under the key {@code 0} when idle, else {@code floor((n + 1) * 4096
 * / E)} with n its requests in flight plus those waiting in its own queue and E = 16 * weight; the
 * pick is the first node that is not full. A server moves (to the end of its new equals) only when
 * its key really changes, and only when a request is taken or released: queueing one does not move
 * it.
 *
 * <p>Full means {@code maxconn + maxqueue} requests in flight and queued: with a {@code maxqueue},
 * a server at its {@code maxconn} is still picked while its queue has room, and the request waits
 * there. With {@code maxconn 1 maxqueue 2} on three busy servers, five more requests wait as s1 s1
 * s2 s2 s3; with {@code maxqueue 1}, as s1 s2 s3 and then twice in the backend's queue.
 *
 * <p>Worked sequences: sequential traffic with weights 2/1/3 gives {@code s1 s2 s3 s1 s2 s3}: idle
 * servers all have key 0, whatever their weight, and each one goes to the back of the line after
 * its request ends. With 9 overlapping slow requests and then 6 fast ones, weights 2/1/3 give
 * {@code s1 s2 s3 s3 s1 s3 s3 s1 s3 | s2 s1 s3 s2 s1 s3}.
 *
 * <p>HAProxy documents {@code leastconn} under {@code balance} in its configuration manual; the key
 * and the tie rule are in docs/concepts.md, and the parity tests pin it.
 */
final class LeastConnBalancer implements LoadBalancer {

    private final ServerGroups groups;
    private final FifoTree<Server> active = new FifoTree<>();
    private final FifoTree<Server> backup = new FifoTree<>();
    private final FifoTree.Node<Server>[] nodes;

    /** The effective weight each server was queued with (HAProxy's cur_eweight). */
    private final int[] eweights;

    @SuppressWarnings("unchecked")
    LeastConnBalancer(List<Server> servers, boolean allBackups) {
        this.groups = new ServerGroups(servers, allBackups);
        this.nodes = new FifoTree.Node[servers.size()];
        this.eweights = new int[servers.size()];
        for (Server server : servers) {
            nodes[server.index()] = new FifoTree.Node<>(server, server.index());
            if (groups.isUsable(server)) {
                insert(server);
            }
        }
    }

    // snippet:start key
    /** The tree key: 0 when idle, else (n + 1) * 4096 / E, all unsigned. */
    static int key(int inFlight, int eweight) {
        if (inFlight == 0) {
            return 0;
        }
        return Integer.divideUnsigned(
                (inFlight + 1) * RoundRobinBalancer.EWEIGHT_MAX, Math.max(eweight, 1));
    }

    // snippet:end key

    /**
     * The n of the key: requests in flight and waiting in the server's own queue (a request queued
     * there moves the server only at its next take or release, as in HAProxy, where queueing one
     * does not reposition it).
     */
    static int inFlight(Server server) {
        return server.served() + server.queued();
    }

    private void insert(Server server) {
        eweights[server.index()] = server.eweight();
        FifoTree<Server> tree = server.backup() ? backup : active;
        tree.insert(nodes[server.index()], key(inFlight(server), eweights[server.index()]));
    }

    private void removeFromTree(Server server) {
        FifoTree.Node<Server> node = nodes[server.index()];
        if (node.tree() != null) {
            node.tree().remove(node);
        }
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        return FirstFreeInTree.pick(groups, active, backup, avoid, Server::fullForLeastconn);
    }

    @Override
    public void taken(Server server) {
        reposition(server);
    }

    @Override
    public void released(Server server) {
        reposition(server);
    }

    // snippet:start reposition
    /** Moves the server to the end of its new equals, but only if its key changed. */
    private void reposition(Server server) {
        FifoTree.Node<Server> node = nodes[server.index()];
        FifoTree<Server> tree = node.tree();
        if (tree == null) {
            return;
        }
        int newKey = key(inFlight(server), eweights[server.index()]);
        if (node.key() != newKey) {
            tree.remove(node);
            tree.insert(node, newKey);
        }
    }

    // snippet:end reposition

    @Override
    public void serverUp(Server server) {
        if (groups.isUsable(server)) {
            return;
        }
        groups.up(server);
        removeFromTree(server);
        insert(server);
    }

    @Override
    public void serverDown(Server server) {
        groups.down(server);
        removeFromTree(server);
    }

    /**
     * Re-inserts with the new weight, even when the key stays the same (the server goes last among
     * equals).
     */
    @Override
    public void weightChanged(Server server, int oldUweight) {
        if (!groups.isUsable(server)) {
            return;
        }
        removeFromTree(server);
        insert(server);
    }
}
