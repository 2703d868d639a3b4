package dev.lbkit.harness;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Negative controls: the same comparison as a parity test, run against a deliberately wrong lbkit,
 * must reject it. The wrong lbkit is made only by rewriting what lbkit is given (its config, its
 * options), never by a switch in production code. Tests that use this are tagged
 * {@code @Tag("negative-control")}; {@code ./mvnw test -Dgroups=negative-control} runs them alone.
 */
public final class NegativeControl {
    public static final String TAG = "negative-control";

    private NegativeControl() {}

    /**
     * A config rewrite replacing every match of {@code regex} (multiline) with {@code replacement};
     * throws when nothing matches, so a control can never silently compare the right lbkit.
     */
    public static UnaryOperator<String> replace(String regex, String replacement) {
        Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
        return config -> {
            Matcher m = pattern.matcher(config);
            if (!m.find()) {
                throw new IllegalArgumentException(
                        "negative control: '"
                                + regex
                                + "' is not in the config, so lbkit"
                                + " would not be wrong:\n"
                                + config);
            }
            return m.replaceAll(replacement);
        };
    }

    /**
     * Records a control's outcome in {@code target/lbkit-reports/negative-controls/<slug>.txt}
     * (docs/testing.md's list comes from these files) and prints it.
     */
    public static void record(String slug, String guards, String mistake, String outcome) {
        String line = "guards: " + guards + " | lbkit given: " + mistake + " | " + outcome;
        System.out.println("[lbkit] negative control " + slug + ": " + line);
        Report.writeLine("negative-controls", slug, line);
    }

    /**
     * Runs {@code scripts} side by side with lbkit given {@code mistake}; one comparison per
     * script, each printed.
     */
    public static List<Comparison> run(
            String title,
            String config,
            SideBySide.Options options,
            List<Traffic> scripts,
            UnaryOperator<String> mistake)
            throws Exception {
        try (SideBySide sides =
                SideBySide.startNegativeControl(
                        title, config, Parity.haproxy(), options, mistake)) {
            return scripts.stream()
                    .map(
                            t -> {
                                Comparison c =
                                        sides.run(
                                                "NEGATIVE CONTROL " + title + " — " + t.name(), t);
                                System.out.println(
                                        "[lbkit] "
                                                + c.summary()
                                                + (c.identical()
                                                        ? "  NOT REJECTED"
                                                        : "  rejected at request #"
                                                                + c.firstDifference()));
                                return c;
                            })
                    .toList();
        }
    }
}
