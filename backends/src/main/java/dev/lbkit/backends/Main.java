package dev.lbkit.backends;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the article's Flask apps from the command line or a container, until interrupted.
 *
 * <p>{@code --all} starts app1..app3 on 5001-5003; otherwise one app from {@code --app N --port P}
 * or {@code APP_NUMBER}/{@code APP_PORT}. See {@link ReplicaSettings#USAGE}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        quietStartupLogs();
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(ReplicaSettings.USAGE);
            return;
        }
        ReplicaSettings settings;
        try {
            settings = ReplicaSettings.parse(List.of(args), System.getenv());
        } catch (IllegalArgumentException badInput) {
            System.err.println("backends: " + badInput.getMessage());
            System.exit(2);
            return;
        }
        List<FlaskReplica> started = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(FlaskReplica::close)));
        for (int app : settings.apps()) {
            try {
                started.add(FlaskReplica.start(app, settings.host(), settings.portOf(app), settings.delay()));
            } catch (RuntimeException cannotListen) {
                System.err.printf("backends: app%d cannot listen on %s:%d (%s). Is the port taken? "
                        + "Pick another with --port or APP_PORT.%n",
                        app, settings.host(), settings.portOf(app), rootMessage(cannotListen));
                System.exit(1);
            }
            System.out.println("listening: " + started.get(started.size() - 1));
        }
        new CountDownLatch(1).await();
    }

    /** One "listening:" line per app reads better in a demo than Jetty's start-up lines; -D settings still win. */
    private static void quietStartupLogs() {
        for (String logger : new String[] {"org.eclipse.jetty", "io.javalin"}) {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
