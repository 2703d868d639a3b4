package dev.lbkit.episodes.leastconn;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.episodes.roundrobin.FifoTree;
import dev.lbkit.episodes.roundrobin.ServerGroups;
import java.util.List;

/**
 * {@code balance first}: sends each request to the usable server with the lowest id that still has
 * a free connection slot, so servers fill up one after the other and the last ones can be switched
 * off.
 *
 * <p>Worked sequence: three servers with {@code maxconn 2} and six requests in flight at once go
 * {@code s1 s1 s2 s2 s3 s3}. Without maxconn every request goes to the lowest id. The id counts,
 * not the declaration order: {@code s1 id 30, s2 id 10, s3} gives s3 the automatic id 3, so s3 is
 * chosen first. Weights are ignored.
 *
 * <p>HAProxy documents {@code first} under {@code balance} in its configuration manual; the lbkit
 * docs/concepts.md covers it.
 */
final class FirstBalancer implements LoadBalancer {

    private final ServerGroups groups;
    private final FifoTree<Server> active = new FifoTree<>();
    private final FifoTree<Server> backup = new FifoTree<>();
    private final FifoTree.Node<Server>[] nodes;

    @SuppressWarnings("unchecked")
    FirstBalancer(List<Server> servers, boolean allBackups) {
        this.groups = new ServerGroups(servers, allBackups);
        this.nodes = new FifoTree.Node[servers.size()];
        for (Server server : servers) {
            nodes[server.index()] = new FifoTree.Node<>(server, server.index());
            if (groups.isUsable(server)) {
                insert(server);
            }
        }
    }

    private void insert(Server server) {
        (server.backup() ? backup : active).insert(nodes[server.index()], server.id());
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        return FirstFreeInTree.pick(groups, active, backup, avoid, Server::full);
    }

    @Override
    public void serverUp(Server server) {
        if (groups.isUsable(server)) {
            return;
        }
        groups.up(server);
        insert(server);
    }

    @Override
    public void serverDown(Server server) {
        groups.down(server);
        FifoTree.Node<Server> node = nodes[server.index()];
        if (node.tree() != null) {
            node.tree().remove(node);
        }
    }

    /** Weights play no part in {@code first}. */
    @Override
    public void weightChanged(Server server, int oldUweight) {}
}
