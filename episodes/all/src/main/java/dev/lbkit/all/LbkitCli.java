package dev.lbkit.all;

import dev.lbkit.balancer.Main;
import dev.lbkit.harness.Doctor;
import dev.lbkit.harness.Snippets;
import dev.lbkit.harness.bench.SideBySideBenchmark;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * The whole kit's command line, what {@code ./lbkit} and {@code lbkit.jar} run: HAProxy's flags
 * ({@code -f}, {@code -c}, {@code -v}, ... from the balancer's {@link Main}) plus the kit's
 * commands {@code demo}, {@code replicas}, {@code snippets}, {@code bench}, {@code jmh} and {@code
 * doctor}, each with {@code -h}/{@code --help}.
 */
public final class LbkitCli {

    private LbkitCli() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != Main.SERVING) {
            System.exit(status);
        }
    }

    /**
     * Runs one command line; returns the exit status, or {@link Main#SERVING} while the balancer
     * serves.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Object> commands = new LinkedHashMap<>();
        commands.put("demo", new Demo());
        CommandLine replicas = new CommandLine(dev.lbkit.backends.Main.replicas(true));
        replicas.getCommandSpec()
                .usageMessage()
                .description(
                        "Starts the article's Flask apps (Javalin replicas) until"
                                + " interrupted: app1..app3 on 127.0.0.1:5001-5003, or the one --app names. Each answers"
                                + " \"Hello from Flask App N!\" on / and /data.");
        commands.put("replicas", replicas);
        commands.put("snippets", new SnippetsCheck());
        commands.put("bench", SideBySideBenchmark.command());
        commands.put("jmh", new Jmh());
        commands.put("doctor", new DoctorCheck());
        return Main.execute(Main.command(out, err, commands), args);
    }

    /** The six episodes, by number, by name and by folder. */
    enum Episode {
        ROUNDROBIN("01-roundrobin"),
        LEASTCONN("02-leastconn"),
        SOURCE_HASH("03-source-hash"),
        URI_HASH("04-uri-hash"),
        RANDOM("05-random"),
        WEIGHTED("06-weighted");

        static final String CHOICES =
                "1-6 or roundrobin, leastconn, source-hash, uri-hash, random, weighted";

        final String folder;

        Episode(String folder) {
            this.folder = folder;
        }

        String shortName() {
            return folder.substring(3);
        }

        /** The demo's class: dev.lbkit.episodes.{name without dashes}.Demo. */
        String demoClass() {
            return "dev.lbkit.episodes." + shortName().replace("-", "") + ".Demo";
        }

        static Episode find(String text) {
            for (Episode episode : values()) {
                String number = episode.folder.substring(0, 2);
                if (List.of(number, number.substring(1), episode.shortName(), episode.folder)
                        .contains(text.toLowerCase(Locale.ROOT))) {
                    return episode;
                }
            }
            return null;
        }
    }

    @Command(
            name = "demo",
            separator = " ",
            description =
                    "Runs an episode's demo: three replicas, lbkit and (when this"
                            + " machine has one) HAProxy side by side on the same requests, the distribution as bars.")
    static final class Demo implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "EPISODE", description = Episode.CHOICES + ".")
        String episode;

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            String name = spec.qualifiedName();
            if (episode == null) {
                spec.commandLine()
                        .getErr()
                        .println(name + " needs an episode: " + Episode.CHOICES + ".");
                return 1;
            }
            Episode chosen = Episode.find(episode);
            if (chosen == null) {
                spec.commandLine()
                        .getErr()
                        .println(
                                name
                                        + ": unknown episode '"
                                        + episode
                                        + "'. Pick "
                                        + Episode.CHOICES
                                        + ".");
                return 1;
            }
            try {
                Class.forName(chosen.demoClass())
                        .getMethod("main", String[].class)
                        .invoke(null, (Object) new String[0]);
                return 0;
            } catch (InvocationTargetException failed) {
                spec.commandLine()
                        .getErr()
                        .println(
                                name
                                        + " "
                                        + chosen.shortName()
                                        + ": "
                                        + rootMessage(failed.getCause()));
                return 1;
            } catch (ReflectiveOperationException missing) {
                spec.commandLine()
                        .getErr()
                        .println(
                                name
                                        + ": episode "
                                        + chosen.folder
                                        + " has no demo on this classpath ("
                                        + chosen.demoClass()
                                        + "). Build the kit with ./mvnw package, or run ./lbkit demo "
                                        + chosen.shortName()
                                        + ".");
                return 1;
            }
        }
    }

    @Command(
            name = "snippets",
            separator = " ",
            description =
                    "Checks (or, with --fix, rewrites) the code blocks in the"
                            + " lessons against the source they are taken from. Run it in the repository.")
    static final class SnippetsCheck implements Callable<Integer> {
        @Option(
                names = "--fix",
                description = "Rewrite drifted snippets from the source, then check.")
        boolean fix;

        @Parameters(
                arity = "0..1",
                paramLabel = "ROOT",
                description = "The repository root (default: the working directory).")
        String root;

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
            if (fix) {
                args.add("--fix");
            }
            if (root != null) {
                args.add(root);
            }
            Snippets.main(args.toArray(String[]::new)); // exits 1 on drift
            return 0;
        }
    }

    @Command(
            name = "jmh",
            description =
                    "The balancer's JMH microbenchmarks (pick per algorithm, hash functions):"
                            + " from a source checkout, as ./lbkit jmh [JMH options]; they are not part of lbkit.jar.")
    static final class Jmh implements Callable<Integer> {
        @Unmatched List<String> jmhOptions;

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine()
                    .getErr()
                    .println(
                            spec.qualifiedName()
                                    + ": the JMH benchmarks are built by Maven's jmh"
                                    + " profile and are not in this jar. In a clone of the repository run ./lbkit jmh [JMH options]"
                                    + " (docs/benchmarks.md).");
            return 1;
        }
    }

    @Command(
            name = "doctor",
            description =
                    "Says what this machine offers for lbkit (Java, Docker, HAProxy binary and"
                            + " images, loopback, wrk) and the command for each missing piece. Exit 0 when the parity tests can run.")
    static final class DoctorCheck implements Callable<Integer> {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;

        @Override
        public Integer call() {
            Doctor.main(new String[0]); // exits with the verdict
            return 0;
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
