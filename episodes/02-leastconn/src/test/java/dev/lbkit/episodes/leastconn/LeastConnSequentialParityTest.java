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
        Traffic newConnections = Traffic.sequential("new connection each", 300)
                .withEvent(100, "disable server servers/server2")
                .withEvent(200, "enable server servers/server2");
        Traffic keepAlive = Traffic.sequential("one keep-alive connection", 300).keepAliveConnection()
                .withEvent(50, "disable server servers/server1")
                .withEvent(120, "enable server servers/server1");

        List<Comparison> results = Parity.run("episode 02 haproxy.cfg", Parity.episodeConfig(),
                SideBySide.Options.exactRun(), List.of(newConnections, keepAlive));

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
        ConfigGenerator generator = new ConfigGenerator(SEED + "leastconn".hashCode());
        System.out.printf("[lbkit] leastconn: %d generated configs, seed %d (replay with -Dlbkit.seed=%d)%n",
                CONFIGS, generator.seed(), SEED);
        List<Comparison> all = new ArrayList<>();
        List<String> rotations = new ArrayList<>();
        for (int i = 0; i < CONFIGS; i++) {
            ConfigGenerator.Generated config = generator.next("leastconn #" + i, "balance leastconn");
            String victim = config.serverNames().get(generator.random().nextInt(config.serverNames().size()));
            Traffic traffic = Traffic.sequential("DOWN/UP of " + victim, REQUESTS)
                    .withEvent(REQUESTS / 3, "disable server be/" + victim)
                    .withEvent(2 * REQUESTS / 3, "enable server be/" + victim);
            if (i % 3 == 2) {
                traffic = traffic.keepAliveConnection();
            }
            Comparison result = Parity.run(config.name() + " weights " + config.weights(), config.config(),
                    SideBySide.Options.exactRun(), List.of(traffic)).get(0);
            all.add(result);
            List<String> usable = usableInDeclarationOrder(config);
            rotations.add(String.join(" ", usable));
            assertThat(result.haproxy().answers().subList(0, REQUESTS / 3))
                    .as("before any event, HAProxy rotates through the servers of non-zero weight in declaration "
                            + "order, whatever their weights " + config.weights())
                    .isEqualTo(LeastConnScriptedParityTest.rotation(usable, REQUESTS / 3));
        }
        int matching = all.stream().mapToInt(Comparison::matching).sum();
        int total = all.stream().mapToInt(Comparison::total).sum();
        System.out.printf("[lbkit] leastconn sequential: %d/%d requests on the same server over %d generated configs%n",
                matching, total, CONFIGS);
        all.forEach(Parity::assertIdentical);
        assertThat(total).as("every config was run in full").isEqualTo(CONFIGS * REQUESTS);
    }

    /** The servers a generated config balances over: weight 0 makes a server unusable (it has no backups). */
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
