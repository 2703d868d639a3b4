package dev.lbkit.balancer.algorithm;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.Where;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How an episode plugs its algorithms into the engine. Each episode module lists its provider in
 * {@code META-INF/services/dev.lbkit.balancer.algorithm.AlgorithmProvider}; {@link Algorithms}
 * finds them with {@link java.util.ServiceLoader}, so the engine never names an algorithm class.
 *
 * <p>Example: episode 01 serves {@code roundrobin} and {@code static-rr}; a config with {@code
 * balance uri} needs episode 04's provider on the classpath.
 */
public interface AlgorithmProvider {

    /** The {@code balance} algorithms this provider serves. */
    Set<Algorithm> algorithms();

    /**
     * Reads a {@code balance} line whose first word names one of {@link #algorithms()}. Wrong
     * arguments are refused in HAProxy's words: the reason goes to {@code alert} (the config reader
     * adds file and line) and the result is null. The default accepts the bare name and ignores any
     * argument after it, as HAProxy does for the algorithms that take none.
     *
     * @param words the words after {@code balance}, the algorithm's name first
     */
    default Balance read(
            Algorithm algorithm, List<String> words, Where where, Consumer<String> alert) {
        return Balance.of(algorithm, where);
    }

    /**
     * The algorithm of one backend, over its servers in declaration order, as HAProxy {@code line}
     * runs it. Where a line changed an algorithm, the difference lives next to it, named after the
     * line that brought it.
     */
    LoadBalancer create(ProxySection backend, List<Server> servers, HaproxyLine line);

    /**
     * As {@link #create(ProxySection, List, HaproxyLine)}, inside a process whose backends share
     * one {@link StatisticalPrng} (HAProxy's per-thread generator, {@code nbthread 1}). Algorithms
     * that draw random numbers override this and draw from {@code prng}; the three-argument form
     * then gives the backend a generator of its own, as a process with that one backend would have.
     *
     * <p>Example: two {@code balance random} backends in one config take turns on one stream, so
     * each one's picks depend on the other's traffic, as in HAProxy.
     */
    default LoadBalancer create(
            ProxySection backend, List<Server> servers, HaproxyLine line, StatisticalPrng prng) {
        return create(backend, servers, line);
    }
}
