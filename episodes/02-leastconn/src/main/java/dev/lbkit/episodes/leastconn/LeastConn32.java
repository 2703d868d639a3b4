package dev.lbkit.episodes.leastconn;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.episodes.roundrobin.ServerGroups;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code balance leastconn} as HAProxy 3.2 and 3.4 run it: the least loaded servers first, as in
 * 2.6, but servers with equal load sit in four FIFO lists and the process's random generator says
 * which list each pick starts from and which list a moved server joins.
 *
 * <p>Structure (one per group, active and backup): an ordered map of <em>elements</em>, keyed as in
 * 2.6 ({@code 0} when idle, else {@code floor((n + 1) * 4096 / E)}, E = 16 x weight); each element
 * holds 4 lists; each usable server is in exactly one list of one element. {@code smallest} is the
 * key lookups start from. Every list choice is one draw {@code r4()} = floor(x * 4 / 2^32):
 *
 * <ul>
 *   <li>start: each usable server, in declaration order, joins list r4() of element 0, drawn from
 *       the fixed seed (the process's own value is added only later);
 *   <li>pick: for each element from {@code smallest} up, one draw o (even for an empty element);
 *       the head of the first non-empty list among o, o+1, o+2, o+3 (mod 4) is taken; an element
 *       that yields nothing moves {@code smallest} to the next element's key;
 *   <li>reposition (a request taken or released): nothing if the key is unchanged, else the server
 *       joins the tail of list r4() of its new element (created if needed; the old one stays, even
 *       empty) and {@code smallest} drops to that key if lower;
 *   <li>down: the server leaves; an element left empty is deleted ({@code smallest} back to 0 if it
 *       was that key); up or a weight change: it joins list r4() of its element.
 * </ul>
 *
 * <p>Worked example: servers s1..s5, weight 1, idle. The start-up draws 723471715, 2497366906,
 * 2064144800, 2008045182, 3532304609 put them in lists 0, 2, 1, 1, 3 of element 0. A sequential
 * request then costs 3 draws: o for element 0 (o = 1 takes s3, the head of list 1), s3's move to
 * element {@code 2 * 4096 / 16 = 512}, and its move back to element 0 at the end, to a random list.
 * So the same server can come twice in a row (about a quarter of the time with 3 servers), which
 * 2.6's strict rotation never does, while counts stay near even.
 *
 * <p>A server at its {@code maxconn} is passed over only once its queue holds {@code maxqueue}
 * requests too, as in 2.6, and queueing a request does not move it: a full server at the head of
 * its list hides the servers behind it, so with {@code maxconn 1 maxqueue 1} on three busy servers
 * one to three of the next requests wait in servers' queues (as many as the lists the three occupy)
 * and the rest in the backend's, though a hidden server's queue has room.
 *
 * <p>With {@code nbthread 1} this is the whole rule (the postponed moves under lock contention need
 * several threads). Facts: docs/versions.md (from 3.2.26 and 3.4.7 measured). Not modelled: the
 * recycling of spare elements past 500 (never reached by small tests).
 */
final class LeastConn32 implements LoadBalancer {
    static final int LISTS = 4;

    private static final class Element {
        final long key;

        @SuppressWarnings("unchecked")
        final ArrayDeque<Server>[] lists = new ArrayDeque[LISTS];

        int size;

        Element(long key) {
            this.key = key;
            for (int i = 0; i < LISTS; i++) {
                lists[i] = new ArrayDeque<>();
            }
        }
    }

    /** One group's elements by unsigned key, and where lookups start. */
    private static final class Group {
        final TreeMap<Long, Element> elements = new TreeMap<>();
        long smallest;
    }

    private final ServerGroups groups;
    private final StatisticalPrng prng;
    private final Group active = new Group();
    private final Group backup = new Group();
    private final Element[] elementOf;
    private final int[] listOf;

    /** The effective weight each server was queued with (HAProxy's cur_eweight). */
    private final int[] eweights;

    LeastConn32(List<Server> servers, boolean allBackups, StatisticalPrng prng) {
        this.groups = new ServerGroups(servers, allBackups);
        this.prng = prng;
        this.elementOf = new Element[servers.size()];
        this.listOf = new int[servers.size()];
        this.eweights = new int[servers.size()];
        for (Server server : servers) {
            if (groups.isUsable(server)) {
                queue(server, prng.startupDrawBelow(LISTS));
            }
        }
    }

    private Group groupOf(Server server) {
        return server.backup() ? backup : active;
    }

    private long keyOf(Server server) {
        return Integer.toUnsignedLong(
                LeastConnBalancer.key(
                        LeastConnBalancer.inFlight(server), eweights[server.index()]));
    }

    private static Element elementAt(Group group, long key) {
        return group.elements.computeIfAbsent(key, Element::new);
    }

    private void append(Server server, Element element, int list) {
        element.lists[list].addLast(server);
        element.size++;
        elementOf[server.index()] = element;
        listOf[server.index()] = list;
    }

    private void unlink(Server server) {
        Element element = elementOf[server.index()];
        element.lists[listOf[server.index()]].remove(server);
        element.size--;
        elementOf[server.index()] = null;
    }

    /** Joins list {@code list} of the element of its current key (up, weight change, start). */
    private void queue(Server server, int list) {
        eweights[server.index()] = server.eweight();
        Group group = groupOf(server);
        long key = keyOf(server);
        append(server, elementAt(group, key), list);
        group.smallest = Math.min(group.smallest, key);
    }

    /** Leaves the structure (down, weight change); an element left empty is deleted. */
    private void dequeue(Server server) {
        Element element = elementOf[server.index()];
        if (element == null) {
            return;
        }
        unlink(server);
        if (element.size == 0) {
            Group group = groupOf(server);
            group.elements.remove(element.key);
            if (group.smallest == element.key) {
                group.smallest = 0;
            }
        }
    }

    // snippet:start pick-32
    @Override
    public Server pick(RequestInfo request, Server avoid) {
        Group group;
        switch (groups.which()) {
            case ACTIVE -> group = active;
            case SOLE_BACKUP -> {
                return groups.soleBackup();
            }
            case BACKUPS -> group = backup;
            default -> {
                return null;
            }
        }
        Server avoided = null;
        Iterator<Map.Entry<Long, Element>> walk =
                group.elements.tailMap(group.smallest, true).entrySet().iterator();
        while (walk.hasNext()) {
            Element element = walk.next().getValue();
            int start = prng.nextBelow(LISTS); // one draw per element visited, even an empty one
            int examined = 0;
            for (int i = 0; i < LISTS && examined < element.size; i++) {
                Server head = element.lists[(start + i) % LISTS].peekFirst();
                if (head == null) {
                    continue;
                }
                examined++;
                if (!head.fullForLeastconn()) {
                    if (head != avoid) {
                        return head;
                    }
                    avoided = head;
                }
            }
            if (walk.hasNext()) {
                group.smallest = group.elements.higherKey(element.key);
            }
        }
        return avoided;
    }

    // snippet:end pick-32

    @Override
    public void taken(Server server) {
        reposition(server);
    }

    @Override
    public void released(Server server) {
        reposition(server);
    }

    /**
     * Moves the server to the tail of a random list of its new element, only if its key changed.
     */
    private void reposition(Server server) {
        Element current = elementOf[server.index()];
        if (current == null) {
            return;
        }
        long key = keyOf(server);
        if (key == current.key) {
            return;
        }
        Group group = groupOf(server);
        Element target = elementAt(group, key);
        group.smallest = Math.min(group.smallest, key);
        unlink(server);
        append(server, target, prng.nextBelow(LISTS));
    }

    @Override
    public void serverUp(Server server) {
        if (groups.isUsable(server)) {
            return;
        }
        groups.up(server);
        dequeue(server);
        queue(server, prng.nextBelow(LISTS));
    }

    @Override
    public void serverDown(Server server) {
        groups.down(server);
        dequeue(server);
    }

    @Override
    public void weightChanged(Server server, int oldUweight) {
        if (!groups.isUsable(server)) {
            return;
        }
        dequeue(server);
        queue(server, prng.nextBelow(LISTS));
    }

    /** Where {@code server} sits: {key, list}, or null when it is in no list (for tests). */
    long[] placeOf(Server server) {
        Element element = elementOf[server.index()];
        return element == null ? null : new long[] {element.key, listOf[server.index()]};
    }
}
