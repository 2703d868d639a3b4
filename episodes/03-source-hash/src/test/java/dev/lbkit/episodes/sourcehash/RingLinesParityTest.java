package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Episode 03 on every HAProxy line a learner meets: {@code balance source} with {@code hash-type
 * consistent} sends every client to the same server on lbkit (running as the line it met) as on a
 * real HAProxy 2.6, 3.0, 3.2 and 3.4, including a server going DOWN; and the {@code hash-key}
 * option (3.0+) places the ring points alike. 3.0 lays its ring out differently ({@link
 * ConsistentRing#baseKey}), which the negative control shows the comparison catches.
 */
class RingLinesParityTest {
    private static final int CLIENTS = 400;
    private static final List<InetAddress> ADDRESSES = Clients.addresses(CLIENTS);
    private static final int PARALLEL = 4;

    /** Weights 2/1/3/1/2, one explicit id: a ring whose layout depends on the line's id rule. */
    private static String sourceConsistent() {
        return new SingleBackendConfig(
                        "be",
                        "s",
                        "balance source\n    hash-type consistent",
                        List.of(2, 1, 3, 1, 2),
                        List.of("", "", "id 30", "", ""))
                .text();
    }

    private static Traffic clientsThenDown() {
        return Clients.rounds(CLIENTS + " clients, s3 DOWN after 250", ADDRESSES, 1)
                .withEvent(250, "disable server be/s3");
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void consistentSourceSendsEveryClientWhereThisLineDoes(HaproxyLine line) throws Exception {
        Haproxy haproxy = HaproxyLines.get(line);
        Comparison c =
                run(
                        SideBySide.HaproxyStarter.of(haproxy),
                        "source consistent 2/1/3/1/2, HAProxy " + line.text(),
                        sourceConsistent(),
                        clientsThenDown());
        System.out.printf(
                "[lbkit] consistent source, HAProxy %s: %d/%d requests on the same server%n",
                haproxy.version(), c.matching(), c.total());
        Parity.assertIdentical(c);
        assertThat(c.total()).isEqualTo(CLIENTS);
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_2", "V3_4"})
    void hashKeyAddrAndAddrPortPlaceThePointsAlike(HaproxyLine line) throws Exception {
        Haproxy haproxy = HaproxyLines.get(line);
        // default-server presets addr-port (s1); s2, s4 and s5 share one address under 'addr', so
        // with equal
        // weights their points are identical and the FIFO order of duplicates decides
        // (docs/versions.md:
        // only the first- or last-declared is ever returned); s3 and s6 keep the line's id rule; on
        // 3.4 s7
        // and s8 use id32 and guid.
        List<String> extras =
                new java.util.ArrayList<>(
                        List.of(
                                "",
                                "hash-key addr",
                                "hash-key id",
                                "hash-key addr",
                                "hash-key addr",
                                "hash-key id id 12"));
        List<Integer> weights = new java.util.ArrayList<>(List.of(2, 1, 3, 1, 1, 2));
        if (line == HaproxyLine.V3_4) {
            extras.add("hash-key id32");
            extras.add("hash-key guid guid srv-s8");
            weights.addAll(List.of(2, 2));
        }
        String config =
                new SingleBackendConfig(
                                "be",
                                "s",
                                "balance source\n    hash-type consistent\n"
                                        + "    default-server hash-key addr-port",
                                weights,
                                extras)
                        .text();
        Comparison c =
                run(
                        SideBySide.HaproxyStarter.of(haproxy),
                        "hash-key variants, HAProxy " + line.text(),
                        config,
                        clientsThenDown());
        System.out.printf(
                "[lbkit] hash-key addr/addr-port/id%s, HAProxy %s: %d/%d requests on the same server%n",
                line == HaproxyLine.V3_4 ? "/id32/guid" : "",
                haproxy.version(),
                c.matching(),
                c.total());
        Parity.assertIdentical(c);
        assertThat(c.haproxy().distribution())
                .as("of three 'addr' servers on 127.0.0.1, the middle one is never picked")
                .doesNotContainKey("s4")
                .containsKeys("s1", "s2", "s5", "s6");
    }

    @Test
    @Tag("negative-control")
    void lbkitWithThe26RingDisagreesWithHaproxy30() throws Exception {
        Haproxy haproxy = HaproxyLines.get(HaproxyLine.V3_0);
        Comparison wrong =
                run(
                        SideBySide.HaproxyStarter.of(haproxy).withLbkitAs(HaproxyLine.V2_6),
                        "source consistent, lbkit as 2.6 against 3.0",
                        sourceConsistent(),
                        clientsThenDown());
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

    static Comparison run(
            SideBySide.HaproxyStarter starter, String title, String config, Traffic traffic)
            throws Exception {
        try (SideBySide sides =
                SideBySide.start(title, config, starter, SideBySide.Options.exactRun())) {
            Comparison c =
                    ParallelClients.compare(
                            sides, title + " — " + traffic.name(), config, traffic, PARALLEL);
            System.out.println("[lbkit] " + c.summary() + "  (" + starter.describe() + ")");
            return c;
        }
    }
}
