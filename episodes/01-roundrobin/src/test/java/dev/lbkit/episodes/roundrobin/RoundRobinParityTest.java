package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Episode 01: lbkit's roundrobin and static-rr pick the same server as HAProxy for every request.
 */
class RoundRobinParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20261129L);
    private static final int CONFIGS = Parity.generatedConfigs(20);
    private static final int REQUESTS = 400;

    @Test
    void episodeConfigPicksTheSameServerAsHaproxyForEveryRequest() throws Exception {
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
                        "episode 01 haproxy.cfg",
                        Parity.episodeConfig(),
                        SideBySide.Options.exactRun(),
                        List.of(newConnections, keepAlive));

        results.forEach(Parity::assertIdentical);
        assertThat(results.get(0).haproxy().answers().subList(0, 3))
                .as("equal weights rotate in declaration order")
                .containsExactly("server1", "server2", "server3");
    }

    @ParameterizedTest(name = "balance {0}")
    @ValueSource(strings = {"roundrobin", "static-rr"})
    void generatedConfigsPickTheSameServerAsHaproxyForEveryRequest(String algorithm)
            throws Exception {
        List<Comparison> all =
                Parity.downUpOnGeneratedConfigs(algorithm, SEED, CONFIGS, REQUESTS, 4).stream()
                        .map(Parity.GeneratedRun::comparison)
                        .toList();
        int matching = all.stream().mapToInt(Comparison::matching).sum();
        int total = all.stream().mapToInt(Comparison::total).sum();
        int neither = all.stream().mapToInt(Comparison::neitherServed).sum();
        System.out.printf(
                "[lbkit] %s: %d/%d requests on the same server over %d generated configs"
                        + " (the other %d answered alike by no server: every weight 0 or the only server DOWN)%n",
                algorithm, matching, total, CONFIGS, neither);
        all.forEach(Parity::assertIdentical);
        assertThat(matching)
                .as(
                        "most requests were served by a server, the same on both sides (equal 503s"
                                + " or errors are not counted): the configs balanced, not just failed alike")
                .isGreaterThan(CONFIGS * REQUESTS / 2);
    }
}
