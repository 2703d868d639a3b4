package dev.lbkit.backends;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@link Main} should start, read from command-line flags and environment variables.
 *
 * <p>Flags win over environment variables (the container form), which win over the article's
 * defaults: app 1 on 127.0.0.1:5001 with no delay.
 *
 * @param apps  the app numbers to start, each on its own port
 * @param host  where every app listens
 * @param port  the port of a single app; ignored with several apps, which use 5000 + N
 * @param delay the delay of every started app
 */
public record ReplicaSettings(List<Integer> apps, String host, int port, Duration delay) {

    public static final String USAGE = """
            usage: backends [--app N] [--port P] [--host H] [--delay-ms D] | --all [--host H] [--delay-ms D]
              --app N       app number (1 or more); answers "Hello from Flask App N!"   env APP_NUMBER, default 1
              --port P      port to listen on (0 = any free port)                     env APP_PORT, default 5000+N
              --host H      address to listen on                                      env APP_HOST, default 127.0.0.1
              --delay-ms D  sleep D ms before every answer (?delay_ms= overrides)     env APP_DELAY_MS, default 0
              --all         start app1, app2, app3 on 5001, 5002, 5003""";

    /** Reads flags first, then {@code APP_NUMBER}, {@code APP_PORT}, {@code APP_HOST}, {@code APP_DELAY_MS}. */
    public static ReplicaSettings parse(List<String> args, Map<String, String> env) {
        String app = env.get("APP_NUMBER");
        String port = env.get("APP_PORT");
        String host = env.getOrDefault("APP_HOST", "127.0.0.1");
        String delay = env.get("APP_DELAY_MS");
        String appSource = "APP_NUMBER";
        String portSource = "APP_PORT";
        String delaySource = "APP_DELAY_MS";
        boolean all = false;
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            switch (flag) {
                case "--all" -> all = true;
                case "--app" -> { app = valueOf(args, ++i, flag); appSource = flag; }
                case "--port" -> { port = valueOf(args, ++i, flag); portSource = flag; }
                case "--host" -> host = valueOf(args, ++i, flag);
                case "--delay-ms" -> { delay = valueOf(args, ++i, flag); delaySource = flag; }
                default -> throw new IllegalArgumentException("unknown argument '" + flag + "'\n" + USAGE);
            }
        }
        Duration delayValue = Duration.ofMillis(delay == null ? 0 : number(delay, delaySource, 0, Long.MAX_VALUE));
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host must not be empty (--host or APP_HOST)");
        }
        if (all) {
            return new ReplicaSettings(List.of(1, 2, 3), host, 0, delayValue);
        }
        int appValue = app == null ? 1 : (int) number(app, appSource, 1, 1000);
        int portValue = port == null ? FlaskReplica.defaultPort(appValue) : (int) number(port, portSource, 0, 65_535);
        return new ReplicaSettings(List.of(appValue), host, portValue, delayValue);
    }

    /** The port app {@code app} gets: the configured one for a single app, else 5000 + N. */
    public int portOf(int app) {
        return apps.size() == 1 ? port : FlaskReplica.defaultPort(app);
    }

    private static String valueOf(List<String> args, int index, String flag) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
        }
        return args.get(index);
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
        throw new IllegalArgumentException(source + " must be a whole number from " + min + " to " + max
                + ", got '" + text + "'");
    }
}
