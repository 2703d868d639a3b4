package dev.lbkit.episodes.roundrobin;

import dev.lbkit.balancer.algorithm.Server;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * HAProxy's weighted map, shared by {@code static-rr} and {@code hash-type map-based}: a table of
 * {@code sum(eweight)} slots in which each server appears eweight times, spread by a greedy
 * interleave. Weights 2/1/3 give {@code [s1, s3, s1, s3, s2, s3]}; weights 5/3/2 give {@code [s1,
 * s1, s2, s1, s3, s1, s2, s1, s2, s3]}. The first slot always holds the first declared server.
 */
public final class WeightedMap {

    private WeightedMap() {}

    /**
     * Builds the map over {@code servers} (already filtered to the usable ones of the group in use,
     * in declaration order).
     */
    public static Server[] build(List<Server> servers, ToIntFunction<Server> eweight) {
        int total = 0;
        for (Server s : servers) {
            total += eweight.applyAsInt(s);
        }
        return build(servers, eweight, total);
    }

    // snippet:start weighted-map
    /**
     * Builds a map of {@code total} slots over {@code servers}. HAProxy sizes the map by the
     * backend's total weight, which is not always the sum over the servers it fills it from: with
     * only backups usable and no {@code option allbackups}, the size is the first backup's eweight
     * but every usable backup competes for the slots, so backups 2/3 give {@code [b1, b2]} (checked
     * on HAProxy 2.6.12: static-rr alternates b1 b2).
     */
    public static Server[] build(List<Server> servers, ToIntFunction<Server> eweight, int total) {
        Server[] map = new Server[total];
        if (total == 1) {
            map[0] = servers.get(0);
            return map;
        }
        int[] score = new int[servers.size()];
        for (int slot = 0; slot < total; slot++) {
            int best = -1;
            int bestValue = 0;
            for (int i = 0; i < servers.size(); i++) {
                int w = eweight.applyAsInt(servers.get(i));
                if (w == 0) {
                    continue;
                }
                score[i] += w;
                // Scores can dip below zero; HAProxy divides as unsigned 32-bit and the wrapped sum
                // is still right.
                int value = Integer.divideUnsigned(score[i] + total, total);
                if (best < 0 || Integer.compareUnsigned(value, bestValue) > 0) {
                    best = i;
                    bestValue = value;
                }
            }
            map[slot] = servers.get(best);
            score[best] -= total;
        }
        return map;
    }

    // snippet:end weighted-map

    /**
     * The divisor HAProxy applies to map-based weights: the GCD of every configured non-zero weight
     * (1 when there is none). It is computed once, from the configuration, and never again: after a
     * server goes DOWN the remaining weights are not re-reduced.
     */
    public static int startupDivisor(List<Server> servers) {
        int gcd = 0;
        for (Server server : servers) {
            int weight = server.spec().weight();
            while (weight != 0) {
                int rest = gcd % weight;
                gcd = weight;
                weight = rest;
            }
        }
        return gcd == 0 ? 1 : gcd;
    }

    /**
     * A server's map weight: its configured weight over the startup divisor, rounded up as HAProxy
     * does.
     */
    public static int mapWeight(Server server, int divisor) {
        return (server.spec().weight() + divisor - 1) / divisor;
    }
}
