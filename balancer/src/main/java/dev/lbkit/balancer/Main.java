package dev.lbkit.balancer;

import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.config.Bind;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.Global;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.Mode;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.StatsSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * lbkit's command line, with HAProxy's flags: {@code -f FILE} runs the balancer in the foreground,
 * {@code -c -f FILE} only checks the file, {@code -v} prints the version. {@code -db} and {@code -W}
 * are accepted and ignored, so scripts written for haproxy work unchanged. lbkit's own
 * {@code --port-offset N} moves every listener N ports up, so lbkit can run next to HAProxy on the
 * same host with the very same haproxy.cfg.
 */
public final class Main {

    static final int OK = 0;
    static final int INVALID = 1;
    /** HAProxy's exit code for a valid file that would not listen anywhere. */
    static final int NO_LISTENER = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status >= 0) {
            System.exit(status);
        }
    }

    /** What one invocation asked for. */
    private record Options(boolean check, int verbosity, Path file, int portOffset, HaproxyLine line) {
    }

    /**
     * Runs the command; returns the exit status, or -1 when the balancer was started and the JVM must
     * stay alive (it then stops on SIGINT/SIGTERM).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options = parseArguments(args, err);
        if (options == null) {
            return INVALID;
        }
        if (options.verbosity() > 0) {
            out.println("lbkit version " + version() + " (balances as HAProxy " + options.line().text() + ")");
            if (options.verbosity() > 1) {
                out.println("HAProxy lines lbkit models: " + HaproxyLine.modelledText()
                        + " (default " + HaproxyLine.DEFAULT.text() + "; choose with --haproxy-version or "
                        + HaproxyLine.ENVIRONMENT + "; what differs: docs/versions.md)");
            }
            return OK;
        }
        Path file = options.file();
        if (!Files.isReadable(file)) {
            err.println("[ALERT] Cannot open configuration file '" + file + "' : "
                    + (Files.exists(file) ? "permission denied" : "No such file or directory")
                    + ". Check the path given to -f.");
            return INVALID;
        }
        Config config;
        try {
            config = ConfigParser.parse(file, options.line());
        } catch (ConfigException e) {
            e.alerts().forEach(err::println);
            err.println("[ALERT] Fatal errors found in configuration.");
            return INVALID;
        } catch (IOException e) {
            err.println("[ALERT] Cannot read configuration file '" + file + "' : " + e.getMessage());
            return INVALID;
        }
        config.warnings().forEach(err::println);
        List<String> unsupported = unsupportedByLbkit(config);
        if (!unsupported.isEmpty()) {
            if (options.check()) {
                // -c gives HAProxy's verdict on the file; what lbkit itself cannot run is a warning here,
                // and an error only when lbkit is asked to run it.
                unsupported.forEach(alert -> err.println(alert.replaceFirst("^\\[ALERT\\]", "[WARNING]")
                        + " (lbkit would refuse to run this file)"));
            } else {
                unsupported.forEach(err::println);
                err.println("[ALERT] Fatal errors found in configuration.");
                return INVALID;
            }
        }
        if (config.frontends().stream().allMatch(p -> p.binds().isEmpty())) {
            out.println("Configuration file has no error but will not start (no listener) => exit(2).");
            return NO_LISTENER;
        }
        if (options.portOffset() != 0) {
            Config moved;
            try {
                moved = withPortOffset(config, options.portOffset());
            } catch (IllegalArgumentException e) {
                err.println("[ALERT] " + e.getMessage());
                return INVALID;
            }
            printPortOffset(config, moved, options.portOffset(), out);
            config = moved;
        }
        if (options.check()) {
            if (options.line() == HaproxyLine.V2_6) {
                out.println("Configuration file is valid"); // 3.0 and later say nothing when all is well
            }
            return OK;
        }
        return serve(config, err);
    }

    /** Alerts for what HAProxy accepts but lbkit cannot run yet (an algorithm, TCP mode). */
    static List<String> unsupportedByLbkit(Config config) {
        List<String> alerts = new ArrayList<>();
        for (ProxySection proxy : config.proxies()) {
            if (proxy.mode() == Mode.TCP) {
                alerts.add("[ALERT] parsing [" + proxy.where() + "] : " + kindWord(proxy) + " '" + proxy.name()
                        + "' runs in 'mode tcp', which lbkit does not support yet: lbkit proxies HTTP only."
                        + " Add 'mode http' to it (or to its defaults section).");
            }
            if (proxy.hasBackend() && !Algorithms.available().contains(proxy.balance().algorithm())) {
                alerts.add("[ALERT] parsing [" + proxy.balance().where() + "] : balance '"
                        + proxy.balance().algorithm().keyword() + "' " + Algorithms.whyMissing(proxy.balance().algorithm()));
            }
        }
        return alerts;
    }

    private static String kindWord(ProxySection proxy) {
        return proxy.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static int serve(Config config, PrintStream err) {
        Lbkit lbkit;
        try {
            lbkit = Lbkit.start(config);
        } catch (RuntimeException e) {
            err.println("[ALERT] lbkit could not start: " + e.getMessage());
            return INVALID;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            lbkit.close();
            stopped.countDown();
        }, "lbkit-shutdown"));
        // Keep a non-daemon thread waiting, so the JVM lives until SIGINT/SIGTERM runs the hook.
        Thread keeper = new Thread(() -> {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lbkit-main");
        keeper.start();
        return -1;
    }

    private static Options parseArguments(String[] args, PrintStream err) {
        boolean check = false;
        int verbosity = 0;
        Path file = null;
        int portOffset = 0;
        String line = System.getenv(HaproxyLine.ENVIRONMENT);
        String lineFrom = "environment " + HaproxyLine.ENVIRONMENT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c" -> check = true;
                case "-v", "-V" -> verbosity = Math.max(verbosity, 1);
                case "-vv" -> verbosity = 2;
                case HAPROXY_VERSION_FLAG -> {
                    if (i + 1 >= args.length) {
                        err.println("lbkit: " + HAPROXY_VERSION_FLAG + " needs a HAProxy line, e.g. '"
                                + HAPROXY_VERSION_FLAG + " 2.6' (modelled: " + HaproxyLine.modelledText() + ").");
                        return null;
                    }
                    line = args[++i];
                    lineFrom = HAPROXY_VERSION_FLAG;
                }
                case "-db", "-W", "-Ws" -> {
                    // haproxy's foreground and master-worker flags: lbkit always runs in the foreground.
                }
                case "-f" -> {
                    if (i + 1 >= args.length) {
                        err.println("lbkit: -f needs a configuration file.");
                        usage(err);
                        return null;
                    }
                    if (file != null) {
                        err.println("lbkit: only one -f FILE is supported.");
                        return null;
                    }
                    file = Path.of(args[++i]);
                }
                case PORT_OFFSET_FLAG -> {
                    Integer offset = i + 1 < args.length ? portOffsetValue(args[++i]) : null;
                    if (offset == null) {
                        err.println("lbkit: " + PORT_OFFSET_FLAG + " needs a whole number from -" + MAX_PORT
                                + " to " + MAX_PORT + ", e.g. '" + PORT_OFFSET_FLAG + " 1' to listen on 8081"
                                + " where the file says 8080.");
                        return null;
                    }
                    portOffset = offset;
                }
                default -> {
                    err.println("lbkit: unknown option '" + args[i] + "'.");
                    usage(err);
                    return null;
                }
            }
        }
        HaproxyLine haproxyLine = HaproxyLine.DEFAULT;
        if (line != null && !line.isBlank()) {
            try {
                // Checking a file needs only the line's config rules, which lbkit knows for every
                // known line; balancing needs the line's algorithms modelled.
                haproxyLine = check ? HaproxyLine.requireKnown(line, lineFrom) : HaproxyLine.requireModelled(line, lineFrom);
            } catch (IllegalArgumentException e) {
                err.println("lbkit: " + e.getMessage());
                return null;
            }
        }
        if (verbosity > 0) {
            return new Options(check, verbosity, file, portOffset, haproxyLine);
        }
        if (file == null) {
            usage(err);
            return null;
        }
        return new Options(check, 0, file, portOffset, haproxyLine);
    }

    private static void usage(PrintStream err) {
        err.println("""
                Usage: lbkit [-c] -f <haproxy.cfg> [--port-offset N] [--haproxy-version V] | -v | -vv | demo <episode>
                  -f FILE   run the balancer in the foreground with this configuration
                  -c        only check the configuration, then exit (0 = valid, 1 = invalid)
                  --port-offset N  listen N ports above every bind (and TCP stats socket) in the file,
                            so lbkit runs next to HAProxy with the same file (8080 -> 8081 for N = 1)
                  --haproxy-version V  balance as HAProxy line V does (also env LBKIT_HAPROXY_VERSION);
                            lbkit models 2.6 (the default), 3.0, 3.2 and 3.4
                  -v        print the version; -vv also lists the HAProxy lines lbkit models
                  -db, -W   accepted for compatibility with haproxy, ignored
                  demo N    run episode N (1-6 or roundrobin, leastconn, source-hash, uri-hash, random, weighted)""");
    }

    // ---- --port-offset: lbkit next to HAProxy, from the very same haproxy.cfg -----------------------
    // On one host (or in docker-compose with network_mode: host) HAProxy and lbkit cannot both bind
    // 127.0.0.1:8080. Rather than keeping a second copy of every episode's config, lbkit moves each
    // listener N ports up and says so at start: HAProxy answers on :8080, lbkit on :8081. The servers
    // are not moved: both balancers send traffic to the same backends.

    static final String PORT_OFFSET_FLAG = "--port-offset";
    static final String HAPROXY_VERSION_FLAG = "--haproxy-version";
    private static final int MAX_PORT = 65_535;

    private static Integer portOffsetValue(String text) {
        try {
            int value = Integer.parseInt(text.strip());
            return Math.abs(value) <= MAX_PORT ? value : null;
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /**
     * Returns {@code config} with every {@code bind} port and every TCP {@code stats socket} port
     * moved up by {@code offset}; servers keep their addresses.
     *
     * @throws IllegalArgumentException naming the line whose port would leave 1-65535
     */
    static Config withPortOffset(Config config, int offset) {
        List<ProxySection> proxies = config.proxies().stream().map(proxy -> new ProxySection(proxy.kind(),
                proxy.name(), proxy.where(), proxy.mode(),
                proxy.binds().stream().map(bind -> new Bind(bind.host(), movedPort(bind.port(), offset, "bind "
                        + hostPort(bind.host(), bind.port()), bind.where().toString()), bind.v4v6(), bind.where()))
                        .toList(),
                proxy.defaultBackend(), proxy.balance(), proxy.hashType(), proxy.servers(), proxy.timeouts(),
                proxy.retries(), proxy.redispatch(), proxy.forwardFor(), proxy.httpCheck(), proxy.allBackups(),
                proxy.hashBalanceFactor(), proxy.httpReuse(), proxy.log())).toList();
        List<StatsSocket> sockets = config.global().statsSockets().stream().map(socket -> {
            if (socket.isUnix()) {
                return socket; // a unix socket has no port; give each balancer its own path if both use one
            }
            int port = movedPort(socket.port(), offset, "stats socket " + socket.address(), socket.where().toString());
            String suffix = ":" + socket.port();
            String address = socket.address().endsWith(suffix)
                    ? socket.address().substring(0, socket.address().length() - suffix.length()) + ":" + port
                    : socket.address();
            return new StatsSocket(address, socket.host(), port, null, socket.level(), socket.where());
        }).toList();
        Global global = new Global(config.global().nbthread(), config.global().maxconn(), sockets,
                config.global().logTargets());
        return new Config(global, proxies, config.warnings(), config.line());
    }

    private static int movedPort(int port, int offset, String what, String where) {
        int moved = port + offset;
        if (moved < 1 || moved > MAX_PORT) {
            throw new IllegalArgumentException(PORT_OFFSET_FLAG + " " + offset + ": " + what + " at [" + where
                    + "] would listen on port " + moved + ", outside 1-" + MAX_PORT + ". Use a smaller offset.");
        }
        return moved;
    }

    /** One line per moved listener, so the learner sees where lbkit really answers. */
    private static void printPortOffset(Config original, Config moved, int offset, PrintStream out) {
        List<Bind> before = original.proxies().stream().flatMap(p -> p.binds().stream()).toList();
        List<Bind> after = moved.proxies().stream().flatMap(p -> p.binds().stream()).toList();
        for (int i = 0; i < before.size(); i++) {
            out.println("lbkit: " + PORT_OFFSET_FLAG + " " + offset + ": bind " + hostPort(before.get(i).host(),
                    before.get(i).port()) + " listens on " + hostPort(after.get(i).host(), after.get(i).port()));
        }
        List<StatsSocket> socketsBefore = original.global().statsSockets();
        List<StatsSocket> socketsAfter = moved.global().statsSockets();
        for (int i = 0; i < socketsBefore.size(); i++) {
            if (!socketsBefore.get(i).isUnix()) {
                out.println("lbkit: " + PORT_OFFSET_FLAG + " " + offset + ": stats socket "
                        + hostPort(socketsBefore.get(i).host(), socketsBefore.get(i).port()) + " listens on "
                        + hostPort(socketsAfter.get(i).host(), socketsAfter.get(i).port()));
            }
        }
    }

    private static String hostPort(String host, int port) {
        if (host == null || host.isEmpty()) {
            return "*:" + port;
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    // ---- end of --port-offset ---------------------------------------------------------------------

    /**
     * The project version: the {@code lbkit.version} system property (the ./lbkit launcher reads it
     * from pom.xml), else the jar manifest, else "unknown".
     */
    static String version() {
        String fromLauncher = System.getProperty("lbkit.version");
        if (fromLauncher != null && !fromLauncher.isBlank()) {
            return fromLauncher;
        }
        String fromManifest = Main.class.getPackage().getImplementationVersion();
        return fromManifest != null ? fromManifest : "unknown";
    }
}
