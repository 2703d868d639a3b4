package dev.lbkit.episodes.weighted;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The other balancers' published orders, and how they compare with HAProxy's for the same weights.
 */
class OtherBalancersTest {
    private static final List<String> NAMES = Orders.names(3);

    @Test
    void nginxSmoothSpreadsTwoOneThreeAndStartsWithTheHeaviest() {
        assertThat(OtherBalancers.nginxSmooth(2, 1, 3).take(12, NAMES))
                .as("nginx smooth WRR, 2/1/3, two cycles")
                .isEqualTo(split("s3 s1 s2 s3 s1 s3 s3 s1 s2 s3 s1 s3"));
    }

    @Test
    void nginxSmoothNeverSendsTwoInARowToTheHeavyServerWhenItCanInterleave() {
        assertThat(OtherBalancers.nginxSmooth(5, 1, 1).take(7, NAMES))
                .as("nginx smooth WRR, 5/1/1")
                .isEqualTo(split("s1 s1 s2 s1 s3 s1 s1"));
    }

    @Test
    void lvsInterleavedServesTheHeaviestFirstInEveryRound() {
        assertThat(OtherBalancers.lvsInterleaved(2, 1, 3).take(12, NAMES))
                .as("LVS interleaved WRR, 2/1/3")
                .isEqualTo(split("s3 s1 s3 s1 s2 s3 s3 s1 s3 s1 s2 s3"));
        assertThat(OtherBalancers.lvsInterleaved(5, 1, 1).take(7, NAMES))
                .as("LVS interleaved WRR, 5/1/1: a burst of 5")
                .isEqualTo(split("s1 s1 s1 s1 s1 s2 s3"));
    }

    @Test
    void lvsInterleavedStepsByTheGcdOfTheWeights() {
        assertThat(OtherBalancers.lvsInterleaved(20, 10, 30).take(6, NAMES))
                .as("20/10/30 behaves like 2/1/3")
                .isEqualTo(OtherBalancers.lvsInterleaved(2, 1, 3).take(6, NAMES));
    }

    @Test
    void zeroWeightsAreNeverPickedAndAllZeroPicksNothing() {
        assertThat(OtherBalancers.nginxSmooth(0, 2, 0).take(4, NAMES)).containsOnly("s2");
        assertThat(OtherBalancers.lvsInterleaved(0, 2, 0).take(4, NAMES)).containsOnly("s2");
        assertThat(OtherBalancers.nginxSmooth(0, 0).next()).as("nothing to pick").isEqualTo(-1);
        assertThat(OtherBalancers.lvsInterleaved(0, 0).next()).as("nothing to pick").isEqualTo(-1);
    }

    @Test
    void haproxyOrdersComeFromLbkitsOwnImplementations() {
        assertThat(Orders.sequence(Orders.Balancer.HAPROXY_ROUNDROBIN, 6, 2, 1, 3))
                .as("spec §5: roundrobin 2/1/3")
                .isEqualTo(split("s3 s1 s3 s2 s3 s1"));
        assertThat(Orders.sequence(Orders.Balancer.HAPROXY_STATIC_RR, 6, 2, 1, 3))
                .as("spec §6: static-rr 2/1/3")
                .isEqualTo(split("s1 s3 s1 s3 s2 s3"));
    }

    @ParameterizedTest
    @EnumSource(Orders.Balancer.class)
    void everyBalancerGivesTheSameSharesOverWholeCycles(Orders.Balancer balancer) {
        for (int[] weights : new int[][] {{2, 1, 3}, {5, 3, 2}, {10, 1, 1}, {7, 13, 1, 2}}) {
            int cycle = Arrays.stream(weights).sum();
            List<String> picks = Orders.sequence(balancer, 4 * cycle, weights);
            Map<String, Integer> expected = new TreeMap<>();
            for (int i = 0; i < weights.length; i++) {
                expected.put("s" + (i + 1), 4 * weights[i]);
            }
            assertThat(count(picks))
                    .as(balancer.label() + " shares for " + Arrays.toString(weights))
                    .isEqualTo(expected);
        }
    }

    @Test
    void ordersDifferInBurstsForTheSameWeights() {
        assertThat(
                        Orders.longestBurst(
                                Orders.sequence(Orders.Balancer.LVS_INTERLEAVED, 12, 10, 1, 1)))
                .as("LVS sends the first 10 of 12 to s1 in a row")
                .isEqualTo(10);
        assertThat(Orders.longestBurst(Orders.sequence(Orders.Balancer.NGINX_SMOOTH, 12, 10, 1, 1)))
                .as("nginx interleaves s2 and s3 into s1's run")
                .isLessThan(10);
    }

    @Test
    void aRestartEveryTwoRequestsStarvesTheLightServer() {
        for (Orders.Balancer balancer : Orders.Balancer.values()) {
            assertThat(Orders.withRestartEvery(balancer, 2, 60, 2, 1, 3).get("s2"))
                    .as(balancer.label() + " restarted every 2 requests never reaches s2")
                    .isZero();
        }
    }

    @Test
    void theLessonsTableOfFourOrders() {
        String[][] table = {
            // balancer, 2/1/3 first 12, 5/1/1 first 14
            {
                "HAPROXY_ROUNDROBIN",
                "s3 s1 s3 s2 s3 s1 s3 s1 s3 s2 s3 s1",
                "s1 s1 s1 s2 s1 s1 s3 s1 s1 s1 s2 s1 s1 s3"
            },
            {
                "HAPROXY_STATIC_RR",
                "s1 s3 s1 s3 s2 s3 s1 s3 s1 s3 s2 s3",
                "s1 s1 s1 s2 s1 s1 s3 s1 s1 s1 s2 s1 s1 s3"
            },
            {
                "NGINX_SMOOTH",
                "s3 s1 s2 s3 s1 s3 s3 s1 s2 s3 s1 s3",
                "s1 s1 s2 s1 s3 s1 s1 s1 s1 s2 s1 s3 s1 s1"
            },
            {
                "LVS_INTERLEAVED",
                "s3 s1 s3 s1 s2 s3 s3 s1 s3 s1 s2 s3",
                "s1 s1 s1 s1 s1 s2 s3 s1 s1 s1 s1 s1 s2 s3"
            },
        };
        int[] longestRun = {3, 3, 4, 5};
        for (int i = 0; i < table.length; i++) {
            Orders.Balancer balancer = Orders.Balancer.valueOf(table[i][0]);
            assertThat(Orders.sequence(balancer, 12, 2, 1, 3))
                    .as(balancer.label() + " 2/1/3")
                    .isEqualTo(split(table[i][1]));
            assertThat(Orders.sequence(balancer, 14, 5, 1, 1))
                    .as(balancer.label() + " 5/1/1")
                    .isEqualTo(split(table[i][2]));
            assertThat(Orders.longestBurst(Orders.sequence(balancer, 700, 5, 1, 1)))
                    .as(balancer.label() + " 5/1/1: longest run of one server over 100 cycles")
                    .isEqualTo(longestRun[i]);
            assertThat(count(Orders.sequence(balancer, 600, 2, 1, 3)))
                    .as(balancer.label() + " 600 requests, 2/1/3")
                    .isEqualTo(Map.of("s1", 200, "s2", 100, "s3", 300));
        }
    }

    @Test
    void roundrobinGivesEveryBlockOfSixTheExactShares() {
        List<String> picks = Orders.sequence(Orders.Balancer.HAPROXY_ROUNDROBIN, 600, 2, 1, 3);
        for (int block = 0; block < 100; block++) {
            assertThat(count(picks.subList(6 * block, 6 * block + 6)))
                    .as("block " + block)
                    .isEqualTo(Map.of("s1", 2, "s2", 1, "s3", 3));
        }
    }

    @Test
    void aRestartEveryHundredRequestsMovesEachShareByLessThanOneRequestPerRestart() {
        // 60 restarts in 6000 requests, weights 2/1/3 (exact shares 2000/1000/3000).
        Map<String, Integer> exact = Map.of("s1", 2000, "s2", 1000, "s3", 3000);
        for (Orders.Balancer balancer : Orders.Balancer.values()) {
            Map<String, Integer> counts = Orders.withRestartEvery(balancer, 100, 6000, 2, 1, 3);
            for (String server : exact.keySet()) {
                assertThat(Math.abs(counts.get(server) - exact.get(server)))
                        .as(
                                balancer.label()
                                        + " "
                                        + server
                                        + " with a restart every 100: "
                                        + counts)
                        .isLessThan(60);
            }
        }
    }

    private static Map<String, Integer> count(List<String> picks) {
        Map<String, Integer> counts = new TreeMap<>();
        picks.forEach(p -> counts.merge(p, 1, Integer::sum));
        return counts;
    }

    private static List<String> split(String picks) {
        return List.of(picks.split(" "));
    }
}
