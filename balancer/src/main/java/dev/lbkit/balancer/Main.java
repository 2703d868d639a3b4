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
import dev.lbkit.balancer.config.SampleExpression;
import dev.lbkit.balancer.config.StatsSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * lbkit's command line, with HAProxy's flags: {@code -f FILE} runs the balancer in the foreground,
 * {@code -c -f FILE} only checks the file, {@code -v} prints the version ({@code -vv} more), {@code
 * -q} is quiet and {@code -V} verbose, as in HAProxy. {@code -db}, {@code -W} and {@code -Ws} are
 * accepted and ignored, so scripts written for haproxy work unchanged. lbkit's own {@code
 * --port-offset N} moves every listener N ports up, so lbkit can run next to HAProxy on the same
 * host with the very same haproxy.cfg. The launcher and lbkit.jar add subcommands to this command
 * ({@code demo}, {@code replicas}, ...): see {@link #command(PrintStream, PrintStream)}.
 */
public final class Main {

    static final int OK = 0;
    static final int INVALID = 1;

    /** HAProxy's exit code for a valid file that would not listen anywhere. */
    static final int NO_LISTENER = 2;

    /** What {@link #run} returns when the balancer is serving and the JVM must stay alive. */
    public static final int SERVING = -1;

    private Main() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != SERVING) {
            System.exit(status);
        }
    }

    /** HAProxy's flags, as picocli reads them; {@link #call()} runs what they ask for. */
    @Command(
            name = "lbkit",
            sortOptions = false,
            separator = " ",
            customSynopsis = {
                "lbkit [-c] [-q|-V] -f <haproxy.cfg> [--port-offset N] [--haproxy-version LINE]",
                "   or: lbkit -v | -vv | -h"
            },
            description = {
                "A drop-in for haproxy on the kit's configurations: the same flags, the same alerts with"
                        + " file:line, HAProxy's algorithms rebuilt in Java."
            },
            footer = {
                "",
                "Exit status: 0 valid or done, 1 invalid file or bad option, 2 valid file that listens nowhere."
                        + " Docs: README.md, docs/concepts.md."
            })
    public static final class Flags implements Callable<Integer> {
        @Option(
                names = "-f",
                paramLabel = "FILE",
                description = "Run the balancer in the foreground with this configuration.")
        Path file;

        @Option(
                names = "-c",
                description = "Only check the configuration, then exit (0 = valid, 1 = invalid).")
        boolean check;

        @Option(
                names = "-v",
                description = "Print the version; -vv also lists the HAProxy lines lbkit models.")
        boolean[] version = new boolean[0];

        @Option(
                names = "-V",
                description =
                        "Verbose, as in HAProxy (not the version): undoes -q and names every"
                                + " listener at start.")
        boolean verbose;

        @Option(
                names = "-q",
                description =
                        "Quiet, as in HAProxy: no warnings and no 'Configuration file is valid';"
                                + " alerts still show.")
        boolean quiet;

        @Option(
                names = "-D",
                description = "HAProxy's daemon mode: refused, lbkit runs in the foreground only.")
        boolean daemon;

        @Option(
                names = PORT_OFFSET_FLAG,
                paramLabel = "N",
                description = {
                    "Listen N ports above every bind (and TCP stats"
                            + " socket) in the file, so lbkit runs next to HAProxy with the same file (8080 -> 8081 for N = 1)."
                })
        String portOffset;

        @Option(
                names = HAPROXY_VERSION_FLAG,
                paramLabel = "LINE",
                description =
                        "Balance as HAProxy line LINE does"
                                + " (also env "
                                + HaproxyLine.ENVIRONMENT
                                + "); lbkit models 2.6 (the default), 3.0, 3.2 and 3.4.")
        String haproxyVersion;

        @Option(
                names = {"-db", "-W", "-Ws"},
                description = "Accepted for compatibility with haproxy, ignored.")
        boolean[] ignored = new boolean[0];

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;

        @Spec CommandSpec spec;

        private final PrintStream out;
        private final PrintStream err;

        Flags(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            return Main.run(this, out, err);
        }
    }

    /** What one invocation asked for. */
    private record Options(
            boolean check,
            int verbosity,
            boolean quiet,
            boolean verbose,
            Path file,
            int portOffset,
            HaproxyLine line) {}

    /**
     * Runs the command; returns the exit status, or {@link #SERVING} when the balancer was started
     * and the JVM must stay alive (it then stops on SIGINT/SIGTERM).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return execute(command(out, err), args);
    }

    /**
     * Runs {@code command} (lbkit's, perhaps with subcommands added) and flushes what it printed.
     */
    public static int execute(CommandLine command, String[] args) {
        int status = command.execute(args);
        command.getOut().flush();
        command.getErr().flush();
        return status;
    }

    /**
     * lbkit's command line, printing to {@code out} and {@code err}: a bad option gets one clear
     * line, the synopsis and a pointer to {@code --help}, and exit status 1 (as in HAProxy). Add
     * subcommands to it before {@link CommandLine#execute}; they share that handling.
     */
    public static CommandLine command(PrintStream out, PrintStream err) {
        return command(out, err, Map.of());
    }

    /**
     * lbkit's command line with {@code subcommands} (name to picocli command object, in the order
     * the usage lists them), all sharing the error handling above.
     */
    public static CommandLine command(
            PrintStream out, PrintStream err, Map<String, Object> subcommands) {
        CommandLine command = new CommandLine(new Flags(out, err));
        subcommands.forEach(
                (name, subcommand) -> {
                    CommandLine sub =
                            subcommand instanceof CommandLine given
                                    ? given
                                    : new CommandLine(subcommand);
                    sub.getCommandSpec()
                            .name(name); // usage and errors say "lbkit replicas", not the class's
                    // own name
                    command.addSubcommand(name, sub);
                });
        if (!subcommands.isEmpty()) {
            List<String> synopsis =
                    new ArrayList<>(
                            List.of(command.getCommandSpec().usageMessage().customSynopsis()));
            synopsis.add("   or: lbkit " + String.join("|", subcommands.keySet()) + " [-h] [ARGS]");
            command.getCommandSpec().usageMessage().customSynopsis(synopsis.toArray(String[]::new));
        }
        // Set after the subcommands are added, so that they share the streams and the handlers.
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        command.setOverwrittenOptionsAllowed(false);
        command.setParameterExceptionHandler(Main::badOption);
        command.setExecutionExceptionHandler(
                (e, failed, parsed) -> {
                    failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + e);
                    return INVALID;
                });
        return command;
    }

    /** One line saying what is wrong and what to do, then the synopsis; never a stack trace. */
    private static int badOption(ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        String name = failed.getCommandSpec().qualifiedName();
        PrintWriter err = failed.getErr();
        err.println(name + ": " + explain(e));
        err.print(usageHint(failed));
        err.flush();
        return INVALID;
    }

    /** The synopsis and where to read more: what follows every error about the command line. */
    static String usageHint(CommandLine command) {
        return "Usage: "
                + command.getHelp().synopsis(0)
                + "Run '"
                + command.getCommandSpec().qualifiedName()
                + " --help' for every option"
                + (command.getSubcommands().isEmpty() ? "." : " and command.")
                + System.lineSeparator();
    }

    private static String explain(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            String kind =
                    first.startsWith("-")
                            ? "unknown option"
                            : e.getCommandLine().getSubcommands().isEmpty()
                                    ? "unexpected argument"
                                    : "unknown command";
            return kind + " '" + first + "'.";
        }
        ArgSpec arg = e.getArgSpec();
        if (e instanceof MissingParameterException missing && !missing.getMissing().isEmpty()) {
            arg = missing.getMissing().get(0);
        } else if (e instanceof OverwrittenOptionException overwritten) {
            arg = overwritten.getOverwritten();
        }
        String option = arg instanceof OptionSpec spec ? spec.longestName() : null;
        if (e instanceof MissingParameterException && option != null) {
            return switch (option) {
                case "-f" -> "-f needs a configuration file, e.g. '-f haproxy.cfg'.";
                case HAPROXY_VERSION_FLAG ->
                        HAPROXY_VERSION_FLAG
                                + " needs a HAProxy line, e.g. '"
                                + HAPROXY_VERSION_FLAG
                                + " 2.6' (modelled: "
                                + HaproxyLine.modelledText()
                                + ").";
                case PORT_OFFSET_FLAG -> portOffsetNeeds();
                default -> option + " needs a value.";
            };
        }
        if (e instanceof OverwrittenOptionException && "-f".equals(option)) {
            return "only one -f FILE is supported.";
        }
        String message = e.getMessage();
        return message.endsWith(".") ? message : message + ".";
    }

    private static String portOffsetNeeds() {
        return PORT_OFFSET_FLAG
                + " needs a whole number from -"
                + MAX_PORT
                + " to "
                + MAX_PORT
                + ", e.g. '"
                + PORT_OFFSET_FLAG
                + " 1' to listen on 8081 where the file says 8080.";
    }

    private static int run(Flags flags, PrintStream out, PrintStream err) {
        Options options = options(flags, err);
        if (options == null) {
            return INVALID;
        }
        if (options.verbosity() > 0) {
            out.println(
                    "lbkit version "
                            + version()
                            + " (balances as HAProxy "
                            + options.line().text()
                            + ")");
            if (options.verbosity() > 1) {
                out.println(
                        "HAProxy lines lbkit models: "
                                + HaproxyLine.modelledText()
                                + " (default "
                                + HaproxyLine.DEFAULT.text()
                                + "; choose with --haproxy-version or "
                                + HaproxyLine.ENVIRONMENT
                                + "; what differs: docs/versions.md)");
            }
            return OK;
        }
        Path file = options.file();
        if (!Files.isReadable(file)) {
            err.println(
                    "[ALERT] Cannot open configuration file '"
                            + file
                            + "' : "
                            + (Files.exists(file)
                                    ? "permission denied"
                                    : "No such file or directory")
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
            err.println(
                    "[ALERT] Cannot read configuration file '" + file + "' : " + e.getMessage());
            return INVALID;
        }
        // -q silences warnings, as in HAProxy; -V undoes -q.
        boolean warn = !options.quiet() || options.verbose();
        if (warn) {
            config.warnings().forEach(err::println);
        }
        List<String> unsupported = unsupportedByLbkit(config);
        if (!unsupported.isEmpty()) {
            if (options.check()) {
                // -c gives HAProxy's verdict on the file; what lbkit itself cannot run is a warning
                // here,
                // and an error only when lbkit is asked to run it.
                if (warn) {
                    unsupported.forEach(
                            alert ->
                                    err.println(
                                            alert.replaceFirst("^\\[ALERT\\]", "[WARNING]")
                                                    + " (lbkit would refuse to run this file)"));
                }
            } else {
                unsupported.forEach(err::println);
                err.println("[ALERT] Fatal errors found in configuration.");
                return INVALID;
            }
        }
        // A stats socket listens too: with one, HAProxy starts (and -c says valid) without any
        // bind.
        if (config.frontends().stream().allMatch(p -> p.binds().isEmpty())
                && config.global().statsSockets().isEmpty()) {
            if (warn) {
                out.println(
                        "Configuration file has no error but will not start (no listener) => exit(2).");
            }
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
            if (warn) {
                printPortOffset(config, moved, options.portOffset(), out);
            }
            config = moved;
        }
        if (options.check()) {
            if (options.line() == HaproxyLine.V2_6 && warn) {
                out.println("Configuration file is valid"); // 3.0 and later say nothing when all is
                // well
            }
            return OK;
        }
        if (options.verbose()) {
            printListeners(config, options.line(), out);
        }
        return serve(config, err);
    }

    /** Alerts for what HAProxy accepts but lbkit cannot run yet (an algorithm, TCP mode). */
    static List<String> unsupportedByLbkit(Config config) {
        List<String> alerts = new ArrayList<>();
        for (ProxySection proxy : config.proxies()) {
            if (proxy.mode() == Mode.TCP) {
                alerts.add(
                        "[ALERT] parsing ["
                                + proxy.where()
                                + "] : "
                                + kindWord(proxy)
                                + " '"
                                + proxy.name()
                                + "' runs in 'mode tcp', which lbkit does not support yet: lbkit proxies HTTP only."
                                + " Add 'mode http' to it (or to its defaults section).");
            }
            for (String rule : Lbkit.unmodelledRules(proxy)) {
                alerts.add("[ALERT] " + rule + ".");
            }
            String hashRefusal =
                    proxy.hasBackend() ? SampleExpression.refusal(proxy.balance()) : null;
            if (hashRefusal != null) {
                alerts.add("[ALERT] " + hashRefusal);
            }
            if (proxy.hasBackend()
                    && !Algorithms.available().contains(proxy.balance().algorithm())) {
                alerts.add(
                        "[ALERT] parsing ["
                                + proxy.balance().where()
                                + "] : balance '"
                                + proxy.balance().algorithm().keyword()
                                + "' "
                                + Algorithms.whyMissing(proxy.balance().algorithm()));
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
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    lbkit.close();
                                    stopped.countDown();
                                },
                                "lbkit-shutdown"));
        // Keep a non-daemon thread waiting, so the JVM lives until SIGINT/SIGTERM runs the hook.
        Thread keeper =
                new Thread(
                        () -> {
                            try {
                                stopped.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "lbkit-main");
        keeper.start();
        return SERVING;
    }

    private static Options options(Flags flags, PrintStream err) {
        if (flags.daemon) {
            err.println(
                    "lbkit: -D (daemon mode) is not supported: lbkit runs in the foreground only."
                            + " Drop -D, and let your service manager or '&' put it in the background.");
            return null;
        }
        int portOffset = 0;
        if (flags.portOffset != null) {
            Integer offset = portOffsetValue(flags.portOffset);
            if (offset == null) {
                err.println("lbkit: " + portOffsetNeeds());
                return null;
            }
            portOffset = offset;
        }
        String line = System.getenv(HaproxyLine.ENVIRONMENT);
        String lineFrom = "environment " + HaproxyLine.ENVIRONMENT;
        if (flags.haproxyVersion != null) {
            line = flags.haproxyVersion;
            lineFrom = HAPROXY_VERSION_FLAG;
        }
        HaproxyLine haproxyLine = HaproxyLine.DEFAULT;
        if (line != null && !line.isBlank()) {
            try {
                // Checking a file needs only the line's config rules, which lbkit knows for every
                // known line; balancing needs the line's algorithms modelled.
                haproxyLine =
                        flags.check
                                ? HaproxyLine.requireKnown(line, lineFrom)
                                : HaproxyLine.requireModelled(line, lineFrom);
            } catch (IllegalArgumentException e) {
                err.println("lbkit: " + e.getMessage());
                return null;
            }
        }
        int verbosity = Math.min(flags.version.length, 2);
        if (verbosity == 0 && flags.file == null) {
            err.println(
                    "lbkit: nothing to do: give a configuration with -f FILE (or -v for the version).");
            err.print(usageHint(flags.spec.commandLine()));
            return null;
        }
        return new Options(
                flags.check,
                verbosity,
                flags.quiet,
                flags.verbose,
                flags.file,
                portOffset,
                haproxyLine);
    }

    /** -V: where lbkit answers and as which HAProxy line it balances. */
    private static void printListeners(Config config, HaproxyLine line, PrintStream out) {
        out.println("lbkit " + version() + ": balancing as HAProxy " + line.text());
        for (ProxySection proxy : config.proxies()) {
            for (Bind bind : proxy.binds()) {
                out.println(
                        "lbkit: "
                                + kindWord(proxy)
                                + " '"
                                + proxy.name()
                                + "' listens on "
                                + hostPort(bind.host(), bind.port()));
            }
        }
    }

    // ---- --port-offset: lbkit next to HAProxy, from the very same haproxy.cfg
    // -----------------------
    // On one host (or in docker-compose with network_mode: host) HAProxy and lbkit cannot both bind
    // 127.0.0.1:8080. Rather than keeping a second copy of every episode's config, lbkit moves each
    // listener N ports up and says so at start: HAProxy answers on :8080, lbkit on :8081. The
    // servers
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
        List<ProxySection> proxies =
                config.proxies().stream()
                        .map(
                                proxy ->
                                        new ProxySection(
                                                proxy.kind(),
                                                proxy.name(),
                                                proxy.where(),
                                                proxy.mode(),
                                                proxy.binds().stream()
                                                        .map(
                                                                bind ->
                                                                        new Bind(
                                                                                bind.host(),
                                                                                movedPort(
                                                                                        bind.port(),
                                                                                        offset,
                                                                                        "bind "
                                                                                                + hostPort(
                                                                                                        bind
                                                                                                                .host(),
                                                                                                        bind
                                                                                                                .port()),
                                                                                        bind.where()
                                                                                                .toString()),
                                                                                bind.v4v6(),
                                                                                bind.acceptProxy(),
                                                                                bind.where()))
                                                        .toList(),
                                                proxy.defaultBackend(),
                                                proxy.balance(),
                                                proxy.hashType(),
                                                proxy.servers(),
                                                proxy.timeouts(),
                                                proxy.retries(),
                                                proxy.redispatch(),
                                                proxy.redispatchEvery(),
                                                proxy.forwardFor(),
                                                proxy.httpCheck(),
                                                proxy.allBackups(),
                                                proxy.hashBalanceFactor(),
                                                proxy.httpReuse(),
                                                proxy.useBackends(),
                                                proxy.operatorPages(),
                                                proxy.log(),
                                                proxy.abortOnClose(),
                                                proxy.cookie()))
                        .toList();
        List<StatsSocket> sockets =
                config.global().statsSockets().stream()
                        .map(
                                socket -> {
                                    if (socket.isUnix()) {
                                        return socket; // a unix socket has no port; give each
                                        // balancer its own path if both use one
                                    }
                                    int port =
                                            movedPort(
                                                    socket.port(),
                                                    offset,
                                                    "stats socket " + socket.address(),
                                                    socket.where().toString());
                                    String suffix = ":" + socket.port();
                                    String address =
                                            socket.address().endsWith(suffix)
                                                    ? socket.address()
                                                                    .substring(
                                                                            0,
                                                                            socket.address()
                                                                                            .length()
                                                                                    - suffix
                                                                                            .length())
                                                            + ":"
                                                            + port
                                                    : socket.address();
                                    return new StatsSocket(
                                            address,
                                            socket.host(),
                                            port,
                                            null,
                                            socket.level(),
                                            socket.where());
                                })
                        .toList();
        Global global =
                new Global(
                        config.global().nbthread(),
                        config.global().maxconn(),
                        sockets,
                        config.global().logTargets());
        return new Config(global, proxies, config.warnings(), config.line());
    }

    private static int movedPort(int port, int offset, String what, String where) {
        int moved = port + offset;
        if (moved < 1 || moved > MAX_PORT) {
            throw new IllegalArgumentException(
                    PORT_OFFSET_FLAG
                            + " "
                            + offset
                            + ": "
                            + what
                            + " at ["
                            + where
                            + "] would listen on port "
                            + moved
                            + ", outside 1-"
                            + MAX_PORT
                            + ". Use a smaller offset.");
        }
        return moved;
    }

    /** One line per moved listener, so the learner sees where lbkit really answers. */
    private static void printPortOffset(
            Config original, Config moved, int offset, PrintStream out) {
        List<Bind> before = original.proxies().stream().flatMap(p -> p.binds().stream()).toList();
        List<Bind> after = moved.proxies().stream().flatMap(p -> p.binds().stream()).toList();
        for (int i = 0; i < before.size(); i++) {
            out.println(
                    "lbkit: "
                            + PORT_OFFSET_FLAG
                            + " "
                            + offset
                            + ": bind "
                            + hostPort(before.get(i).host(), before.get(i).port())
                            + " listens on "
                            + hostPort(after.get(i).host(), after.get(i).port()));
        }
        List<StatsSocket> socketsBefore = original.global().statsSockets();
        List<StatsSocket> socketsAfter = moved.global().statsSockets();
        for (int i = 0; i < socketsBefore.size(); i++) {
            if (!socketsBefore.get(i).isUnix()) {
                out.println(
                        "lbkit: "
                                + PORT_OFFSET_FLAG
                                + " "
                                + offset
                                + ": stats socket "
                                + hostPort(socketsBefore.get(i).host(), socketsBefore.get(i).port())
                                + " listens on "
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

    // ---- end of --port-offset
    // ---------------------------------------------------------------------

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
