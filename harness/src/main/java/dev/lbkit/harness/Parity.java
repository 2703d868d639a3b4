package dev.lbkit.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assertions;

/**
 * The episodes' parity tests in a few calls: find a HAProxy (skip or fail per the kit's policy),
 * run a config side by side on some traffic, write the report and assert exact equality with a
 * message that shows the first difference.
 */
public final class Parity {
    private Parity() {
    }

    /** The episode's own haproxy.cfg: tests run with the module folder as working directory. */
    public static String episodeConfig() {
        Path cfg = Path.of("haproxy.cfg");
        try {
            return Files.readString(cfg);
        } catch (IOException e) {
            throw new UncheckedIOException("no haproxy.cfg in " + cfg.toAbsolutePath().getParent(), e);
        }
    }

    /** The HAProxy the tests meet: skipped when none (outside CI), a failure when one is required. */
    public static SideBySide.HaproxyStarter haproxy() {
        return HaproxyForParity.get();
    }

    /** Starts both sides for {@code config}, runs each traffic script in turn, writes a report per script. */
    public static List<Comparison> run(String title, String config, SideBySide.Options options, List<Traffic> scripts)
            throws Exception {
        try (SideBySide sides = SideBySide.start(title, config, haproxy(), options)) {
            return scripts.stream().map(t -> {
                Comparison c = sides.run(title + " — " + t.name(), t);
                Report.write(slug(title + "-" + t.name()), c, List.of());
                System.out.println("[lbkit] " + c.summary() + "  (HAProxy: " + c.haproxy().side() + ")");
                return c;
            }).toList();
        }
    }

    /** Fails with the first difference, its neighbours and the config when the two sides differ. */
    public static void assertIdentical(Comparison comparison) {
        if (!comparison.identical()) {
            Assertions.fail(comparison.explainDifference());
        }
    }

    static String slug(String text) {
        return text.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
