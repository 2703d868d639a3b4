package dev.lbkit.episodes.leastconn;

import static dev.lbkit.episodes.leastconn.LeastConnScriptedParityTest.GAP_MS;
import static dev.lbkit.episodes.leastconn.LeastConnScriptedParityTest.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.TimedParity;
import dev.lbkit.harness.TimedTraffic;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code balance first} under concurrency, side by side: each request goes to the first server, in
 * id order, that has a free slot under its {@code maxconn}; the last server has no {@code maxconn},
 * so it takes whatever overflows and no request ever waits in a queue. Starts and ends follow a
 * fixed timetable (as in {@link LeastConnScriptedParityTest}), so which slots are taken when each
 * request arrives is the same on both sides.
 */
class FirstParityTest {
    private static final int REQUESTS = 24;

    @Test
    void eachRequestTakesTheFirstServerWithAFreeSlot() throws Exception {
        TimedParity result =
                run(
                        "first, maxconn 2/1/3/none",
                        config(""),
                        traffic(Long.getLong("lbkit.seed", 20261130L)),
                        null);
        result.assertIdentical();
        assertThat(result.comparison().haproxy().distribution())
                .as("the load spilled past the first server")
                .containsKeys("s1", "s2", "s3");
    }

    @Test
    void idsDecideTheOrderNotTheLines() throws Exception {
        TimedParity result =
                run(
                        "first, ids 4/2/3/1 on lines s1..s4",
                        config("ids"),
                        traffic(Long.getLong("lbkit.seed", 20261201L)),
                        null);
        result.assertIdentical();
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLeastconnPosingAsFirst() throws Exception {
        TimedParity result =
                run(
                        "NEGATIVE CONTROL first, lbkit given leastconn",
                        config(""),
                        traffic(Long.getLong("lbkit.seed", 20261130L)),
                        NegativeControl.replace("balance first", "balance leastconn"));
        NegativeControl.record(
                "episode-02-first-vs-leastconn",
                "timed per-request comparison of balance first",
                "balance leastconn where HAProxy runs first",
                result.comparison().identical()
                        ? "NOT REJECTED"
                        : "rejected at request #"
                                + result.comparison().firstDifference()
                                + ", "
                                + result.comparison().summary());
        assertThat(result.comparison().identical())
                .as("the comparison rejects leastconn posing as first")
                .isFalse();
    }

    private static TimedParity run(
            String title, String config, TimedTraffic traffic, UnaryOperator<String> mistake)
            throws Exception {
        if (mistake == null) {
            return TimedParity.run(
                    title, config, SideBySide.Options.exactRun(), traffic, GAP_MS / 5);
        }
        return TimedParity.runNegativeControl(
                title, config, SideBySide.Options.exactRun(), traffic, GAP_MS / 5, mistake);
    }

    /**
     * s1 maxconn 2, s2 maxconn 1, s3 maxconn 3, s4 without a limit; with "ids", the ids run 4, 2,
     * 3, 1 down the lines, so s4 comes first and s1 last.
     */
    static String config(String variant) {
        List<String> extras =
                variant.equals("ids")
                        ? List.of(
                                "maxconn 2 id 4",
                                "maxconn 1 id 2",
                                "maxconn 3 id 3",
                                "id 1 maxconn 2")
                        : List.of("maxconn 2", "maxconn 1", "maxconn 3", "");
        return new SingleBackendConfig("be", "s", "balance first", List.of(1, 1, 1, 1), extras)
                .text();
    }

    /**
     * One request per gap, a third of them fast and the others held for a seeded whole number of
     * gaps plus one to three quarters; no two slow requests end together.
     */
    static TimedTraffic traffic(long seed) {
        Random random = new Random(seed);
        List<Long> delays = new ArrayList<>();
        Set<Long> plannedEnds = new HashSet<>();
        for (int i = 0; i < REQUESTS; i++) {
            long delay;
            do {
                delay =
                        random.nextInt(3) == 0
                                ? 0
                                : at(1 + random.nextInt(6), 1 + random.nextInt(3));
            } while (delay > 0 && !plannedEnds.add(i * GAP_MS + delay));
            delays.add(delay);
        }
        return TimedTraffic.every(
                REQUESTS + " requests, delays 0-" + at(6, 3) + " ms (seed " + seed + ")",
                REQUESTS,
                GAP_MS,
                i -> "/?delay_ms=" + delays.get(i));
    }
}
