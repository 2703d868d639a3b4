package dev.lbkit.balancer;

import dev.lbkit.balancer.algorithm.LoadBalancers;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.Mode;
import dev.lbkit.balancer.config.ProxySection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * lbkit's command line, with HAProxy's flags: {@code -f FILE} runs the balancer in the foreground,
 * {@code -c -f FILE} only checks the file, {@code -v} prints the version. {@code -db} and {@code -W}
 * are accepted and ignored, so scripts written for haproxy work unchanged.
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
    private record Options(boolean check, boolean version, Path file) {
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
        if (options.version()) {
            out.println("lbkit version " + version() + " (HAProxy 2.6 configuration syntax)");
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
            config = ConfigParser.parse(file);
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
            unsupported.forEach(err::println);
            err.println("[ALERT] Fatal errors found in configuration.");
            return INVALID;
        }
        if (config.frontends().stream().allMatch(p -> p.binds().isEmpty())) {
            out.println("Configuration file has no error but will not start (no listener) => exit(2).");
            return NO_LISTENER;
        }
        if (options.check()) {
            out.println("Configuration file is valid");
            return OK;
        }
        return serve(config, err);
    }

    /** Alerts for what HAProxy accepts but lbkit cannot run yet (an algorithm, TCP mode). */
    static List<String> unsupportedByLbkit(Config config) {
        List<String> alerts = new ArrayList<>();
        String supported = String.join(", ", LoadBalancers.supported().stream()
                .sorted(Comparator.comparing(Enum::ordinal)).map(Algorithm::keyword).toList());
        for (ProxySection proxy : config.proxies()) {
            if (proxy.mode() == Mode.TCP) {
                alerts.add("[ALERT] parsing [" + proxy.where() + "] : " + kindWord(proxy) + " '" + proxy.name()
                        + "' runs in 'mode tcp', which lbkit does not support yet: lbkit proxies HTTP only."
                        + " Add 'mode http' to it (or to its defaults section).");
            }
            if (proxy.hasBackend() && !LoadBalancers.supported().contains(proxy.balance().algorithm())) {
                alerts.add("[ALERT] parsing [" + proxy.balance().where() + "] : balance '"
                        + proxy.balance().algorithm().keyword() + "' is not supported yet by lbkit (supported: "
                        + supported + ")");
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
        boolean version = false;
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c" -> check = true;
                case "-v", "-vv", "-V" -> version = true;
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
                default -> {
                    err.println("lbkit: unknown option '" + args[i] + "'.");
                    usage(err);
                    return null;
                }
            }
        }
        if (version) {
            return new Options(check, true, file);
        }
        if (file == null) {
            usage(err);
            return null;
        }
        return new Options(check, false, file);
    }

    private static void usage(PrintStream err) {
        err.println("""
                Usage: lbkit [-c] -f <haproxy.cfg> | -v | demo <episode>
                  -f FILE   run the balancer in the foreground with this configuration
                  -c        only check the configuration, then exit (0 = valid, 1 = invalid)
                  -v        print the version
                  -db, -W   accepted for compatibility with haproxy, ignored
                  demo N    run episode N (1-6 or roundrobin, leastconn, source-hash, uri-hash, random, weighted)""");
    }

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
