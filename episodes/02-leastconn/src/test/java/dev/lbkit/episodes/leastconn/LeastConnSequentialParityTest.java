package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.ConfigGenerator;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Episode 02 with sequential traffic (each request ends before the next starts): every server is
 * idle at every pick, so leastconn is a plain rotation in declaration order, weights ignored, and
 * lbkit picks the same server as HAProxy for every request, also across DOWN/UP events.
 */
class LeastConnSequentialParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20261129L);
    private static final int CONFIGS = 10;
    private static final int REQUESTS = 200;

    @Test
    void episodeConfigRotatesInDeclarationOrderOnBothSides() throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        Traffic newConnections =
                Traffic.sequential("new connection each", 300)
                        .withEvent(100, "disable server servers/server2")
                        .withEvent(200, "enable server servers/server2");
        Traffic keepAlive =
                Traffic.sequential("one keep-alive connection", 300)
                        .keepAliveConnection()
                        .withEvent(50, "disable server servers/server1")
                        .withEvent(120, "enable server servers/server1");

        List<Comparison> results =
                Parity.run(
                        "episode 02 haproxy.cfg",
                        Parity.episodeConfig(),
                        SideBySide.Options.exactRun(),
                        List.of(newConnections, keepAlive));

        results.forEach(Parity::assertIdentical);
        assertThat(results.get(0).haproxy().answers().subList(0, 6))
                .as("idle servers all have key 0: a rotation in declaration order")
                .containsExactly("server1", "server2", "server3", "server1", "server2", "server3");
        assertThat(results.get(1).haproxy().answers().subList(0, 6))
                .as("a keep-alive connection holds no slot between its requests: the same rotation")
                .containsExactly("server1", "server2", "server3", "server1", "server2", "server3");
    }

    @Test
    void generatedConfigsIgnoreWeightsAndMatchHaproxyForEveryRequest() throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        List<Comparison> all = new ArrayList<>();
        for (Parity.GeneratedRun run :
                Parity.downUpOnGeneratedConfigs("leastconn", SEED, CONFIGS, REQUESTS, 3)) {
            all.add(run.comparison());
            List<String> usable = usableInDeclarationOrder(run.config());
            assertThat(run.comparison().haproxy().answers().subList(0, REQUESTS / 3))
                    .as(
                            "before any event, HAProxy rotates through the servers of non-zero weight in declaration "
                                    + "order, whatever their weights "
                                    + run.config().weights())
                    .isEqualTo(LeastConnScriptedParityTest.rotation(usable, REQUESTS / 3));
        }
        int matching = all.stream().mapToInt(Comparison::matching).sum();
        int total = all.stream().mapToInt(Comparison::total).sum();
        System.out.printf(
                "[lbkit] leastconn sequential: %d/%d requests on the same server over %d generated configs%n",
                matching, total, CONFIGS);
        all.forEach(Parity::assertIdentical);
        assertThat(matching)
                .as(
                        "most requests were served by a server, the same on both sides (equal 503s"
                                + " or errors are not counted): the configs balanced, not just failed alike")
                .isGreaterThan(CONFIGS * REQUESTS / 2);
    }

    /**
     * The servers a generated config balances over: weight 0 makes a server unusable (it has no
     * backups).
     */
    private static List<String> usableInDeclarationOrder(ConfigGenerator.Generated config) {
        List<String> usable = new ArrayList<>();
        for (int i = 0; i < config.serverNames().size(); i++) {
            if (config.weights().get(i) > 0) {
                usable.add(config.serverNames().get(i));
            }
        }
        return usable;
    }
}
