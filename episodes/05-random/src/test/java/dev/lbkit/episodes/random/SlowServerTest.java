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
        assertThat(twoChoices.haproxy().share("server1"))
                .as(
                        "HAProxy random(2) sends the slow server less than half of what random(1) sends it")
                .isLessThan(pure.haproxy().share("server1") / 2);
        assertThat(twoChoices.lbkit().share("server1"))
                .as(
                        "lbkit random(2) sends the slow server less than half of what random(1) sends it")
                .isLessThan(pure.lbkit().share("server1") / 2);
    }
}
