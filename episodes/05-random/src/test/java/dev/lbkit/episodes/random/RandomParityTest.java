package dev.lbkit.episodes.random;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Episode 05: with {@code nbthread 1} and one request at a time, lbkit's {@code balance random(N)}
 * picks the same server as HAProxy for every request, because both start the same xorshift32
 * generator from HAProxy's thread-0 seed and look its outputs up on the same consistent ring.
 */
class RandomParityTest {
    private static final int REQUESTS = 3000;
    private static final List<List<Integer>> WEIGHT_SETS =
            List.of(
                    List.of(1, 1, 1),
                    List.of(2, 1, 3),
                    List.of(5, 3, 2),
                    List.of(10, 1, 1),
                    List.of(1, 2, 3, 4, 5));

    @Test
    void episodeConfigPicksTheSameServerAsHaproxyForEveryRequest() throws Exception {
        RandomDraws.exactComparisonAppliesHere();
        // A server leaving and coming back takes only its own ring points away and back.
        Traffic traffic =
                Traffic.sequential("new connection each, server2 DOWN #1000..#1999", REQUESTS)
                        .withEvent(1000, "disable server servers/server2")
                        .withEvent(2000, "enable server servers/server2");

        Comparison result =
                Parity.run(
                                "episode 05 haproxy.cfg, nbthread 1",
                                Parity.episodeConfig(),
                                SideBySide.Options.exactRun(),
                                List.of(traffic))
                        .get(0);

        Parity.assertIdentical(result);
        assertThat(result.matching())
                .as(
                        "every request was served by the same server on both sides (equal 503s or"
                                + " errors are not counted)")
                .isEqualTo(REQUESTS);
        assertThat(result.haproxy().answers().subList(1000, 2000))
                .as("a disabled server gets no request")
                .doesNotContain("server2");
    }

    @Test
    void everyDrawCountAndWeightSetPicksTheSameServerAsHaproxyForEveryRequest() throws Exception {
        RandomDraws.exactComparisonAppliesHere();
        List<Comparison> all = new ArrayList<>();
        for (int draws = 1; draws <= 3; draws++) {
            for (int set = 0; set < WEIGHT_SETS.size(); set++) {
                List<Integer> weights = WEIGHT_SETS.get(set);
                // HAProxy balances each request, also on keep-alive: one keep-alive connection is
                // the
                // fast path; weights 2/1/3 also take a new connection per request, for every N.
                Traffic traffic =
                        set == 1
                                ? Traffic.sequential("new connection each", REQUESTS)
                                : Traffic.sequential("requests", REQUESTS).keepAliveConnection();
                all.addAll(
                        Parity.run(
                                "random(" + draws + ") weights " + slashed(weights),
                                RandomConfigs.backend("balance random(" + draws + ")", weights),
                                SideBySide.Options.exactRun(),
                                List.of(traffic)));
            }
        }
        int matching = all.stream().mapToInt(Comparison::matching).sum();
        int total = all.stream().mapToInt(Comparison::total).sum();
        System.out.printf(
                "[lbkit] random(1..3) x %d weight sets: %d/%d requests on the same server%n",
                WEIGHT_SETS.size(), matching, total);
        all.forEach(Parity::assertIdentical);
        assertThat(matching)
                .as("every request of every config was served by the same server on both sides")
                .isEqualTo(3 * WEIGHT_SETS.size() * REQUESTS);
    }

    static String slashed(List<Integer> weights) {
        return weights.stream().map(String::valueOf).collect(Collectors.joining("/"));
    }
}
