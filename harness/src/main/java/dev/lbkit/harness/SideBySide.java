package dev.lbkit.harness;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Runs a real HAProxy and lbkit side by side from one configuration: starts one backend replica per
 * {@code server} line, rewrites the config only in its addresses (and, for exact runs, {@code
 * nbthread 1} plus a runtime API socket), starts both balancers, sends them the same traffic and
 * records which server answered each request. Close it to stop everything it started.
 */
public final class SideBySide implements AutoCloseable {

    /** Starts HAProxy on a rewritten config; {@link #describe()} names which HAProxy it is. */
    public interface HaproxyStarter {
        AutoCloseable start(String config) throws Exception;

        String describe();

        /**
         * The HAProxy line this starter runs, which lbkit then models; {@link HaproxyLine#DEFAULT}
         * when it cannot tell.
         */
        default HaproxyLine line() {
            return HaproxyLine.DEFAULT;
        }

        /**
         * The same HAProxy, with lbkit balancing as {@code lbkitLine} instead: how a negative
         * control gives lbkit a wrong line's model without a switch in lbkit itself.
         */
        default HaproxyStarter withLbkitAs(HaproxyLine lbkitLine) {
            HaproxyStarter real = this;
            return new HaproxyStarter() {
                @Override
                public AutoCloseable start(String config) throws Exception {
                    return real.start(config);
                }

                @Override
                public String describe() {
                    return real.describe() + " (lbkit deliberately as " + lbkitLine.text() + ")";
                }

                @Override
                public HaproxyLine line() {
                    return lbkitLine;
                }
            };
        }

        /** A real HAProxy (container or binary) as a starter. */
        static HaproxyStarter of(Haproxy haproxy) {
            return new HaproxyStarter() {
                @Override
                public AutoCloseable start(String config) {
                    return haproxy.start(config);
                }

                @Override
                public HaproxyLine line() {
                    HaproxyLine line = HaproxyLine.ofVersion(haproxy.version());
                    return line == null ? HaproxyLine.DEFAULT : line;
                }

                @Override
                public String describe() {
                    return "HAProxy " + haproxy.describe();
                }
            };
        }

        /**
         * The HAProxy this machine offers (see {@link HaproxyLocator}), or null when it has none:
         * for demos.
         */
        static HaproxyStarter onThisMachine() {
            return HaproxyLocator.find().haproxy().map(HaproxyStarter::of).orElse(null);
        }
    }

    /**
     * How to run.
     *
     * @param exact true: {@code nbthread 1} and a runtime API socket on both sides
     * @param delays a per-request delay for some servers, by server index (0-based, declaration
     *     order)
     */
    public record Options(boolean exact, Map<Integer, Duration> delays) {
        public static Options exactRun() {
            return new Options(true, Map.of());
        }

        public Options withDelay(int serverIndex, Duration delay) {
            Map<Integer, Duration> more = new HashMap<>(delays);
            more.put(serverIndex, delay);
            return new Options(exact, more);
        }
    }

    private final String configName;
    private final String originalConfig;
    private final List<String> serverNames;
    private final List<FlaskReplica> replicas = new ArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();
    private final String haproxyDescription;

    /** The HAProxy line lbkit balances as: the one HAProxy's side runs. */
    private final HaproxyLine line;

    private final UnaryOperator<String> lbkitMistake;
    private final LbkitStarter lbkitStarter;
    private final LbkitLog lbkitLog = new LbkitLog();
    private Endpoint haproxy;
    private Endpoint lbkit;

    /** Where one side listens: its first bind port and its runtime API port (0 = none). */
    public record Endpoint(String side, String config, int port, int statsPort) {}

    /**
     * How lbkit's side starts from its parsed config: {@link Lbkit#start(Config)}, unless a tool
     * (the live view) starts it with a watched algorithm ({@link Lbkit#start(Config,
     * java.util.function.BiFunction)}).
     */
    public interface LbkitStarter {
        AutoCloseable start(Config config) throws Exception;
    }

    private SideBySide(
            String configName,
            String config,
            HaproxyStarter haproxyStarter,
            UnaryOperator<String> lbkitMistake,
            LbkitStarter lbkitStarter) {
        this.lbkitMistake = lbkitMistake;
        this.lbkitStarter = lbkitStarter;
        this.configName = configName;
        this.originalConfig = config;
        this.serverNames = ConfigRewriter.serverNames(config);
        this.haproxyDescription = haproxyStarter == null ? null : haproxyStarter.describe();
        this.line = haproxyStarter == null ? HaproxyLine.DEFAULT : haproxyStarter.line();
    }

    /**
     * Starts replicas, HAProxy (unless {@code haproxyStarter} is null: lbkit alone) and lbkit for
     * {@code config}.
     */
    public static SideBySide start(
            String configName, String config, HaproxyStarter haproxyStarter, Options options)
            throws Exception {
        return start(
                configName,
                config,
                haproxyStarter,
                options,
                UnaryOperator.identity(),
                Lbkit::start);
    }

    /**
     * A negative control: as {@link #start}, but lbkit is given {@code mistake} applied to its
     * (already rewritten) config, e.g. another {@code balance} line, while HAProxy gets the config
     * as it is. The comparison that follows must reject this deliberately wrong lbkit ({@link
     * NegativeControl}); production code has no switch for it.
     */
    public static SideBySide startNegativeControl(
            String configName,
            String config,
            HaproxyStarter haproxyStarter,
            Options options,
            UnaryOperator<String> mistake)
            throws Exception {
        return start(configName, config, haproxyStarter, options, mistake, Lbkit::start);
    }

    /**
     * As {@link #start} (or {@link #startNegativeControl} when {@code lbkitChange} changes the
     * config), with lbkit started by {@code lbkitStarter}: how the live view watches lbkit's
     * algorithm.
     */
    public static SideBySide startWith(
            String configName,
            String config,
            HaproxyStarter haproxyStarter,
            Options options,
            UnaryOperator<String> lbkitChange,
            LbkitStarter lbkitStarter)
            throws Exception {
        return start(configName, config, haproxyStarter, options, lbkitChange, lbkitStarter);
    }

    private static SideBySide start(
            String configName,
            String config,
            HaproxyStarter haproxyStarter,
            Options options,
            UnaryOperator<String> lbkitMistake,
            LbkitStarter lbkitStarter)
            throws Exception {
        SideBySide run =
                new SideBySide(configName, config, haproxyStarter, lbkitMistake, lbkitStarter);
        try {
            run.startAll(haproxyStarter, options);
        } catch (Exception | Error e) {
            run.close();
            throw e;
        }
        return run;
    }

    private void startAll(HaproxyStarter haproxyStarter, Options options) throws Exception {
        int[] counts = ConfigRewriter.countBindsAndServers(originalConfig);
        List<Integer> serverPorts = new ArrayList<>();
        for (int i = 0; i < counts[1]; i++) {
            FlaskReplica replica =
                    FlaskReplica.start(
                            i + 1, "127.0.0.1", 0, options.delays().getOrDefault(i, Duration.ZERO));
            replicas.add(replica);
            serverPorts.add(replica.port());
        }
        if (haproxyStarter != null) {
            haproxy = endpoint(haproxyDescription, counts[0], serverPorts, options.exact());
            running.add(haproxyStarter.start(haproxy.config()));
        }
        Endpoint plain =
                endpoint(
                        "lbkit (in-process, dev.lbkit.balancer.Lbkit)",
                        counts[0],
                        serverPorts,
                        options.exact());
        String lbkitConfig = lbkitMistake.apply(plain.config());
        lbkit =
                lbkitConfig.equals(plain.config())
                        ? plain
                        : new Endpoint(
                                plain.side() + ", NEGATIVE CONTROL: deliberately" + " wrong config",
                                lbkitConfig,
                                plain.port(),
                                plain.statsPort());
        running.add(startLbkit(lbkit.config()));
    }

    private Endpoint endpoint(String side, int binds, List<Integer> serverPorts, boolean exact)
            throws IOException {
        List<Integer> bindPorts = new ArrayList<>();
        for (int i = 0; i < binds; i++) {
            bindPorts.add(freePort());
        }
        int stats = exact ? freePort() : 0;
        String config =
                ConfigRewriter.rewrite(
                        originalConfig,
                        new ConfigRewriter.Plan(bindPorts, serverPorts, stats, exact));
        return new Endpoint(side, config, bindPorts.isEmpty() ? 0 : bindPorts.get(0), stats);
    }

    /**
     * Starts lbkit in this process. Its access log to stdout (the episode configs have one) goes to
     * {@link #lbkitLog()} instead of this process's stdout, where it would run through a demo's
     * output; HAProxy's goes to its own process or container.
     */
    private AutoCloseable startLbkit(String config) throws Exception {
        java.io.PrintStream original = System.out;
        System.setOut(
                new java.io.PrintStream(lbkitLog, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            return lbkitStarter.start(
                    ConfigParser.parse(
                            config,
                            configName + " (lbkit side, as HAProxy " + line.text() + ")",
                            line));
        } finally {
            System.setOut(original);
        }
    }

    /** What lbkit's access log wrote to stdout so far (its first {@value LbkitLog#LIMIT} bytes). */
    public String lbkitLog() {
        return lbkitLog.text();
    }

    /** lbkit's stdout during a run, kept up to a limit. */
    private static final class LbkitLog extends java.io.OutputStream {
        static final int LIMIT = 8 * 1024 * 1024;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (bytes.size() < LIMIT) {
                bytes.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, Math.max(0, Math.min(len, LIMIT - bytes.size())));
        }

        synchronized String text() {
            return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** HAProxy's side, or null when this run has no HAProxy (a demo on a machine without one). */
    public Endpoint haproxy() {
        return haproxy;
    }

    public Endpoint lbkit() {
        return lbkit;
    }

    public List<String> serverNames() {
        return serverNames;
    }

    /** The replicas both sides balance over, one per {@code server} line, in declaration order. */
    public List<FlaskReplica> replicas() {
        return List.copyOf(replicas);
    }

    /**
     * Sends {@code traffic} to both sides (at the same time, each in its own thread) and compares.
     */
    public Comparison run(String title, Traffic traffic) {
        CompletableFuture<Picks> onHaproxy =
                onOwnThread("haproxy side", () -> drive(haproxy, traffic));
        Picks onLbkit = drive(lbkit, traffic);
        return new Comparison(title, originalConfig, traffic, onHaproxy.join(), onLbkit);
    }

    /**
     * Runs {@code work} on a new thread of its own, so that it starts at once. Not the common pool:
     * on a 2-core machine that has one thread, and a second test driving its HAProxy side meanwhile
     * would wait for the first one's to end, so the two sides of that comparison would no longer
     * run at the same time.
     */
    public static <T> CompletableFuture<T> onOwnThread(String name, Supplier<T> work) {
        return CompletableFuture.supplyAsync(
                work,
                task -> {
                    Thread thread = new Thread(task, "lbkit " + name);
                    thread.setDaemon(true);
                    thread.start();
                });
    }

    /** Sends {@code traffic} to one side and records who answered each request. */
    public Picks drive(Endpoint side, Traffic traffic) {
        List<String> answers = new ArrayList<>(traffic.requests().size());
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", side.port());
        RawHttpClient keepAlive =
                traffic.keepAlive()
                        ? new RawHttpClient(
                                address,
                                null,
                                traffic.requests().isEmpty()
                                        ? null
                                        : traffic.requests().get(0).proxy(),
                                30_000)
                        : null;
        try {
            for (int i = 0; i < traffic.requests().size(); i++) {
                for (String command : traffic.commandsBefore(i)) {
                    RuntimeApiClient.admin(side.side(), side.statsPort(), command);
                }
                Traffic.Request request = traffic.requests().get(i);
                answers.add(send(keepAlive, address, request));
            }
        } finally {
            if (keepAlive != null) {
                keepAlive.close();
            }
        }
        return new Picks(side.side(), answers);
    }

    private String send(
            RawHttpClient keepAlive, InetSocketAddress address, Traffic.Request request) {
        try {
            RawHttpClient.Response response;
            if (keepAlive != null) {
                response =
                        keepAlive.send(
                                request.method(),
                                request.target(),
                                "127.0.0.1:" + address.getPort(),
                                request.headers(),
                                true);
            } else {
                try (RawHttpClient client =
                        new RawHttpClient(address, request.source(), request.proxy(), 30_000)) {
                    response =
                            client.send(
                                    request.method(),
                                    request.target(),
                                    "127.0.0.1:" + address.getPort(),
                                    request.headers(),
                                    false);
                }
            }
            return answeredBy(response);
        } catch (IOException e) {
            return "error: " + e.getMessage();
        }
    }

    /**
     * The server name behind a response: replicas say {@code X-Served-By: appN}, N = server line
     * number.
     */
    public String answeredBy(RawHttpClient.Response response) {
        String servedBy = response.header("x-served-by");
        if (servedBy != null && servedBy.startsWith("app")) {
            int n = Integer.parseInt(servedBy.substring(3));
            return n >= 1 && n <= serverNames.size() ? serverNames.get(n - 1) : servedBy;
        }
        return String.valueOf(response.status());
    }

    /**
     * The runtime API of both sides, for events outside a traffic script; a state change that
     * either side refuses throws ({@link RuntimeApiClient#admin}).
     */
    public void command(String command) {
        for (Endpoint side : new Endpoint[] {haproxy, lbkit}) {
            if (side != null) {
                RuntimeApiClient.admin(side.side(), side.statsPort(), command);
            }
        }
    }

    /**
     * A free TCP port on 127.0.0.1 for a balancer to bind, kept apart from every other port this
     * process or another harness process handed out, and from what the kernel hands out by itself
     * (see {@link FreePorts}). Never twice: HAProxy binds with SO_REUSEPORT, so a frontend and a
     * stats socket given the same port both bind and share its connections (seen once in CI:
     * runtime API commands answered by the HTTP frontend with a 400).
     */
    public static int freePort() throws IOException {
        return FreePorts.next();
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(running);
        all.addAll(replicas);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("[lbkit] closing " + c + ": " + e.getMessage());
            }
        }
        running.clear();
        replicas.clear();
    }
}
