package dev.lbkit.episodes.random;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Main;
import dev.lbkit.harness.ChiSquare;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.Power;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.Retest;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.CheckResult;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The article's config two ways: as the article wrote it ({@code random draw 2}, which HAProxy 2.6
 * refuses, and so must {@code ./lbkit -c}), and as corrected for 2.6 ({@code balance random(2)})
 * run with HAProxy's default thread count, where only the distributions can be compared.
 */
class ArticleConfigTest {
    private static final Pattern PARSING_ALERT =
            Pattern.compile("parsing \\[[^\\]]*:(\\d+)\\] : (.*)");
    static final double ALPHA = 0.01;

    @Test
    void articleRandomDrawLineIsRefusedOnTheSameLineByBothChecks(@TempDir Path dir)
            throws IOException {
        String asWritten = resource("article-ep8-as-written.cfg");
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, asWritten);

        CheckResult haproxy = HaproxyForTests.get().check(asWritten);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int lbkitStatus =
                Main.run(
                        new String[] {"-c", "-f", file.toString()},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        String lbkitOutput =
                out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        System.out.println(
                "[lbkit] haproxy -c on the article's config:\n" + haproxy.output().strip());
        System.out.println("[lbkit] ./lbkit -c on the article's config:\n" + lbkitOutput.strip());

        assertThat(haproxy.valid())
                .as("HAProxy 2.6 refuses the article's 'random draw 2'")
                .isFalse();
        assertThat(lbkitStatus)
                .as("lbkit -c gives the same verdict as haproxy -c (exit 1)")
                .isEqualTo(1);
        assertThat(firstParsingAlert(lbkitOutput))
                .as("lbkit names the same line and the same reason as HAProxy")
                .isEqualTo(firstParsingAlert(haproxy.output()))
                .isEqualTo("20 : unknown keyword 'random' in 'backend' section");
    }

    /**
     * With HAProxy's default thread count the picks depend on which thread takes each connection,
     * so only the per-server split is compared: a two-sample chi-square test at {@value #ALPHA} on
     * {@value #DISTRIBUTION_REQUESTS} requests a side. 3000 was too few: a uniform picker against
     * HAProxy's ring split (about 1041/897/1062) gave p = 0.016 and passed. With 9000 a side the
     * test rejects a uniform picker with at least 80% power ({@code PowerTest}), 96% when it must
     * reject it twice: the comparison is decided by up to two samples ({@link Retest}), a second
     * run only when the first rejects, so that chance fails a right lbkit once in 10,000 builds,
     * not once in 100. The power statement of each run is written to target/lbkit-reports/power/.
     */
    @Test
    void correctedArticleConfigWithDefaultThreadsHasTheSameDistributionAsHaproxy()
            throws Exception {
        Retest.Outcome<Distribution> decided =
                Retest.decide(
                        Retest.Expect.SAME,
                        sample ->
                                defaultThreadDistribution(
                                        UnaryOperator.identity(),
                                        sample == 1 ? "" : ", sample " + sample),
                        distribution -> !distribution.test().sameDistributionAt(ALPHA));
        Distribution run = decided.last();
        String how = decided.describe(d -> d.test().toString());
        System.out.println("[lbkit] episode 05 default nbthread: " + how);
        Power.Statement power =
                Power.ofRetested(
                        "episode 05 random(2), default nbthread: HAProxy vs lbkit split",
                        Power.shares(run.haproxy().distribution()),
                        DISTRIBUTION_REQUESTS,
                        DISTRIBUTION_REQUESTS,
                        ALPHA);
        power.write("episode-05-default-nbthread");
        System.out.println("[lbkit] " + power.describe());

        assertThat(run.haproxy().distribution().keySet())
                .as("every answer came from a server on HAProxy's side")
                .containsExactlyInAnyOrder("server1", "server2", "server3");
        assertThat(run.lbkit().distribution().keySet())
                .as("every answer came from a server on lbkit's side")
                .containsExactlyInAnyOrder("server1", "server2", "server3");
        assertThat(decided.asExpected())
                .as(
                        "two-sample chi-square does not reject 'same distribution' at alpha 0.01: "
                                + how
                                + ", then "
                                + run.test())
                .isTrue();
    }

    /**
     * Requests a side in the default-thread distribution comparison (see the test above for why
     * this many).
     */
    static final int DISTRIBUTION_REQUESTS = 9000;

    /** One default-thread run: both sides' picks and the chi-square test on their splits. */
    record Distribution(Picks haproxy, Picks lbkit, ChiSquare test) {}

    /**
     * The default-thread comparison, with lbkit given {@code mistake} applied to its config
     * (identity for the real test; a negative control passes another algorithm).
     */
    static Distribution defaultThreadDistribution(UnaryOperator<String> mistake, String label)
            throws Exception {
        Traffic traffic =
                Traffic.sequential("new connection each, default nbthread", DISTRIBUTION_REQUESTS);
        Comparison result;
        try (SideBySide sides =
                SideBySide.startNegativeControl(
                        "episode 05 haproxy.cfg",
                        Parity.episodeConfig(),
                        Parity.haproxy(),
                        new SideBySide.Options(false, Map.of()),
                        mistake)) {
            result =
                    sides.run(
                            "episode 05 haproxy.cfg, HAProxy's default nbthread" + label, traffic);
        }
        Picks haproxy = result.haproxy();
        Picks lbkit = result.lbkit();
        ChiSquare test = ChiSquare.twoSample(haproxy.distribution(), lbkit.distribution());
        String verdict =
                test
                        + (test.sameDistributionAt(ALPHA)
                                ? ": same distribution"
                                : ": DIFFERENT distributions")
                        + " at alpha "
                        + ALPHA
                        + " ("
                        + result.matching()
                        + "/"
                        + result.total()
                        + " on the same server request by request: HAProxy has one generator per thread, "
                        + "lbkit one in all; "
                        + Runtime.getRuntime().availableProcessors()
                        + " CPUs here)";
        Report.write(
                "episode-05-default-nbthread-distribution" + Parity.slugOf(label),
                result,
                List.of(verdict));
        System.out.println(
                "[lbkit] episode 05 haproxy.cfg"
                        + label
                        + ", default nbthread, "
                        + DISTRIBUTION_REQUESTS
                        + " requests:\n"
                        + Report.bars(haproxy.distribution(), lbkit.distribution())
                        + "[lbkit] "
                        + verdict);
        return new Distribution(haproxy, lbkit, test);
    }

    /**
     * "LINE : reason" of the first {@code parsing [file:line] : reason} alert; the file name
     * differs per side.
     */
    private static String firstParsingAlert(String output) {
        Matcher m = PARSING_ALERT.matcher(output);
        return m.find()
                ? m.group(1) + " : " + m.group(2).strip()
                : "(no parsing alert in: " + output.strip() + ")";
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ArticleConfigTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
