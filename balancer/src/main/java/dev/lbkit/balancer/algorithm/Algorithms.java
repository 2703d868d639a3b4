package dev.lbkit.balancer.algorithm;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The algorithms on the classpath: every {@link AlgorithmProvider} that {@link ServiceLoader}
 * finds, by the {@code balance} name it serves. The engine asks here and nowhere else.
 */
public final class Algorithms {
    private static final Map<Algorithm, AlgorithmProvider> PROVIDERS = load();

    private Algorithms() {}

    private static Map<Algorithm, AlgorithmProvider> load() {
        Map<Algorithm, AlgorithmProvider> byAlgorithm = new EnumMap<>(Algorithm.class);
        try {
            for (AlgorithmProvider provider : ServiceLoader.load(AlgorithmProvider.class)) {
                for (Algorithm algorithm : provider.algorithms()) {
                    AlgorithmProvider earlier = byAlgorithm.putIfAbsent(algorithm, provider);
                    if (earlier != null && earlier.getClass() != provider.getClass()) {
                        throw new IllegalStateException(
                                "balance "
                                        + algorithm.keyword()
                                        + " is served by both "
                                        + earlier.getClass().getName()
                                        + " and "
                                        + provider.getClass().getName()
                                        + "; keep one of them on the classpath.");
                    }
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException(
                    "an algorithm provider on the classpath cannot be loaded: " + e.getMessage(),
                    e);
        }
        return Collections.unmodifiableMap(byAlgorithm);
    }

    /** The provider serving {@code algorithm}, if its module is on the classpath. */
    public static Optional<AlgorithmProvider> provider(Algorithm algorithm) {
        return Optional.ofNullable(PROVIDERS.get(algorithm));
    }

    /** The algorithms lbkit can run with the modules on this classpath. */
    public static Set<Algorithm> available() {
        return PROVIDERS.keySet();
    }

    /**
     * Where the course teaches {@code algorithm}: the module that provides it, or null for the
     * algorithms HAProxy has and lbkit does not build yet.
     */
    public static String moduleOf(Algorithm algorithm) {
        return switch (algorithm) {
            case ROUNDROBIN, STATIC_RR -> "episodes/01-roundrobin";
            case LEASTCONN, FIRST, STICKY -> "episodes/02-leastconn";
            case SOURCE -> "episodes/03-source-hash";
            case URI, URL_PARAM, HDR, HASH, RDP_COOKIE -> "episodes/04-uri-hash";
            case RANDOM -> "episodes/05-random";
            case LOG_HASH -> null;
        };
    }

    /**
     * Why {@code algorithm} cannot run here: its module is missing, or lbkit has none. The text
     * completes "balance 'x' ...".
     */
    public static String whyMissing(Algorithm algorithm) {
        String module = moduleOf(algorithm);
        if (module == null) {
            return "is not supported yet by lbkit (supported: "
                    + String.join(", ", availableNames())
                    + ")";
        }
        return "is provided by the module "
                + module
                + ", which is not on lbkit's classpath."
                + " Run the whole kit (./lbkit puts every episode on the classpath), or add "
                + module
                + " as a dependency of the module you run.";
    }

    private static List<String> availableNames() {
        return available().stream().sorted().map(Algorithm::keyword).toList();
    }

    /** As {@link #create(ProxySection, List, HaproxyLine)} for {@link HaproxyLine#DEFAULT}. */
    public static LoadBalancer create(ProxySection backend, List<Server> servers) {
        return create(backend, servers, HaproxyLine.DEFAULT);
    }

    /**
     * Creates the algorithm of {@code backend} as HAProxy {@code line} runs it; fails with {@link
     * #whyMissing} when it has no provider.
     */
    public static LoadBalancer create(
            ProxySection backend, List<Server> servers, HaproxyLine line) {
        return create(backend, servers, line, null);
    }

    /**
     * As {@link #create(ProxySection, List, HaproxyLine)}, drawing from the process's shared
     * generator {@code prng} (null: the backend gets one of its own).
     */
    public static LoadBalancer create(
            ProxySection backend, List<Server> servers, HaproxyLine line, StatisticalPrng prng) {
        Algorithm algorithm = backend.balance().algorithm();
        AlgorithmProvider provider = PROVIDERS.get(algorithm);
        if (provider == null) {
            throw new IllegalStateException(
                    "backend '"
                            + backend.name()
                            + "' at "
                            + backend.balance().where()
                            + ": balance '"
                            + algorithm.keyword()
                            + "' "
                            + whyMissing(algorithm));
        }
        return prng == null
                ? provider.create(backend, servers, line)
                : provider.create(backend, servers, line, prng);
    }
}
