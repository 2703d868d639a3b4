package dev.lbkit.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assertions;

/**
 * The episodes' parity tests in a few calls: find a HAProxy (skip or fail per the kit's policy),
 * run a config side by side on some traffic, write the report and assert exact equality with a
 * message that shows the first difference.
 */
public final class Parity {
    private Parity() {}

    /** The share of its generated configs each generated-config test meets (default 1, all). */
    public static final String CONFIGS_SHARE_PROPERTY = "lbkit.configs.share";

    /**
     * How many generated configs a test that meets {@code full} by default meets in this run: all
     * of them, or {@code -Dlbkit.configs.share} of them (at least one), for a focused run such as
     * CI's runs against the newer HAProxy lines.
     *
     * @throws IllegalArgumentException when the share is not a number in (0, 1]
     */
    public static int generatedConfigs(int full) {
        return generatedConfigs(full, System.getProperty(CONFIGS_SHARE_PROPERTY, ""));
    }

    static int generatedConfigs(int full, String share) {
        if (share.isBlank()) {
            return full;
        }
        double value;
        try {
            value = Double.parseDouble(share.strip());
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(
                    "-D"
                            + CONFIGS_SHARE_PROPERTY
                            + "="
                            + share
                            + ": give a share of the generated configs above 0 and at most 1,"
                            + " e.g. 0.5 for half of them");
        }
        return Math.max(1, (int) Math.round(full * value));
    }

    /** The episode's own haproxy.cfg: tests run with the module folder as working directory. */
    public static String episodeConfig() {
        Path cfg = Path.of("haproxy.cfg");
        try {
            return Files.readString(cfg);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "no haproxy.cfg in " + cfg.toAbsolutePath().getParent(), e);
        }
    }

    /**
     * The HAProxy the tests meet: skipped when none (outside CI), a failure when one is required.
     */
    public static SideBySide.HaproxyStarter haproxy() {
        return HaproxyForParity.get();
    }

    /**
     * Starts both sides for {@code config}, runs each traffic script in turn, writes a report per
     * script.
     */
    public static List<Comparison> run(
            String title, String config, SideBySide.Options options, List<Traffic> scripts)
            throws Exception {
        try (SideBySide sides = SideBySide.start(title, config, haproxy(), options)) {
            return scripts.stream()
                    .map(
                            t -> {
                                Comparison c = sides.run(title + " — " + t.name(), t);
                                Report.write(slug(title + "-" + t.name()), c, List.of());
                                System.out.println(
                                        "[lbkit] "
                                                + c.summary()
                                                + "  (HAProxy: "
                                                + c.haproxy().side()
                                                + ")");
                                return c;
                            })
                    .toList();
        }
    }

    /** One generated config and its side-by-side run. */
    public record GeneratedRun(ConfigGenerator.Generated config, Comparison comparison) {}

    /**
     * Runs {@code count} generated configs of {@code algorithm} side by side: {@code requests}
     * sequential requests each, a random server disabled after a third of them and enabled again
     * after two thirds, every {@code keepAliveEvery}-th config on one keep-alive connection. The
     * seed is printed for replay.
     */
    public static List<GeneratedRun> downUpOnGeneratedConfigs(
            String algorithm, long baseSeed, int count, int requests, int keepAliveEvery)
            throws Exception {
        ConfigGenerator generator = new ConfigGenerator(baseSeed + algorithm.hashCode());
        System.out.printf(
                "[lbkit] %s: %d generated configs, seed %d (replay with -Dlbkit.seed=%d)%n",
                algorithm, count, generator.seed(), baseSeed);
        List<GeneratedRun> runs = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            ConfigGenerator.Generated config =
                    generator.next(algorithm + " #" + i, "balance " + algorithm);
            String victim =
                    config.serverNames()
                            .get(generator.random().nextInt(config.serverNames().size()));
            Traffic traffic =
                    Traffic.sequential("DOWN/UP of " + victim, requests)
                            .withEvent(requests / 3, "disable server be/" + victim)
                            .withEvent(2 * requests / 3, "enable server be/" + victim);
            if (i % keepAliveEvery == keepAliveEvery - 1) {
                traffic = traffic.keepAliveConnection();
            }
            Comparison result =
                    run(
                                    config.name() + " weights " + config.weights(),
                                    config.config(),
                                    SideBySide.Options.exactRun(),
                                    List.of(traffic))
                            .get(0);
            runs.add(new GeneratedRun(config, result));
        }
        return runs;
    }

    /**
     * One exact side-by-side run of {@code traffic}, lbkit given {@code lbkitChange} applied to its
     * config ({@link UnaryOperator#identity()} for none, a negative control's mistake otherwise);
     * the report is written and the summary printed ({@link #reported}).
     */
    public static Comparison runExact(
            String title,
            String config,
            SideBySide.HaproxyStarter haproxy,
            UnaryOperator<String> lbkitChange,
            Traffic traffic)
            throws Exception {
        Comparison c;
        try (SideBySide sides =
                SideBySide.startNegativeControl(
                        title, config, haproxy, SideBySide.Options.exactRun(), lbkitChange)) {
            c = sides.run(title + " — " + traffic.name(), traffic);
        }
        return reported(c);
    }

    /**
     * Writes {@code c}'s report under its title and prints its summary line with the HAProxy met;
     * returns {@code c}.
     */
    public static Comparison reported(Comparison c) {
        Report.write(slugOf(c.title()), c, List.of());
        System.out.println("[lbkit] " + c.summary() + "  (HAProxy: " + c.haproxy().side() + ")");
        return c;
    }

    /** Fails with the first difference, its neighbours and the config when the two sides differ. */
    public static void assertIdentical(Comparison comparison) {
        if (!comparison.identical()) {
            Assertions.fail(comparison.explainDifference());
        }
    }

    /** {@code "-" + slug(text)}, or "" for an empty text: a suffix for report names. */
    public static String slugOf(String text) {
        return text.isBlank() ? "" : "-" + slug(text);
    }

    static String slug(String text) {
        return text.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
