package dev.lbkit.all.live;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.episodes.sourcehash.ConsistentRing;
import dev.lbkit.episodes.sourcehash.Hashes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A picture of a backend's consistent-hash ring (the one {@code hash-type consistent} and {@code
 * balance random} look points up on), built from the same public formulas episode 03's {@link
 * ConsistentRing} uses: server s with weight w has 16 * w points, point i at full_hash(B + i) for
 * its base key B. The live view draws it and marks where a request's hash (or a random draw) lands;
 * the owner it finds there is checked against lbkit's actual pick.
 */
final class HashRing {
    /** One point: its key on the 32-bit ring (unsigned) and the server that owns it. */
    record Point(long key, String server) {}

    private final List<Point> points;

    private HashRing(List<Point> points) {
        this.points = points;
    }

    /**
     * The ring of the servers usable now, as {@code weights} gives their user weights (0 or a
     * server not in the list: no points), on HAProxy {@code line}.
     */
    static HashRing of(
            List<Server> servers, java.util.Map<String, Integer> usableWeights, HaproxyLine line) {
        List<Point> points = new ArrayList<>();
        for (Server server : servers) {
            int weight = usableWeights.getOrDefault(server.name(), 0);
            int base = ConsistentRing.baseKey(server.spec(), line);
            for (int i = 0; i < ConsistentRing.POINTS_PER_WEIGHT * weight; i++) {
                points.add(
                        new Point(
                                Integer.toUnsignedLong(Hashes.fullHash(base + i)), server.name()));
            }
        }
        points.sort(Comparator.comparingLong(Point::key));
        return new HashRing(List.copyOf(points));
    }

    List<Point> points() {
        return points;
    }

    /**
     * The point closest to {@code hash} (unsigned), the one before or the one after it on the ring,
     * the earlier one on a tie: the rule HAProxy's ring lookup follows. Null on an empty ring.
     */
    Point closest(long hash) {
        if (points.isEmpty()) {
            return null;
        }
        int next = 0;
        while (next < points.size() && points.get(next).key() < hash) {
            next++;
        }
        if (next == points.size()) {
            next = 0;
        }
        int prev = next == 0 ? points.size() - 1 : next - 1;
        long toPrev = (hash - points.get(prev).key()) & 0xFFFF_FFFFL;
        long toNext = (points.get(next).key() - hash) & 0xFFFF_FFFFL;
        return toPrev <= toNext ? points.get(prev) : points.get(next);
    }
}
