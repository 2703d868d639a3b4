package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.config.ServerSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A slow, obviously-correct model of the consistent-hash ring straight from the spec (a sorted list
 * and a linear scan), used as the oracle for {@link ConsistentRing}'s fast arrays.
 */
public final class NaiveRing {
    public record Point(long key, String owner) {}

    public final List<Point> points = new ArrayList<>();

    public NaiveRing(List<ServerSpec> servers) {
        for (ServerSpec server : servers) {
            for (int i = 0; i < 16 * server.weight(); i++) {
                points.add(
                        new Point(
                                Integer.toUnsignedLong(Hashes.fullHash(server.id() * 4096 + i)),
                                server.name()));
            }
        }
        points.sort(
                Comparator.comparingLong(Point::key)); // stable: equal keys keep insertion order
    }

    public NaiveRing without(String name) {
        NaiveRing copy = new NaiveRing(List.of());
        points.stream().filter(p -> !p.owner().equals(name)).forEach(copy.points::add);
        return copy;
    }

    public String closest(int hash) {
        long h = Integer.toUnsignedLong(hash);
        int next = 0;
        while (next < points.size() && points.get(next).key() < h) {
            next++;
        }
        if (next == points.size()) {
            next = 0;
        }
        int prev = next == 0 ? points.size() - 1 : next - 1;
        long toPrev = (h - points.get(prev).key()) & 0xffffffffL;
        long toNext = (points.get(next).key() - h) & 0xffffffffL;
        return toPrev <= toNext ? points.get(prev).owner() : points.get(next).owner();
    }
}
