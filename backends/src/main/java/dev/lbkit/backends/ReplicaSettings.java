package dev.lbkit.backends;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What {@link Main} should start, read from command-line flags and environment variables.
 *
 * <p>Flags win over environment variables (the container form), which win over the article's
 * defaults: app 1 on 127.0.0.1:5001 with no delay.
 *
 * @param apps the app numbers to start, each on its own port
 * @param host where every app listens
 * @param port the port of a single app; ignored with several apps, which use 5000 + N
 * @param delay the delay of every started app
 */
public record ReplicaSettings(List<Integer> apps, String host, int port, Duration delay) {

    /** The flags as picocli reads them; values stay text, so a bad one is named with its range. */
    @Command(
            name = "backends",
            sortOptions = false,
            separator = " ",
            description =
                    "Starts the article's Flask apps (Javalin replicas), until interrupted. Each answers"
                            + " \"Hello from Flask App N!\" on / and /data.")
    public static class Flags {
        @Option(
                names = "--app",
                paramLabel = "N",
                description = "App number (1 or more).   env APP_NUMBER, default 1")
        String app;

        @Option(
                names = "--port",
                paramLabel = "P",
                description =
                        "Port to listen on (0 = any free port).   env APP_PORT,"
                                + " default 5000+N")
        String port;

        @Option(
                names = "--host",
                paramLabel = "H",
                description = "Address to listen on.   env APP_HOST, default 127.0.0.1")
        String host;

        @Option(
                names = "--delay-ms",
                paramLabel = "D",
                description =
                        "Sleep D ms before every answer (?delay_ms="
                                + " overrides).   env APP_DELAY_MS, default 0")
        String delay;

        @Option(names = "--all", description = "Start app1, app2, app3 on 5001, 5002, 5003.")
        boolean all;

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;
    }

    /** The usage text, as {@code --help} prints it. */
    public static String usage() {
        return new CommandLine(new Flags()).getUsageMessage();
    }

    /**
     * Reads flags first, then {@code APP_NUMBER}, {@code APP_PORT}, {@code APP_HOST}, {@code
     * APP_DELAY_MS}.
     */
    public static ReplicaSettings parse(List<String> args, Map<String, String> env) {
        Flags flags = new Flags();
        try {
            new CommandLine(flags).parseArgs(args.toArray(String[]::new));
        } catch (ParameterException badFlag) {
            throw new IllegalArgumentException(explain(badFlag) + "\n" + usage());
        }
        return from(flags, env, false);
    }

    /** What is wrong with the command line, in one line (no usage). */
    static String explain(ParameterException badFlag) {
        if (badFlag instanceof UnmatchedArgumentException unknown
                && !unknown.getUnmatched().isEmpty()) {
            return "unknown argument '" + unknown.getUnmatched().get(0) + "'";
        }
        if (badFlag instanceof MissingParameterException missing
                && !missing.getMissing().isEmpty()
                && missing.getMissing().get(0) instanceof OptionSpec option) {
            return option.longestName() + " needs a value";
        }
        return badFlag.getMessage();
    }

    /**
     * The settings from parsed flags and the environment. With {@code allByDefault} (as {@code
     * lbkit replicas}), no {@code --app} and no {@code APP_NUMBER} means the three apps.
     */
    static ReplicaSettings from(Flags flags, Map<String, String> env, boolean allByDefault) {
        String app = flags.app != null ? flags.app : env.get("APP_NUMBER");
        String port = flags.port != null ? flags.port : env.get("APP_PORT");
        String host = flags.host != null ? flags.host : env.getOrDefault("APP_HOST", "127.0.0.1");
        String delay = flags.delay != null ? flags.delay : env.get("APP_DELAY_MS");
        String appSource = flags.app != null ? "--app" : "APP_NUMBER";
        String portSource = flags.port != null ? "--port" : "APP_PORT";
        String delaySource = flags.delay != null ? "--delay-ms" : "APP_DELAY_MS";
        Duration delayValue =
                Duration.ofMillis(
                        delay == null ? 0 : number(delay, delaySource, 0, Long.MAX_VALUE));
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host must not be empty (--host or APP_HOST)");
        }
        if (flags.all || (allByDefault && app == null)) {
            return new ReplicaSettings(List.of(1, 2, 3), host, 0, delayValue);
        }
        int appValue = app == null ? 1 : (int) number(app, appSource, 1, 1000);
        int portValue =
                port == null
                        ? FlaskReplica.defaultPort(appValue)
                        : (int) number(port, portSource, 0, 65_535);
        return new ReplicaSettings(List.of(appValue), host, portValue, delayValue);
    }

    /** The port app {@code app} gets: the configured one for a single app, else 5000 + N. */
    public int portOf(int app) {
        return apps.size() == 1 ? port : FlaskReplica.defaultPort(app);
    }

    private static long number(String text, String source, long min, long max) {
        try {
            long value = Long.parseLong(text.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // reported below with the allowed range
        }
        throw new IllegalArgumentException(
                source
                        + " must be a whole number from "
                        + min
                        + " to "
                        + max
                        + ", got '"
                        + text
                        + "'");
    }
}
