package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.Bind;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ForwardFor;
import dev.lbkit.balancer.config.Global;
import dev.lbkit.balancer.config.HashType;
import dev.lbkit.balancer.config.HttpCheck;
import dev.lbkit.balancer.config.HttpReuse;
import dev.lbkit.balancer.config.Mode;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.ServerSpec;
import dev.lbkit.balancer.config.StatsSocket;
import dev.lbkit.balancer.config.Timeouts;
import dev.lbkit.balancer.config.Where;
import java.util.ArrayList;
import java.util.List;

/** Builds the config records a parser would, so proxy tests need no parser. */
public final class TestConfigs {
    static final Where HERE = new Where("test.cfg", 1);

    static {
        // Keep test output readable: Jetty and Javalin log every start and stop at INFO.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // The lock-order tests move servers DOWN hundreds of times a second; each would print a
        // line.
        String healthLogger = "org.slf4j.simpleLogger.log.dev.lbkit.balancer.health.HealthChecks";
        if (System.getProperty(healthLogger) == null) {
            System.setProperty(healthLogger, "error");
        }
    }

    private TestConfigs() {}

    public static ServerSpec server(String name, int port) {
        return server(name, port, 1, false);
    }

    public static ServerSpec server(String name, int port, int weight, boolean check) {
        return new ServerSpec(
                name,
                "127.0.0.1",
                port,
                weight,
                0,
                false,
                check,
                2000,
                2,
                3,
                false,
                false,
                0,
                HERE);
    }

    public static ServerSpec checked(String name, int port, int interMs, int rise, int fall) {
        return new ServerSpec(
                name,
                "127.0.0.1",
                port,
                1,
                0,
                false,
                true,
                interMs,
                rise,
                fall,
                false,
                false,
                0,
                HERE);
    }

    /**
     * One config with several {@code listen} sections, in this order, and the stats sockets they
     * name.
     */
    public static Config config(List<Listen> listens) {
        List<StatsSocket> sockets = new ArrayList<>();
        List<ProxySection> sections = new ArrayList<>();
        for (Listen listen : listens) {
            sockets.addAll(listen.sockets);
            sections.add(listen.section());
        }
        return new Config(new Global(0, 0, sockets), sections, List.of());
    }

    /** A builder for one {@code listen} section on 127.0.0.1:0. */
    public static Listen listen(String name) {
        return new Listen(name);
    }

    public static final class Listen {
        private final String name;
        private final List<ServerSpec> servers = new ArrayList<>();
        private final List<StatsSocket> sockets = new ArrayList<>();
        private Timeouts timeouts = new Timeouts(2000, 30000, 30000, 0);
        private int retries = 3;
        private boolean redispatch;
        private ForwardFor forwardFor;
        private HttpReuse httpReuse = HttpReuse.SAFE;
        private HttpCheck httpCheck;
        private Algorithm algorithm = Algorithm.ROUNDROBIN;

        Listen(String name) {
            this.name = name;
        }

        public Listen server(ServerSpec spec) {
            servers.add(spec);
            return this;
        }

        public Listen timeouts(long connectMs, long clientMs, long serverMs, long checkMs) {
            timeouts = new Timeouts(connectMs, clientMs, serverMs, checkMs);
            return this;
        }

        public Listen retries(int retries, boolean redispatch) {
            this.retries = retries;
            this.redispatch = redispatch;
            return this;
        }

        public Listen forwardFor() {
            forwardFor = ForwardFor.plain();
            return this;
        }

        public Listen httpReuse(HttpReuse mode) {
            httpReuse = mode;
            return this;
        }

        public Listen httpCheck(HttpCheck check) {
            httpCheck = check;
            return this;
        }

        public Listen algorithm(Algorithm algorithm) {
            this.algorithm = algorithm;
            return this;
        }

        public Listen statsSocket(String host, int port, String path, String level) {
            sockets.add(
                    new StatsSocket(
                            path != null ? path : "ipv4@" + host + ":" + port,
                            path != null ? null : host,
                            port,
                            path,
                            level,
                            HERE));
            return this;
        }

        public ProxySection section() {
            return new ProxySection(
                    ProxySection.Kind.LISTEN,
                    name,
                    HERE,
                    Mode.HTTP,
                    List.of(new Bind("127.0.0.1", 0, false, HERE)),
                    null,
                    Balance.of(algorithm, HERE),
                    HashType.defaults(),
                    servers,
                    timeouts,
                    retries,
                    redispatch,
                    forwardFor,
                    httpCheck,
                    false,
                    0,
                    httpReuse);
        }

        public Config config() {
            return new Config(new Global(0, 0, sockets), List.of(section()), List.of());
        }
    }
}
