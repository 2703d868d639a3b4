package dev.lbkit.episodes.weighted;

import java.util.ArrayList;
import java.util.List;

/**
 * Two weighted round-robin orders published by other balancers, rewritten here in our own code so
 * the lesson can set them next to HAProxy's: nginx's "smooth weighted round robin" and the
 * interleaved, gcd-stepping weighted round robin of the Linux Virtual Server (LVS) documentation.
 * Both give each server the same share as HAProxy for the same weights; only the order differs.
 *
 * <p>These are teaching models of the published algorithms, not parity-tested ports: nginx also
 * lowers a failing peer's effective weight and LVS skips overloaded real servers, which we leave
 * out.
 */
public final class OtherBalancers {
    private OtherBalancers() {}

    /**
     * A balancer that hands out server indexes (0-based, declaration order) one request at a time.
     */
    public interface Order {
        /** The index of the server for the next request, or -1 when every weight is 0. */
        int next();

        /** The next {@code count} picks as server names {@code names[index]}. */
        default List<String> take(int count, List<String> names) {
            List<String> picks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = next();
                picks.add(index < 0 ? "-" : names.get(index));
            }
            return picks;
        }
    }

    /**
     * nginx's smooth weighted round robin: every pick adds each server's weight to its running
     * score, takes the server with the highest score (the first declared one on ties) and takes the
     * total weight off the winner's score. Scores start at 0, so a new order (a reload) starts from
     * scratch.
     */
    public static Order nginxSmooth(int... weights) {
        int[] weight = weights.clone();
        // snippet:start nginx-smooth
        int[] score = new int[weight.length];
        return () -> {
            int total = 0;
            int best = -1;
            for (int i = 0; i < weight.length; i++) {
                score[i] += weight[i];
                total += weight[i];
                if (weight[i] > 0 && (best < 0 || score[i] > score[best])) {
                    best = i;
                }
            }
            if (best >= 0) {
                score[best] -= total;
            }
            return best;
        };
        // snippet:end nginx-smooth
    }

    /**
     * The interleaved weighted round robin described by LVS: walk the servers in order, again and
     * again; each time the walk wraps to the first server, lower a threshold by the GCD of the
     * weights (back to the largest weight once it reaches 0); a server is picked when its weight
     * reaches the threshold. Heavy servers therefore come first in every round, and lighter ones
     * join as the threshold falls.
     */
    public static Order lvsInterleaved(int... weights) {
        int[] weight = weights.clone();
        int gcd = 0;
        int max = 0;
        for (int w : weight) {
            gcd = gcd(gcd, w);
            max = Math.max(max, w);
        }
        int step = gcd;
        int largest = max;
        // snippet:start lvs-interleaved
        int[] position = {-1};
        int[] threshold = {0};
        return () -> {
            if (largest == 0) {
                return -1;
            }
            while (true) {
                position[0] = (position[0] + 1) % weight.length;
                if (position[0] == 0) {
                    threshold[0] -= step;
                    if (threshold[0] <= 0) {
                        threshold[0] = largest;
                    }
                }
                if (weight[position[0]] >= threshold[0]) {
                    return position[0];
                }
            }
        };
        // snippet:end lvs-interleaved
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int rest = a % b;
            a = b;
            b = rest;
        }
        return a;
    }
}
