package dev.lbkit.episodes.random;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.ChiSquare;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lesson's scenario on both sides: one server 300 ms slow, 8 concurrent clients. Pure random
 * keeps sending it its share; two choices keep requests off it while it is busy.
 */
class SlowServerTest {

    @Test
    void twoChoicesKeepRequestsOffTheSlowServerOnBothSides() throws Exception {
        SideBySide.HaproxyStarter haproxy = Parity.haproxy();
        SlowServerScenario.Result pure = SlowServerScenario.run(1, haproxy);
        SlowServerScenario.Result twoChoices = SlowServerScenario.run(2, haproxy);
        String p1 =
                "random(1) HAProxy vs lbkit: "
                        + ChiSquare.twoSample(pure.haproxy().counts(), pure.lbkit().counts());
        String p2 =
                "random(2) HAProxy vs lbkit: "
                        + ChiSquare.twoSample(
                                twoChoices.haproxy().counts(), twoChoices.lbkit().counts());
        String report = pure.describe() + p1 + "\n\n" + twoChoices.describe() + p2 + "\n";
        Path dir = Path.of("target", "lbkit-reports");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("episode-05-slow-server.txt"), report);
        System.out.println("[lbkit] slow server scenario:\n" + report);

        for (ConcurrentClients.Outcome side :
                List.of(pure.haproxy(), pure.lbkit(), twoChoices.haproxy(), twoChoices.lbkit())) {
            assertThat(
                            side.counts().getOrDefault("server1", 0)
                                    + side.counts().getOrDefault("server2", 0)
                                    + side.counts().getOrDefault("server3", 0))
                    .as(
                            "every request was served by a server (statuses and errors are not counted)")
                    .isEqualTo(SlowServerScenario.REQUESTS);
            assertThat(side.counts().keySet())
                    .as("every answer came from a server")
                    .containsExactlyInAnyOrder("server1", "server2", "server3");
        }
        // random(1) never looks at load: the same generator gives the same draws whatever the
        // timing.
        if (RandomDraws.repeatable()) {
            assertThat(pure.lbkit().counts())
                    .as("random(1) per-server counts do not depend on timing")
                    .isEqualTo(pure.haproxy().counts());
        } else {
            // From 3.0 HAProxy seeds its generator per process: the same split, not the same draws.
            assertThat(
                            ChiSquare.twoSample(pure.haproxy().counts(), pure.lbkit().counts())
                                    .sameDistributionAt(0.01))
                    .as("random(1) split, HAProxy vs lbkit, chi-square at alpha 0.01: %s", p1)
                    .isTrue();
        }
        assertKeptOff("HAProxy", pure.haproxy(), twoChoices.haproxy());
        assertKeptOff("lbkit", pure.lbkit(), twoChoices.lbkit());
    }

    /** One-sided z at alpha 0.01: random(2)'s slow-server share is below random(1)'s. */
    static final double Z_ALPHA_01 = 2.326;

    /**
     * random(2) sends the slow server fewer requests than random(1), by a one-sided two-proportion
     * z-test at alpha 0.01 over the two runs of one side. A random(2) that ignored load would give
     * the slow server random(1)'s share, and pass this test one time in a hundred. "Less than half
     * of random(1)'s share", the check before, held on 2.6 but is not what two choices promise: a
     * run against HAProxy 3.4.7 (2026-12-04) gave 30.0 % and 18.1 % (z = 3.75), and from 3.0 the
     * random(1) share itself moves from run to run (40.3 % in a 3.2 run).
     */
    static void assertKeptOff(
            String side, ConcurrentClients.Outcome pure, ConcurrentClients.Outcome twoChoices) {
        double z = keptOffZ(pure.counts(), twoChoices.counts());
        assertThat(z)
                .as(
                        "%s: random(2) sends the slow server less than random(1) does (%.1f %% against"
                                + " %.1f %%; one-sided two-proportion z %.2f, alpha 0.01 needs %.3f)",
                        side,
                        100 * twoChoices.share("server1"),
                        100 * pure.share("server1"),
                        z,
                        Z_ALPHA_01)
                .isGreaterThan(Z_ALPHA_01);
    }

    /** z of server1's share under random(1) minus under random(2), from the pooled share. */
    static double keptOffZ(
            java.util.Map<String, Integer> pure, java.util.Map<String, Integer> twoChoices) {
        double n1 = pure.values().stream().mapToInt(Integer::intValue).sum();
        double n2 = twoChoices.values().stream().mapToInt(Integer::intValue).sum();
        double k1 = pure.getOrDefault("server1", 0);
        double k2 = twoChoices.getOrDefault("server1", 0);
        double pooled = (k1 + k2) / (n1 + n2);
        double se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
        return se == 0 ? 0 : (k1 / n1 - k2 / n2) / se;
    }
}
