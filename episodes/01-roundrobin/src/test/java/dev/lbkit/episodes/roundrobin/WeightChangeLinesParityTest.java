package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.ConfigGenerator;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Episode 01 on every HAProxy line a learner meets: roundrobin with runtime weight changes picks
 * the same server on lbkit (running as the line of the HAProxy it met) as on a real HAProxy 2.6,
 * 3.0, 3.2 and 3.4, request by request. Since 3.2 a weight change places the server as if it came
 * UP ({@link RoundRobinBalancer}), so the same commands give other sequences there; the negative
 * control shows the comparison notices when lbkit runs the wrong line's rule.
 */
class WeightChangeLinesParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20261717L);
    private static final int CONFIGS = 3;
    private static final int REQUESTS = 150;

    /** Weight changes land before these requests. */
    private static final int[] EVENT_POINTS = {0, 7, 20, 41, 70, 95, 120};

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void generatedWeightChangesPickTheSameServerAsThisLine(HaproxyLine line) throws Exception {
        Haproxy haproxy = HaproxyLines.get(line);
        SideBySide.HaproxyStarter starter = SideBySide.HaproxyStarter.of(haproxy);
        assertThat(starter.line()).as("lbkit runs as the line it met").isEqualTo(line);
        ConfigGenerator generator = new ConfigGenerator(SEED);
        Random random = generator.random();
        List<Comparison> all = new ArrayList<>();
        for (int i = 0; i < CONFIGS; i++) {
            ConfigGenerator.Generated config =
                    generator.next("roundrobin weight changes #" + i, "balance roundrobin");
            Traffic traffic = Traffic.sequential("weight changes", REQUESTS);
            for (int point : EVENT_POINTS) {
                traffic = traffic.withEvent(point, weightCommand(config, random));
            }
            all.add(
                    run(
                            starter,
                            config.name() + " weights " + config.weights(),
                            config.config(),
                            traffic));
        }
        // The measured scenario of docs/versions.md: 2/1/3 and six changes, one of them to 0
        // and back.
        all.add(run(starter, "rr_setweight 2/1/3", twoOneThree(), measuredScenario()));
        int matching = all.stream().mapToInt(Comparison::matching).sum();
        int total = all.stream().mapToInt(Comparison::total).sum();
        System.out.printf(
                "[lbkit] roundrobin with set-weight, HAProxy %s: %d/%d requests on the same server "
                        + "over %d configs (seed %d)%n",
                haproxy.version(), matching, total, all.size(), SEED);
        all.forEach(Parity::assertIdentical);
        assertThat(total)
                .as("every config was run in full")
                .isEqualTo(CONFIGS * REQUESTS + measuredScenario().requests().size());
    }

    @Test
    @Tag("negative-control")
    void lbkitWithThe26RuleDisagreesWithHaproxy32() throws Exception {
        Haproxy haproxy = HaproxyLines.get(HaproxyLine.V3_2);
        Comparison wrong =
                run(
                        SideBySide.HaproxyStarter.of(haproxy).withLbkitAs(HaproxyLine.V2_6),
                        "rr_setweight 2/1/3, lbkit as 2.6",
                        twoOneThree(),
                        measuredScenario());
        System.out.printf(
                "[lbkit] negative control: lbkit as 2.6 against HAProxy %s: %d/%d on the same server, "
                        + "%d mismatches%n",
                haproxy.version(),
                wrong.matching(),
                wrong.total(),
                wrong.total() - wrong.matching());
        assertThat(wrong.total() - wrong.matching())
                .as("the 2.6 rule must be caught on 3.2")
                .isGreaterThan(0);
    }

    private static Comparison run(
            SideBySide.HaproxyStarter starter, String title, String config, Traffic traffic)
            throws Exception {
        try (SideBySide sides =
                SideBySide.start(title, config, starter, SideBySide.Options.exactRun())) {
            Comparison c = sides.run(title, traffic);
            System.out.println("[lbkit] " + c.summary() + "  (" + starter.describe() + ")");
            return c;
        }
    }

    private static String twoOneThree() {
        return dev.lbkit.harness.SingleBackendConfig.of("balance roundrobin", List.of(2, 1, 3))
                .text();
    }

    private static Traffic measuredScenario() {
        return Traffic.sequential("six weight changes", 63)
                .withEvent(4, "set server be/s1 weight 4")
                .withEvent(13, "set server be/s3 weight 1")
                .withEvent(20, "set server be/s2 weight 5")
                .withEvent(33, "set server be/s1 weight 1")
                .withEvent(43, "set server be/s2 weight 0")
                .withEvent(51, "set server be/s2 weight 2");
    }

    /**
     * A weight change of one random server: mostly non-zero to non-zero, the case the lines differ
     * on.
     */
    private static String weightCommand(ConfigGenerator.Generated config, Random random) {
        String server =
                "be/" + config.serverNames().get(random.nextInt(config.serverNames().size()));
        String value =
                switch (random.nextInt(8)) {
                    case 0 -> "0";
                    case 1 -> (25 * (1 + random.nextInt(8))) + "%";
                    case 2 -> String.valueOf(1 + random.nextInt(256));
                    default -> String.valueOf(1 + random.nextInt(8));
                };
        return "set server " + server + " weight " + value;
    }
}
