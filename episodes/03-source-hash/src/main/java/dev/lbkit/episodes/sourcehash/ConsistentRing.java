package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ServerSpec;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * {@code hash-type consistent} (and {@code balance random}): every usable server owns 16 points per
 * unit of weight on a 32-bit ring, and a hash value goes to the server of the closest point, the
 * predecessor winning ties. A server going DOWN takes only its own points away, so only its keys
 * move.
 *
 * <p>Worked example: the server with id 1 places its points 0, 1, 2 at full_hash(4096),
 * full_hash(4097), full_hash(4098) = 1237450891, 2761370759, 3040967754; id 2 starts at 1079705203,
 * 414606662. A hash of 1200000000 sits between 1079705203 (id 2, 120294797 away) and 1237450891 (id
 * 1, 37450891 away), so it goes to id 1. With weights 2/1/3 and ids 1/2/3, the {@code source} key
 * of 127.0.1.1 after avalanche (4138135820) lands on s1.
 *
 * <p>Where the points lie depends on the HAProxy line and on the server's {@code hash-key} ({@link
 * #baseKey}): point i of a server is full_hash(B + i) for a base key B, which is id * 4096 in 2.6,
 * 3.2 and 3.4 but full_hash(id) in 3.0 (so the same config spreads keys differently on 3.0).
 *
 * <p>Requests without a key walk the ring points in ascending order from a stored cursor, one point
 * per request, so that "round robin" follows point ownership rather than server order. Active and
 * backup servers have separate rings.
 *
 * <p>HAProxy documents consistent hashing under {@code hash-type} and {@code hash-balance-factor}
 * in its configuration manual (section 4).
 */
public final class ConsistentRing implements HashLookup {
    /** Points per unit of user weight (HAProxy's BE_WEIGHT_SCALE): eweight = 16 * weight. */
    public static final int POINTS_PER_WEIGHT = 16;

    /** Spacing of server ids in the point-key input (HAProxy's SRV_EWGHT_RANGE). */
    public static final int ID_STRIDE = 4096;

    private final List<Server> servers;
    private final boolean allBackups;
    private final int balanceFactor;

    /** Each server's base key B (by index): point i sits at full_hash(B + i). */
    private final int[] baseKeys;

    private final Ring activeRing = new Ring();
    private final Ring backupRing = new Ring();

    /** Points each server has on its ring now, and the points it has keys for (never shrinks). */
    private final int[] pointsNow;

    private final int[] pointsAllocated;

    /**
     * Startup sum of the eweights of the usable same-group servers declared before (balance
     * factor).
     */
    private final int[] cumulativeWeight;

    private long insertions;
    private GroupInUse group;

    // The round-robin cursor: one ring point, or none (then the walk starts at the lowest key).
    private Ring cursorRing;
    private int cursorSortKey;
    private long cursorSeq;

    /**
     * @param balanceFactor {@code hash-balance-factor}, 0 for none
     * @param line the HAProxy line whose ring keys to use ({@link #baseKey})
     */
    public ConsistentRing(
            List<Server> servers, boolean allBackups, int balanceFactor, HaproxyLine line) {
        this.servers = List.copyOf(servers);
        this.baseKeys = new int[servers.size()];
        for (Server server : this.servers) {
            baseKeys[server.index()] = baseKey(server.spec(), line);
        }
        this.allBackups = allBackups;
        this.balanceFactor = balanceFactor;
        this.pointsNow = new int[servers.size()];
        this.pointsAllocated = new int[servers.size()];
        this.cumulativeWeight = new int[servers.size()];
        int activeSum = 0;
        int backupSum = 0;
        for (Server server : this.servers) {
            pointsAllocated[server.index()] = server.eweight();
            if (server.usable()) {
                if (server.backup()) {
                    cumulativeWeight[server.index()] = backupSum;
                    backupSum += server.eweight();
                } else {
                    cumulativeWeight[server.index()] = activeSum;
                    activeSum += server.eweight();
                }
            }
        }
        for (Server server : this.servers) {
            if (server.usable()) {
                setPoints(server, server.eweight());
            }
        }
        recount();
    }

    /**
     * The key of point {@code point} of the server with id {@code id}: full_hash(id * 4096 +
     * point).
     */
    // snippet:start point-key
    public static int pointKey(int id, int point) {
        return Hashes.fullHash(id * ID_STRIDE + point);
    }

    // snippet:end point-key

    /**
     * The base key B of a server on HAProxy {@code line}: its points are full_hash(B + i), i = 0 ..
     * 16 * weight - 1.
     *
     * <p>Examples: id 1 gives B = 4096 on 2.6, 3.2 and 3.4 but B = full_hash(1) = 881230262 on 3.0;
     * {@code hash-key addr} of 127.0.0.1 gives B = full_hash(0x0100007F) = 259664325 on every line
     * from 3.0; {@code addr-port} of 127.0.0.1:19001 gives full_hash(full_hash(19001) + 0x0100007F)
     * = 1620295214; on 3.4, {@code id32} of id 1 gives full_hash(0x01000000) = 3959731533 and
     * {@code guid} "srv-s1" gives XXH32("srv-s1", 0) = 2745430918.
     *
     * <p>2.6 knows no {@code hash-key} and always uses id * 4096. An {@code addr}/{@code addr-port}
     * server without an IP address, or a {@code guid} one without a guid, falls back to {@code id}.
     */
    public static int baseKey(ServerSpec server, HaproxyLine line) {
        if (line == HaproxyLine.V2_6) {
            return server.id() * ID_STRIDE;
        }
        switch (server.hashKey()) {
            case ADDR, ADDR_PORT -> {
                byte[] address = addressBytes(server);
                if (address != null) {
                    boolean withPort =
                            server.hashKey() == dev.lbkit.balancer.config.HashKey.ADDR_PORT;
                    int portKey = withPort ? Hashes.fullHash(server.port()) : 0;
                    if (address.length == 4) {
                        // The address bytes in network order, read as a little-endian (x86)
                        // integer.
                        int a =
                                (address[0] & 0xFF)
                                        | (address[1] & 0xFF) << 8
                                        | (address[2] & 0xFF) << 16
                                        | (address[3] & 0xFF) << 24;
                        return Hashes.fullHash(portKey + a);
                    }
                    return Xxh32.hash(address, portKey);
                }
            }
            case ID32 -> {
                // The id's big-endian bytes read as a host (little-endian) integer.
                return Hashes.fullHash(Integer.reverseBytes(server.id()));
            }
            case GUID -> {
                if (server.guid() != null) {
                    return Xxh32.hash(server.guid().getBytes(StandardCharsets.UTF_8), 0);
                }
            }
            case ID -> {}
        }
        return idBaseKey(server.id(), line);
    }

    /**
     * {@code hash-key id} (the default), HAProxy 3.0.0 to 3.0.11: the id is hashed once to make the
     * base key, B = full_hash(id), instead of spaced by 4096. A 3.0 change for the new {@code
     * hash-key} option; later lines (3.2.26, 3.4.7 measured) are back to id * 4096.
     */
    private static int idBaseKey(int id, HaproxyLine line) {
        return line == HaproxyLine.V3_0 ? Hashes.fullHash(id) : id * ID_STRIDE;
    }

    /** The server's IP address as 4 or 16 bytes (an IPv4-mapped IPv6 literal stays 16), or null. */
    private static byte[] addressBytes(ServerSpec server) {
        InetAddress address = server.resolvedAddress();
        if (address == null) {
            return null;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address && server.host().contains(":")) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        }
        return bytes;
    }

    @Override
    public int totalWeight() {
        return group.totalWeight();
    }

    @Override
    public int used() {
        return group.used();
    }

    /** How many points the ring of the group in use holds (for tests and teaching output). */
    public int pointCount() {
        return group.backup() ? backupRing.size : activeRing.size;
    }

    @Override
    public Server lookup(int hash, Server avoid) {
        if (group.singleBackup() != null) {
            return group.singleBackup();
        }
        Ring ring = group.backup() ? backupRing : activeRing;
        int n = ring.size;
        if (group.used() == 0 || n == 0) {
            return null;
        }
        // snippet:start closest-point
        int next = ring.firstAtOrAbove(hash);
        if (next == n) {
            next = 0;
        }
        int prev = next == 0 ? n - 1 : next - 1;
        int toPrev = hash - ring.key(prev);
        int toNext = ring.key(next) - hash;
        int chosen = Integer.compareUnsigned(toPrev, toNext) <= 0 ? prev : next;
        // snippet:end closest-point

        long backendServed = -1;
        int wraps = 0;
        while (true) {
            Server candidate = ring.owners[chosen];
            boolean rejected = candidate == avoid;
            if (!rejected && balanceFactor != 0) {
                if (backendServed < 0) {
                    backendServed = backendServed();
                }
                rejected = !eligible(candidate, backendServed);
            }
            if (!rejected) {
                return candidate;
            }
            // Walk clockwise; after wrapping twice, give up and keep the current one (HAProxy's
            // loop guard).
            chosen++;
            if (chosen == n) {
                chosen = 0;
                if (++wraps > 1) {
                    return ring.owners[chosen];
                }
            }
        }
    }

    /**
     * {@code hash-balance-factor}: a server may take a request while its in-flight count stays
     * below its share of ceil((backend in-flight + 1) * factor / 100) slots.
     */
    private boolean eligible(Server server, long backendServed) {
        long totalSlots = ((backendServed + 1) * balanceFactor + 99) / 100;
        long totalWeight = group.totalWeight();
        long perWeight = totalSlots / totalWeight;
        long remainder = totalSlots % totalWeight;
        long e = server.eweight();
        long c = cumulativeWeight[server.index()];
        long slots =
                e * perWeight + ((c + e) * remainder) / totalWeight - (c * remainder) / totalWeight;
        if (slots == 0) {
            slots = 1;
        }
        return server.served() < slots;
    }

    private long backendServed() {
        long sum = 0;
        for (Server server : servers) {
            sum += server.served();
        }
        return sum;
    }

    @Override
    public Server nextRoundRobin(Server avoid) {
        if (group.singleBackup() != null) {
            return group.singleBackup();
        }
        if (group.used() == 0) {
            return null;
        }
        Ring root = group.backup() ? backupRing : activeRing;
        Ring ring = cursorRing;
        int node = cursorRing == null ? -1 : cursorRing.indexOf(cursorSortKey, cursorSeq);
        Ring stopRing = ring;
        int stop = node;
        Server avoided = null;
        Ring avoidedRing = null;
        int avoidedNode = -1;
        // HAProxy stops when it is back at the cursor; a cursor left on the other group's ring is
        // never
        // met again, so lbkit also stops after one full lap of both rings instead of spinning.
        int stepsLeft = activeRing.size + backupRing.size + 1;
        do {
            // The cursor may sit on the other group's ring: it walks there until it runs off the
            // end.
            if (node >= 0) {
                node = node + 1 < ring.size ? node + 1 : -1;
            }
            if (node < 0) {
                ring = root;
                node = root.size > 0 ? 0 : -1;
            }
            if (node < 0) {
                cursorRing = null;
                return null;
            }
            setCursor(ring, node);
            if (stop < 0) {
                stopRing = ring;
                stop = node;
            }
            Server server = ring.owners[node];
            if (!server.full()) {
                if (server != avoid) {
                    return server;
                }
                avoided = server;
                avoidedRing = ring;
                avoidedNode = node;
            }
        } while (!(ring == stopRing && node == stop) && --stepsLeft > 0);
        if (avoidedNode < 0) {
            cursorRing = null;
        } else {
            setCursor(avoidedRing, avoidedNode);
        }
        return avoided;
    }

    private void setCursor(Ring ring, int index) {
        cursorRing = ring;
        cursorSortKey = ring.sortKeys[index];
        cursorSeq = ring.seqs[index];
    }

    @Override
    public void serverUp(Server server) {
        setPoints(server, server.eweight());
        recount();
    }

    @Override
    public void serverDown(Server server) {
        removePointsFrom(server, 0);
        recount();
    }

    @Override
    public void weightChanged(Server server, int oldUweight) {
        setPoints(server, server.eweight());
        recount();
    }

    private void recount() {
        group = GroupInUse.of(servers, allBackups, Server::eweight);
    }

    /** Brings the server to {@code target} points: removes from the end, or adds after the last. */
    private void setPoints(Server server, int target) {
        int s = server.index();
        if (pointsNow[s] > target) {
            removePointsFrom(server, target);
        }
        if (pointsAllocated[s] < target) {
            // HAProxy reallocates the server's points: all of them leave and come back, in index
            // order.
            removePointsFrom(server, 0);
            pointsAllocated[s] = target;
        }
        if (pointsNow[s] < target) {
            int from = pointsNow[s];
            int count = target - from;
            int[] sortKeys = new int[count];
            long[] seqs = new long[count];
            for (int i = 0; i < count; i++) {
                sortKeys[i] = Hashes.fullHash(baseKeys[s] + from + i) ^ Integer.MIN_VALUE;
                seqs[i] = insertions++;
            }
            ringOf(server).insert(server, from, sortKeys, seqs);
            pointsNow[s] = target;
        }
    }

    /**
     * Removes the server's points with index {@code keep} and above, highest index first. If the
     * round-robin cursor sits on a point being removed, it moves to the following point first.
     */
    private void removePointsFrom(Server server, int keep) {
        int s = server.index();
        int now = pointsNow[s];
        if (now <= keep) {
            return;
        }
        Ring ring = ringOf(server);
        if (cursorRing == ring) {
            int cursor = ring.indexOf(cursorSortKey, cursorSeq);
            for (int point = now - 1; point >= keep && cursor >= 0; point--) {
                if (ring.owners[cursor] == server && ring.points[cursor] == point) {
                    cursor = followingPoint(ring, cursor, server, point);
                }
            }
            if (cursor < 0) {
                cursorRing = null;
            } else {
                setCursor(ring, cursor);
            }
        }
        ring.removeFrom(server, keep);
        pointsNow[s] = keep;
    }

    /**
     * The point after {@code at} (wrapping) while the server's points above {@code removing} are
     * gone; -1 if none.
     */
    private static int followingPoint(Ring ring, int at, Server server, int removing) {
        for (int step = 1; step <= ring.size; step++) {
            int i = at + step < ring.size ? at + step : at + step - ring.size;
            if (i == at) {
                return -1;
            }
            boolean gone = ring.owners[i] == server && ring.points[i] > removing;
            if (!gone) {
                return i;
            }
        }
        return -1;
    }

    private Ring ringOf(Server server) {
        return server.backup() ? backupRing : activeRing;
    }

    /**
     * One ring as parallel sorted arrays: keys (stored with the sign bit flipped, so signed order
     * is unsigned order), insertion sequence numbers (FIFO among equal keys), owners and point
     * indexes. Lookups are a binary search with no allocation.
     */
    public static final class Ring {
        int size;
        int[] sortKeys = new int[0];
        long[] seqs = new long[0];
        Server[] owners = new Server[0];
        int[] points = new int[0];

        int key(int index) {
            return sortKeys[index] ^ Integer.MIN_VALUE;
        }

        /**
         * The first index whose unsigned key is >= {@code hash}, or {@code size}. Equal keys: the
         * oldest.
         */
        int firstAtOrAbove(int hash) {
            int wanted = hash ^ Integer.MIN_VALUE;
            int low = 0;
            int high = size;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (sortKeys[mid] < wanted) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }

        /** The index of the point with this key and insertion number, or -1. */
        int indexOf(int sortKey, long seq) {
            int low = 0;
            int high = size - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                int c =
                        sortKeys[mid] != sortKey
                                ? Integer.compare(sortKeys[mid], sortKey)
                                : Long.compare(seqs[mid], seq);
                if (c < 0) {
                    low = mid + 1;
                } else if (c > 0) {
                    high = mid - 1;
                } else {
                    return mid;
                }
            }
            return -1;
        }

        /**
         * Merges new points (point indexes {@code firstPoint}..) of {@code owner}; their seqs are
         * the newest.
         */
        void insert(Server owner, int firstPoint, int[] newSortKeys, long[] newSeqs) {
            int count = newSortKeys.length;
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            // Among themselves, equal keys keep insertion order (the sort is stable, seqs ascend).
            Arrays.sort(order, (a, b) -> Integer.compare(newSortKeys[a], newSortKeys[b]));
            int total = size + count;
            int[] k = new int[total];
            long[] q = new long[total];
            Server[] o = new Server[total];
            int[] p = new int[total];
            int i = 0;
            int j = 0;
            for (int out = 0; out < total; out++) {
                // Existing points go first among equal keys: they were inserted earlier.
                boolean takeOld = j == count || (i < size && sortKeys[i] <= newSortKeys[order[j]]);
                if (takeOld) {
                    k[out] = sortKeys[i];
                    q[out] = seqs[i];
                    o[out] = owners[i];
                    p[out] = points[i];
                    i++;
                } else {
                    int n = order[j++];
                    k[out] = newSortKeys[n];
                    q[out] = newSeqs[n];
                    o[out] = owner;
                    p[out] = firstPoint + n;
                }
            }
            sortKeys = k;
            seqs = q;
            owners = o;
            points = p;
            size = total;
        }

        /** Drops every point of {@code owner} whose point index is {@code keep} or above. */
        void removeFrom(Server owner, int keep) {
            int out = 0;
            for (int i = 0; i < size; i++) {
                if (owners[i] == owner && points[i] >= keep) {
                    continue;
                }
                sortKeys[out] = sortKeys[i];
                seqs[out] = seqs[i];
                owners[out] = owners[i];
                points[out] = points[i];
                out++;
            }
            Arrays.fill(owners, out, size, null);
            size = out;
        }
    }
}
