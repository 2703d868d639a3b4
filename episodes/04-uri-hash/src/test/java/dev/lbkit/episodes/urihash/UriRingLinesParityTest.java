package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Episode 04 on every HAProxy line a learner meets: {@code balance uri} with {@code hash-type
 * consistent} sends every URI to the same server on lbkit (running as the line it met) as on a real
 * HAProxy 2.6, 3.0, 3.2 and 3.4, on one keep-alive connection, with a server going DOWN. The ring
 * comes from episode 03, whose 3.0 layout differs; the negative control shows the comparison
 * notices.
 */
class UriRingLinesParityTest {
    private static final int URIS = 400;
    private static final List<String> ORIGIN_FORM = UriCorpus.originForm(URIS, 20261704L);

    /** Weights 3/1/2/5 with one explicit id: the ring layout depends on the line's id rule. */
    private static String config() {
        return new SingleBackendConfig(
                        "be",
                        "s",
                        "balance uri\n    hash-type consistent",
                        List.of(3, 1, 2, 5),
                        List.of("", "id 7", "", ""))
                .text();
    }

    private static Traffic traffic() {
        return Traffic.of(
                        URIS + " distinct URIs, s4 DOWN after 300",
                        URIS,
                        i -> Traffic.Request.get(ORIGIN_FORM.get(i)))
                .withEvent(300, "disable server be/s4")
                .keepAliveConnection();
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void consistentUriSendsEveryUriWhereThisLineDoes(HaproxyLine line) throws Exception {
        Haproxy haproxy = HaproxyLines.get(line);
        Comparison c =
                run(
                        SideBySide.HaproxyStarter.of(haproxy),
                        "uri consistent 3/1/2/5, HAProxy " + line.text());
        System.out.printf(
                "[lbkit] consistent uri, HAProxy %s: %d/%d requests on the same server%n",
                haproxy.version(), c.matching(), c.total());
        Parity.assertIdentical(c);
        assertThat(c.total()).isEqualTo(URIS);
    }

    @Test
    @Tag("negative-control")
    void lbkitWithThe26RingDisagreesWithHaproxy30() throws Exception {
        Haproxy haproxy = HaproxyLines.get(HaproxyLine.V3_0);
        SideBySide.HaproxyStarter as26 =
                SideBySide.HaproxyStarter.of(haproxy).withLbkitAs(HaproxyLine.V2_6);
        Comparison wrong = run(as26, "uri consistent, lbkit as 2.6 against 3.0");
        System.out.printf(
                "[lbkit] negative control: lbkit as 2.6 against HAProxy %s: %d/%d on the same server, "
                        + "%d mismatches%n",
                haproxy.version(),
                wrong.matching(),
                wrong.total(),
                wrong.total() - wrong.matching());
        assertThat(wrong.total() - wrong.matching())
                .as("2.6's ring keys must be caught on 3.0")
                .isGreaterThan(0);
    }

    private static Comparison run(SideBySide.HaproxyStarter starter, String title)
            throws Exception {
        try (SideBySide sides =
                SideBySide.start(title, config(), starter, SideBySide.Options.exactRun())) {
            Comparison c = sides.run(title, traffic());
            System.out.println("[lbkit] " + c.summary() + "  (" + starter.describe() + ")");
            return c;
        }
    }
}
