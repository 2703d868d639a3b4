package dev.lbkit.episodes.random;

import dev.lbkit.balancer.algorithm.AlgorithmProvider;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.Where;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Episode 05's algorithm for the engine: {@code balance random} and {@code random(N)}, N draws on
 * episode 03's ring.
 */
public final class RandomAlgorithms implements AlgorithmProvider {

    @Override
    public Set<Algorithm> algorithms() {
        return Set.of(Algorithm.RANDOM);
    }

    @Override
    public LoadBalancer create(ProxySection backend, List<Server> servers, HaproxyLine line) {
        return create(backend, servers, line, StatisticalPrng.forLine(line));
    }

    /**
     * Draws from the process's generator {@code prng}, shared with every other backend that draws.
     */
    @Override
    public LoadBalancer create(
            ProxySection backend, List<Server> servers, HaproxyLine line, StatisticalPrng prng) {
        return new RandomBalancer(backend, servers, line, prng);
    }

    /**
     * {@code random} or {@code random(N)}: N draws, 2 by default; C's strtol reads N (so 0x3 is 3).
     */
    @Override
    public Balance read(
            Algorithm algorithm, List<String> words, Where where, Consumer<String> alert) {
        return readRandom(words.get(0), where, alert);
    }

    private static Balance readRandom(String word, Where where, Consumer<String> alert) {
        int draws = 2;
        if (word.length() > 7 && word.charAt(6) == '(' && word.charAt(7) != ')') {
            String inside = word.substring(7);
            int[] parsed = strtol(inside);
            int end = parsed[1];
            if (end >= inside.length()) {
                alert.accept("balance random : missing closing parenthesis.");
                return null;
            }
            if (inside.charAt(end) != ')') {
                alert.accept(
                        "balance random : unexpected character '"
                                + inside.charAt(end)
                                + "' after argument.");
                return null;
            }
            if (parsed[0] < 1) {
                alert.accept("balance random : number of draws must be at least 1.");
                return null;
            }
            draws = parsed[0];
        } else if (word.equals("random(")) {
            alert.accept("balance random : missing closing parenthesis.");
            return null;
        }
        return new Balance(Algorithm.RANDOM, false, 0, 0, false, draws, null, false, false, where);
    }

    /** C's {@code strtol(text, &end, 0)}: returns {value, index where reading stopped}. */
    private static int[] strtol(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        if (text.startsWith("0x", i) || text.startsWith("0X", i)) {
            if (i + 2 < text.length() && Character.digit(text.charAt(i + 2), 16) >= 0) {
                radix = 16;
                i += 2;
            }
        } else if (text.startsWith("0", i)) {
            radix = 8;
        }
        int start = i;
        long value = 0;
        while (i < text.length() && Character.digit(text.charAt(i), radix) >= 0) {
            value =
                    Math.min(
                            value * radix + Character.digit(text.charAt(i), radix),
                            Integer.MAX_VALUE);
            i++;
        }
        if (i == start) {
            return new int[] {0, 0};
        }
        return new int[] {(int) (negative ? -value : value), i};
    }
}
