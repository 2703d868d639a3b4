package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Parity;
import dev.lbkit.harness.ShowStat;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.TimedParity;
import dev.lbkit.harness.TimedTraffic;
import dev.lbkit.harness.TimedTraffic.TimedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Episode 02 under concurrency: overlapping requests on a fixed timetable against slow and fast
 * servers, so leastconn's in-flight counts decide, and still the same server on both sides for
 * every request. Requests start a gap apart (150 ms by default) and every delay is a whole number
 * of gaps plus one, two or three quarters, each slow server its own quarter: no two events are
 * close enough for scheduling jitter to swap them.
 */
class LeastConnScriptedParityTest {
    /**
     * The gap between two starts; raise it with -Dlbkit.gap.ms on a machine too busy to keep 150 ms
     * apart.
     */
    static final long GAP_MS = Long.getLong("lbkit.gap.ms", 150);

    /**
     * A delay of {@code gaps} gaps plus half a gap: the request ends halfway between two starts.
     */
    static long between(int gaps) {
        return at(gaps, 2);
    }

    /**
     * A delay of {@code gaps} gaps plus {@code quarters} quarters of a gap (1 to 3). Servers that
     * end at different quarters never end together, so the order of their releases is fixed too.
     */
    static long at(int gaps, int quarters) {
        return gaps * GAP_MS + quarters * GAP_MS / 4;
    }

    static Duration lasting(int gaps, int quarters) {
        return Duration.ofMillis(at(gaps, quarters));
    }

    @Test
    void articleSlowApp1AndApp3SendTheTrafficToApp2OnBothSides() throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        SideBySide.Options slowOnesAsInTheArticle =
                SideBySide.Options.exactRun()
                        .withDelay(0, lasting(6, 1))
                        .withDelay(2, lasting(6, 3));
        TimedTraffic traffic =
                TimedTraffic.every(
                        "article: app1 and app3 slow ("
                                + at(6, 1)
                                + " and "
                                + at(6, 3)
                                + " ms), app2 fast; one request every "
                                + GAP_MS
                                + " ms",
                        18,
                        GAP_MS,
                        i -> "/");

        TimedParity result =
                runOnBoth(
                        "episode 02 haproxy.cfg",
                        Parity.episodeConfig(),
                        slowOnesAsInTheArticle,
                        traffic);

        result.assertIdentical();
        assertThat(result.comparison().haproxy().distribution().get("server2"))
                .as("with app1 and app3 slow, leastconn gives most requests to the fast app2")
                .isGreaterThan(18 / 2);
    }

    @Test
    void weights213NineSlowThenSixFastFollowTheSpecSequence() throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        TimedTraffic traffic =
                TimedTraffic.every(
                        "weights 2/1/3: 9 slow requests in flight, then 6 fast ones",
                        15,
                        GAP_MS,
                        i -> i < 9 ? "/?delay_ms=" + between(14) : "/?delay_ms=0");

        TimedParity result =
                runOnBoth(
                        "leastconn 2/1/3, 9 slow + 6 fast",
                        config(2, 1, 3),
                        SideBySide.Options.exactRun(),
                        traffic);

        result.assertIdentical();
        assertThat(result.comparison().haproxy().answers())
                .as("HAProxy follows the sequence measured on HAProxy 2.6.12")
                .containsExactly(
                        "s1", "s2", "s3", "s3", "s1", "s3", "s3", "s1", "s3", "s2", "s1", "s3",
                        "s2", "s1", "s3");
    }

    @Test
    void equalWeightsWithOneSlowAndOneVerySlowServer() throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        SideBySide.Options options =
                SideBySide.Options.exactRun()
                        .withDelay(0, lasting(3, 1))
                        .withDelay(2, lasting(9, 3));
        TimedTraffic traffic =
                TimedTraffic.every(
                        "1/1/1, s1 " + at(3, 1) + " ms, s2 fast, s3 " + at(9, 3) + " ms",
                        18,
                        GAP_MS,
                        i -> "/");

        runOnBoth("leastconn 1/1/1 slow/fast/very slow", config(1, 1, 1), options, traffic)
                .assertIdentical();
    }

    @Test
    void heavySlowServerTakesSeveralRequestsBeforeTheLightOnes() throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        SideBySide.Options options =
                SideBySide.Options.exactRun()
                        .withDelay(0, lasting(5, 1))
                        .withDelay(2, lasting(1, 3));
        TimedTraffic traffic =
                TimedTraffic.every(
                        "3/1/1, heavy s1 " + at(5, 1) + " ms, s2 fast, s3 " + at(1, 3) + " ms",
                        18,
                        GAP_MS,
                        i -> "/");

        TimedParity result =
                runOnBoth("leastconn 3/1/1 heavy slow server", config(3, 1, 1), options, traffic);

        result.assertIdentical();
        assertThat(result.comparison().haproxy().answers())
                .as("the scenario really depends on load: it is not the idle rotation s1 s2 s3 ...")
                .isNotEqualTo(rotation(List.of("s1", "s2", "s3"), 18));
    }

    @Test
    void fourServersWithSeededPerRequestDelays() throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        long seed = Long.getLong("lbkit.seed", 20261129L);
        Random random = new Random(seed);
        List<Long> delays = new ArrayList<>();
        java.util.Set<Long> plannedEnds = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            long delay;
            do {
                delay = random.nextInt(3) == 0 ? 0 : at(random.nextInt(8), 1 + random.nextInt(3));
            } while (delay > 0
                    && !plannedEnds.add(
                            i * GAP_MS + delay)); // two slow requests never end together
            delays.add(delay);
        }
        TimedTraffic traffic =
                TimedTraffic.every(
                        "1/2/3/4, per-request delays 0-" + at(7, 3) + " ms (seed " + seed + ")",
                        20,
                        GAP_MS,
                        i -> "/?delay_ms=" + delays.get(i));

        runOnBoth(
                        "leastconn 1/2/3/4 seeded delays",
                        config(1, 2, 3, 4),
                        SideBySide.Options.exactRun(),
                        traffic)
                .assertIdentical();
    }

    @Test
    void weightsZeroAndBackupWithSlowServers() throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        String config =
                config(5, 0, 2)
                        .replace(
                                "    server s3 ",
                                "    server s4 127.0.0.1:9004 weight 1 backup\n    server s3 ");
        SideBySide.Options options =
                SideBySide.Options.exactRun()
                        .withDelay(0, lasting(3, 1))
                        .withDelay(3, lasting(2, 3));
        TimedTraffic traffic =
                TimedTraffic.every(
                        "5/0/backup/2, s1 " + at(3, 1) + " ms, s3 " + at(2, 3) + " ms",
                        16,
                        GAP_MS,
                        i -> "/");

        TimedParity result = runOnBoth("leastconn weight 0 and a backup", config, options, traffic);

        result.assertIdentical();
        assertThat(result.comparison().haproxy().distribution())
                .as("a weight-0 server and a backup get nothing while an active server is usable")
                .doesNotContainKeys("s2", "s4");
    }

    @Test
    void aRequestHoldsItsSlotUntilItsResponseAndAnIdleKeepAliveConnectionHoldsNone()
            throws Exception {
        LeastConnTies.exactComparisonAppliesHere();
        // Connection "ka" sends a slow request first and stays open; others arrive every gap.
        TimedTraffic traffic =
                TimedTraffic.every(
                                "slot per request: keep-alive idle between requests",
                                10,
                                GAP_MS,
                                i -> "/?delay_ms=0")
                        .with(
                                List.of(
                                        new TimedRequest(0, "/?delay_ms=" + between(5), "ka"),
                                        new TimedRequest(between(8), "/?delay_ms=0", "ka")))
                        .withProbe(between(1), "show stat")
                        .withProbe(between(6) + 15, "show stat")
                        .withProbe(between(9) + 15, "show stat");
        // every() puts its first request at 0 too: shift it so the keep-alive request is first
        traffic =
                new TimedTraffic(
                        traffic.name(),
                        traffic.requests().stream()
                                .map(
                                        r ->
                                                r.connection() == null && r.startMs() == 0
                                                        ? new TimedRequest(
                                                                GAP_MS / 3, r.target(), null)
                                                        : r)
                                .toList(),
                        traffic.probes());

        TimedParity result =
                runOnBoth(
                        "leastconn slot lifetime",
                        config(1, 1, 1),
                        SideBySide.Options.exactRun(),
                        traffic);

        result.assertIdentical();
        List<Map<String, Integer>> haproxyInFlight =
                result.haproxy().probeAnswers().stream()
                        .map(csv -> ShowStat.inFlight(csv, "be"))
                        .toList();
        List<Map<String, Integer>> lbkitInFlight =
                result.lbkit().probeAnswers().stream()
                        .map(csv -> ShowStat.inFlight(csv, "be"))
                        .toList();
        System.out.println(
                "[lbkit] in flight at the probes: HAProxy "
                        + haproxyInFlight
                        + ", lbkit "
                        + lbkitInFlight);
        assertThat(lbkitInFlight)
                .as("lbkit counts the same requests in flight as HAProxy at every probe")
                .isEqualTo(haproxyInFlight);
        assertThat(haproxyInFlight.get(0))
                .as("while the slow keep-alive request runs, its server holds one slot")
                .isEqualTo(Map.of("s1", 1, "s2", 0, "s3", 0));
        assertThat(haproxyInFlight.get(1))
                .as("once answered, the open keep-alive connection holds no slot")
                .isEqualTo(Map.of("s1", 0, "s2", 0, "s3", 0));
        assertThat(haproxyInFlight.get(2))
                .as("nothing in flight after the keep-alive connection's second request")
                .isEqualTo(Map.of("s1", 0, "s2", 0, "s3", 0));
    }

    private static TimedParity runOnBoth(
            String title, String config, SideBySide.Options options, TimedTraffic traffic)
            throws Exception {
        return TimedParity.run(title, config, options, traffic, GAP_MS / 5);
    }

    /**
     * A leastconn backend {@code be} with servers s1..sN of these weights (addresses are rewritten
     * by the harness).
     */
    static String config(int... weights) {
        return SingleBackendConfig.of(
                        "balance leastconn", java.util.Arrays.stream(weights).boxed().toList())
                .text();
    }

    static List<String> rotation(List<String> servers, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(servers.get(i % servers.size()));
        }
        return out;
    }
}
