package dev.lbkit.balancer;

import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.HttpCheck;
import dev.lbkit.balancer.config.Mode;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.ServerSpec;
import dev.lbkit.balancer.config.StatsSocket;
import dev.lbkit.balancer.config.UseBackend;
import dev.lbkit.balancer.health.HealthChecks;
import dev.lbkit.balancer.proxy.Frontend;
import dev.lbkit.balancer.proxy.Routes;
import dev.lbkit.balancer.proxy.Upstream;
import dev.lbkit.balancer.runtime.RunningProxies;
import dev.lbkit.balancer.runtime.RuntimeApi;
import dev.lbkit.balancer.stats.OperatorPageRoutes;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A running lbkit: every frontend listening, every backend balancing, health checks and the runtime
 * API started, all from one {@link Config}. Close it to stop everything it started.
 */
public final class Lbkit implements RunningProxies, AutoCloseable {
    /**
     * Jetty pads its thread pools' queues to a cache line, and to learn how many object references
     * fit in one it asks the platform MBean server whether references are compressed. That single
     * question starts JMX: about 400 more classes and 4 MB more peak RSS for the life of the
     * process (docs/benchmarks.md, "Memory"). Sixteen is Jetty's own answer when it cannot ask.
     */
    static final String REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    static {
        if (System.getProperty(REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(REFERENCES_PER_CACHE_LINE, "16");
        }
    }

    private final Config config;
    private final Map<String, Backend> backends = new LinkedHashMap<>();
    private final List<Frontend> frontends = new ArrayList<>();
    private final List<RuntimeApi> runtimeApis = new ArrayList<>();
    private final Upstream upstream;
    private final HealthChecks healthChecks;

    private Lbkit(Config config, BiFunction<ProxySection, List<Server>, LoadBalancer> algorithm) {
        this.config = config;
        int nbthread = config.global().nbthread();
        this.upstream =
                new Upstream(nbthread > 0 ? nbthread : Runtime.getRuntime().availableProcessors());
        for (ProxySection section : config.proxies()) {
            if (section.hasBackend()) {
                backends.put(section.name(), new Backend(section, algorithm, config.line()));
            }
        }
        linkTracking();
        this.healthChecks = new HealthChecks(List.copyOf(backends.values()));
    }

    /**
     * {@code track}: each tracking server learns the server it follows (in its backend, or in the
     * one its {@code track} names; the config check made sure it exists) and takes its state.
     */
    private void linkTracking() {
        Map<Server, Backend> owners = new IdentityHashMap<>();
        for (Backend backend : backends.values()) {
            backend.servers().forEach(s -> owners.put(s, backend));
        }
        List<Server> trackers = new ArrayList<>();
        for (Backend backend : backends.values()) {
            backend.linkTracking(owners::get);
            for (Server server : backend.servers()) {
                ServerSpec spec = server.spec();
                if (spec.track() == null) {
                    continue;
                }
                Backend target =
                        spec.trackBackend() == null ? backend : backends.get(spec.trackBackend());
                Server tracked = target.server(spec.trackServer()).orElseThrow();
                server.track(tracked, target.name() + "/" + tracked.name());
                trackers.add(server);
            }
        }
        for (Server tracker : trackers) {
            owners.get(tracker).follow(tracker);
        }
    }

    /**
     * Starts everything the config describes; returns once every listener is bound. All backends
     * draw from one {@link StatisticalPrng} of the config's line, as the backends of a one-thread
     * HAProxy share that thread's generator.
     */
    public static Lbkit start(Config config) {
        StatisticalPrng prng = StatisticalPrng.forLine(config.line());
        return start(
                config,
                (section, servers) -> Algorithms.create(section, servers, config.line(), prng));
    }

    /**
     * As {@link #start(Config)}, with each backend's algorithm made by {@code algorithm}; tests and
     * tools use it to run the proxy with an algorithm of their own.
     */
    public static Lbkit start(
            Config config, BiFunction<ProxySection, List<Server>, LoadBalancer> algorithm) {
        Lbkit lbkit = new Lbkit(config, algorithm);
        try {
            lbkit.startListeners();
        } catch (RuntimeException e) {
            lbkit.close();
            throw e;
        }
        return lbkit;
    }

    private void startListeners() {
        for (ProxySection section : config.frontends()) {
            if (section.mode() == Mode.TCP) {
                throw new IllegalArgumentException(
                        "'"
                                + section.name()
                                + "' at "
                                + section.where()
                                + " uses mode tcp; lbkit proxies HTTP only. Use 'mode http'.");
            }
            Backend backend = routeOf(section);
            frontends.add(
                    Frontend.start(
                            section,
                            routesOf(section),
                            upstream,
                            OperatorPageRoutes.of(
                                    section, backend != null ? backend.section() : null, this),
                            config.line(),
                            Frontend.listenBacklog(config.global().maxconn())));
        }
        healthChecks.start();
        for (StatsSocket socket : config.global().statsSockets()) {
            runtimeApis.add(RuntimeApi.start(socket, this));
        }
    }

    /**
     * The frontend's {@code use_backend} rules with the backends they name, and its default
     * backend; refuses a rule lbkit cannot evaluate (see {@link #unmodelledRules}).
     */
    private Routes routesOf(ProxySection section) {
        List<String> unmodelled = unmodelledRules(section);
        if (!unmodelled.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", unmodelled));
        }
        List<Routes.Route> rules = new ArrayList<>();
        for (UseBackend rule : section.useBackends()) {
            Backend target = backends.get(rule.backend());
            if (target == null) {
                throw new IllegalArgumentException(
                        "the use_backend line at "
                                + rule.where()
                                + " names backend '"
                                + rule.backend()
                                + "', which is not defined. Add a backend of that name or fix the name.");
            }
            rules.add(new Routes.Route(rule, target));
        }
        return new Routes(rules, routeOf(section));
    }

    /**
     * What lbkit cannot evaluate in a frontend's {@code use_backend} rules (an ACL on a fetch it
     * does not model, patterns from a file...), one sentence per rule, naming its file and line.
     */
    public static List<String> unmodelledRules(ProxySection section) {
        List<String> problems = new ArrayList<>();
        for (UseBackend rule : section.useBackends()) {
            if (rule.condition() == null) {
                continue;
            }
            for (String reason : rule.condition().unmodelled()) {
                problems.add(
                        "the use_backend rule at "
                                + rule.where()
                                + " uses "
                                + reason
                                + ", which lbkit cannot evaluate yet. Route with path, url, hdr(name) and their"
                                + " _beg/_end/_sub/_reg/_dom forms, method or src, or remove the rule");
            }
        }
        HttpCheck check = section.httpCheck();
        boolean checked = section.servers().stream().anyMatch(ServerSpec::check);
        if (check != null && checked) {
            for (String line : check.unmodelled()) {
                problems.add(
                        line
                                + " is not modelled by lbkit (its checks send one request and test"
                                + " the answer's status and body with expect status, rstatus,"
                                + " string and rstring): remove it to run the config with lbkit");
            }
        }
        return problems;
    }

    private Backend routeOf(ProxySection section) {
        if (section.kind() == ProxySection.Kind.LISTEN) {
            return backends.get(section.name());
        }
        if (section.defaultBackend() == null) {
            return null;
        }
        Backend backend = backends.get(section.defaultBackend());
        if (backend == null) {
            throw new IllegalArgumentException(
                    "frontend '"
                            + section.name()
                            + "' at "
                            + section.where()
                            + " uses default_backend '"
                            + section.defaultBackend()
                            + "', which is not defined."
                            + " Add a backend of that name or fix the name.");
        }
        return backend;
    }

    /** The configuration this instance runs. */
    @Override
    public Config config() {
        return config;
    }

    /** The running backend with that name (a {@code backend} or {@code listen} section). */
    @Override
    public Optional<Backend> backend(String name) {
        return Optional.ofNullable(backends.get(name));
    }

    /** Every running backend, in file order. */
    public List<Backend> backends() {
        return List.copyOf(backends.values());
    }

    /** Every running frontend (and listen) section, in file order. */
    @Override
    public List<Frontend> frontends() {
        return List.copyOf(frontends);
    }

    /** The health checks (state of each checked server). */
    @Override
    public HealthChecks healthChecks() {
        return healthChecks;
    }

    /** The bound runtime API listeners, in {@code stats socket} order. */
    public List<RuntimeApi> runtimeApis() {
        return List.copyOf(runtimeApis);
    }

    /** Stops listeners, health checks and the runtime API; waits for in-flight requests briefly. */
    @Override
    public void close() {
        runtimeApis.forEach(RuntimeApi::close);
        runtimeApis.clear();
        frontends.forEach(Frontend::close);
        frontends.clear();
        healthChecks.close();
        upstream.close();
    }
}
