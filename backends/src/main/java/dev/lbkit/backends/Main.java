package dev.lbkit.backends;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Starts the article's Flask apps from the command line or a container, until interrupted.
 *
 * <p>{@code --all} starts app1..app3 on 5001-5003; otherwise one app from {@code --app N --port P}
 * or {@code APP_NUMBER}/{@code APP_PORT}. See {@link ReplicaSettings#usage()}.
 */
public final class Main {

    /** Exit status for a bad flag or setting, and for an app that cannot listen. */
    static final int INVALID = 1;

    private Main() {}

    public static void main(String[] args) {
        CommandLine command = new CommandLine(replicas(false));
        command.setParameterExceptionHandler(
                (badFlag, ignored) -> {
                    badFlag.getCommandLine()
                            .getErr()
                            .println(
                                    "backends: "
                                            + ReplicaSettings.explain(badFlag)
                                            + "\n"
                                            + ReplicaSettings.usage());
                    return INVALID;
                });
        System.exit(command.execute(args));
    }

    /**
     * The command that starts the apps. {@code lbkit replicas} registers it with {@code
     * allByDefault}: no {@code --app} (nor {@code APP_NUMBER}) then starts all three.
     */
    public static Callable<Integer> replicas(boolean allByDefault) {
        return new Replicas(allByDefault);
    }

    private static final class Replicas extends ReplicaSettings.Flags implements Callable<Integer> {
        private final boolean allByDefault;

        @Spec CommandSpec spec;

        Replicas(boolean allByDefault) {
            this.allByDefault = allByDefault;
        }

        @Override
        public Integer call() throws InterruptedException {
            quietStartupLogs();
            String name = spec.qualifiedName();
            ReplicaSettings settings;
            try {
                settings = ReplicaSettings.from(this, System.getenv(), allByDefault);
            } catch (IllegalArgumentException badInput) {
                spec.commandLine().getErr().println(name + ": " + badInput.getMessage());
                return INVALID;
            }
            List<FlaskReplica> started = new ArrayList<>();
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> started.forEach(FlaskReplica::close)));
            for (int app : settings.apps()) {
                try {
                    started.add(
                            FlaskReplica.start(
                                    app, settings.host(), settings.portOf(app), settings.delay()));
                } catch (RuntimeException cannotListen) {
                    System.err.printf(
                            "%s: app%d cannot listen on %s:%d (%s). Is the port taken? "
                                    + "Pick another with --port or APP_PORT.%n",
                            name,
                            app,
                            settings.host(),
                            settings.portOf(app),
                            rootMessage(cannotListen));
                    return INVALID;
                }
                System.out.println("listening: " + started.get(started.size() - 1));
            }
            new CountDownLatch(1).await();
            return 0;
        }
    }

    /**
     * One "listening:" line per app reads better in a demo than Jetty's start-up lines; -D settings
     * still win.
     */
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
