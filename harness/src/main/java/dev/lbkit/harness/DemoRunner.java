package dev.lbkit.harness;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What every episode's {@code Demo} does: start the replicas, lbkit and — when this machine has one
 * — a real HAProxy from the episode's haproxy.cfg, send the same requests to both, and print the
 * order of the first picks and each side's distribution as bars.
 */
public final class DemoRunner {
    private DemoRunner() {}

    /**
     * The config's {@code balance} and {@code hash-type} lines as written, joined for a demo's
     * title: {@code "balance uri, hash-type consistent"}. A learner who edits haproxy.cfg sees the
     * edit there.
     */
    public static String balancing(String config) {
        return config.lines()
                .map(String::strip)
                .filter(line -> line.startsWith("balance ") || line.startsWith("hash-type "))
                .map(line -> line.replaceAll("\\s+", " "))
                .collect(Collectors.joining(", "));
    }

    /**
     * Reads {@code haproxy.cfg} from the working directory or from {@code episodes/<folder>/}, else
     * the copy lbkit.jar carries (episodes/all packs every episode's file).
     */
    public static String episodeConfig(String folder) throws IOException {
        for (Path p : List.of(Path.of("haproxy.cfg"), Path.of("episodes", folder, "haproxy.cfg"))) {
            if (Files.isRegularFile(p)) {
                return Files.readString(p);
            }
        }
        try (InputStream packed =
                DemoRunner.class.getResourceAsStream(
                        "/dev/lbkit/episodes/" + folder + "/haproxy.cfg")) {
            if (packed != null) {
                return new String(packed.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        throw new IOException(
                "no haproxy.cfg in the working directory or in episodes/"
                        + folder
                        + "/: run the demo from the repository root, e.g. ./lbkit demo "
                        + folder.replaceFirst("^\\d+-", ""));
    }

    /** Runs {@code traffic} through lbkit and, if available, HAProxy, and prints what happened. */
    public static void run(String title, String config, SideBySide.Options options, Traffic traffic)
            throws Exception {
        SideBySide.HaproxyStarter haproxy = introduce(title);
        try (SideBySide sides = SideBySide.start(title, config, haproxy, options)) {
            Picks lbkit = sides.drive(sides.lbkit(), traffic);
            Picks onHaproxy =
                    sides.haproxy() == null ? null : sides.drive(sides.haproxy(), traffic);
            System.out.println();
            System.out.println(traffic.requests().size() + " requests (" + traffic.name() + ")");
            if (onHaproxy != null) {
                System.out.println("HAProxy first picks: " + first(onHaproxy, 12));
            }
            System.out.println("lbkit   first picks: " + first(lbkit, 12));
            System.out.println();
            if (onHaproxy != null) {
                System.out.print(
                        Report.sideBySide(
                                new Comparison(title, config, traffic, onHaproxy, lbkit)));
            } else {
                System.out.print(Report.bars("lbkit", lbkit.distribution()));
            }
        }
    }

    /**
     * Prints the demo's title and which HAProxy it runs next to; returns that HAProxy, or null for
     * lbkit alone.
     */
    static SideBySide.HaproxyStarter introduce(String title) {
        HaproxyLocator.Lookup lookup = HaproxyLocator.find();
        SideBySide.HaproxyStarter haproxy =
                lookup.haproxy().map(SideBySide.HaproxyStarter::of).orElse(null);
        System.out.println("== " + title);
        System.out.println(
                haproxy == null
                        ? "No HAProxy on this machine ("
                                + lookup.missing()
                                + "): showing lbkit alone, balancing as HAProxy "
                                + HaproxyLine.DEFAULT.text()
                                + ".\nInstall haproxy or Docker to see both side by side."
                        : "Side by side with "
                                + haproxy.describe()
                                + "; lbkit balances as HAProxy "
                                + haproxy.line().text()
                                + (haproxy.line().modelled()
                                        ? ""
                                        : " (a line lbkit does not model yet: expect differences)"));
        return haproxy;
    }

    private static String first(Picks picks, int n) {
        return picks.answers().stream().limit(n).collect(Collectors.joining(" "))
                + (picks.answers().size() > n ? " ..." : "");
    }
}
