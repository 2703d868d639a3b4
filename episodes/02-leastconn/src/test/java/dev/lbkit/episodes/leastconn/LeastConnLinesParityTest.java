package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.LineStatistics;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Retest;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.TestBackend;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * leastconn against the real HAProxy 3.2 and 3.4, whose list choices come from a generator seeded
 * per process. Per-server counts cannot tell 3.2 from 2.6 (both stay near even with one request at
 * a time), so the statistic is a sequence one: how many of the n - 1 transitions pick the same
 * server twice in a row (2.6 and 3.0 never do, 3.2 about a quarter of the time with 3 servers),
 * compared between HAProxy and lbkit as the same line by a 2x2 chi-square (1 df) at alpha = 0.01,
 * decided by up to two samples ({@link Retest}: a fresh pair of runs only when the first rejects),
 * n = 1500 sequential requests (new connection each, nbthread 1, three servers of weight 1, no
 * health checks, which would draw from the same generator). Power against 2.6's strict rotation and
 * the test's true size (right model against itself; transitions are a Markov chain, not independent
 * trials) come from 200 seeded Monte Carlo replications of lbkit's models; the minimum detectable
 * effect is Cohen's w at 80% power.
 */
class LeastConnLinesParityTest {
    private static final int N = 1500;
    private static final double ALPHA = 0.01;
    private static final int REPLICATIONS = 200;
    private static final String CONFIG =
            new SingleBackendConfig(
                            "servers", "server", "balance leastconn", List.of(1, 1, 1), List.of())
                    .text();

    private static Comparison run(HaproxyLine haproxyLine, HaproxyLine lbkitLine, String[] version)
            throws Exception {
        Haproxy haproxy = HaproxyLines.get(haproxyLine);
        version[0] = haproxy.version();
        return run(SideBySide.HaproxyStarter.of(haproxy), haproxyLine, lbkitLine, N);
    }

    private static Comparison run(
            SideBySide.HaproxyStarter haproxy,
            HaproxyLine haproxyLine,
            HaproxyLine lbkitLine,
            int n)
            throws Exception {
        try (SideBySide sides =
                SideBySide.start(
                        "leastconn on HAProxy " + haproxyLine.text(),
                        CONFIG,
                        haproxy.withLbkitAs(lbkitLine),
                        SideBySide.Options.exactRun())) {
            Comparison c =
                    sides.run("leastconn sequential", Traffic.sequential("new connection each", n));
            assertThat(c.haproxy().answers()).allMatch(a -> a.startsWith("server"));
            assertThat(c.lbkit().answers()).allMatch(a -> a.startsWith("server"));
            return c;
        }
    }

    static IntFunction<List<String>> model(HaproxyLine line) {
        return seed ->
                TestBackend.of(
                                line,
                                StatisticalPrng.reseededBy(seed * 0x9E3779B9 + 0x2545F491),
                                Algorithm.LEASTCONN,
                                "server1 1",
                                "server2 1",
                                "server3 1")
                        .sequential(N);
    }

    /** One sample: the side-by-side run and its test. */
    private record Sample(Comparison run, LineStatistics.Result result) {}

    private static void sameAsHaproxy(HaproxyLine line) {
        sameAsHaproxy(line, SideBySide.HaproxyStarter.of(HaproxyLines.get(line)));
    }

    /** The statistical comparison against {@code haproxy}, a HAProxy of {@code line}. */
    private static void sameAsHaproxy(HaproxyLine line, SideBySide.HaproxyStarter haproxy) {
        String[] version = {haproxy.describe()};
        Retest.Outcome<Sample> decided =
                Retest.decide(
                        Retest.Expect.SAME,
                        sample -> {
                            Comparison run = run(haproxy, line, line, N);
                            return new Sample(
                                    run,
                                    LineStatistics.repeatsTest(
                                            run.haproxy().answers(), run.lbkit().answers()));
                        },
                        sample -> sample.result().rejectsAt(ALPHA));
        Comparison c = decided.last().run();
        LineStatistics.Result result = decided.last().result();
        String how = decided.describe(sample -> sample.result().toString());
        double power =
                LineStatistics.power(
                        LineStatistics::repeatsTest,
                        model(line),
                        model(HaproxyLine.V3_0),
                        ALPHA,
                        REPLICATIONS,
                        1000);
        double size =
                LineStatistics.power(
                        LineStatistics::repeatsTest,
                        model(line),
                        model(line),
                        ALPHA,
                        REPLICATIONS,
                        5000);
        double mde = LineStatistics.minimumDetectableW(1, ALPHA, N - 1, N - 1);
        System.out.printf(
                "[lbkit] leastconn 1/1/1 sequential on %s, %s: n = %d + %d, counts %s vs %s, %s;"
                        + " alpha %.2f a sample, power vs 2.6's rotation %.2f (%.2f for two samples),"
                        + " true size %.3f, MDE w = %.3f; %s%n",
                line.text(),
                version[0],
                N,
                N,
                c.haproxy().distribution(),
                c.lbkit().distribution(),
                result,
                ALPHA,
                power,
                Retest.power(power),
                size,
                mde,
                how);
        assertThat(Retest.power(power)).isGreaterThanOrEqualTo(0.8);
        assertThat(decided.asExpected())
                .as("HAProxy and lbkit differ: " + how + ", then " + result)
                .isTrue();
    }

    private static void rotationRejected(HaproxyLine line) throws Exception {
        String[] version = new String[1];
        Comparison c = run(line, HaproxyLine.V3_0, version);
        LineStatistics.Result result =
                LineStatistics.repeatsTest(c.haproxy().answers(), c.lbkit().answers());
        System.out.printf(
                "[lbkit] negative control leastconn on %s vs lbkit as 3.0 (2.6 rotation), HAProxy %s: %s%n",
                line.text(), version[0], result);
        assertThat(result.rejectsAt(ALPHA))
                .as("2.6's rotation must be rejected: " + result)
                .isTrue();
    }

    /**
     * The HAProxy the tests found here (the one the per-request tests of this episode meet), by the
     * statistic that suits its line: from 3.2, where ties are drawn and the per-request tests do
     * not apply ({@link LeastConnTies}), the same test as for the per-line images; on 2.6 and 3.0,
     * a strict rotation on both sides, never the same server twice in a row.
     */
    @Test
    void theHaproxyFoundHereRepeatsAServerAsOftenAsLbkit() throws Exception {
        SideBySide.HaproxyStarter found = Parity.haproxy();
        HaproxyLine line = found.line();
        if (LeastConnAlgorithms.drawsAmongTies(line)) {
            sameAsHaproxy(line, found);
            return;
        }
        Comparison c = run(found, line, line, 300);
        LineStatistics.Result result =
                LineStatistics.repeatsTest(c.haproxy().answers(), c.lbkit().answers());
        System.out.printf(
                "[lbkit] leastconn 1/1/1 sequential on %s (%s): ties in a fixed order, %s%n",
                line.text(), found.describe(), result);
        assertThat(LineStatistics.repeats(c.haproxy().answers()))
                .as("%s: the same server never twice in a row", found.describe())
                .isZero();
        assertThat(c.identical())
                .as("lbkit as %s: the same server for every request", line.text())
                .isTrue();
    }

    @Test
    void on32TheSameServerComesTwiceInARowAsOftenAsInLbkit() {
        sameAsHaproxy(HaproxyLine.V3_2);
    }

    @Test
    void on34TheSameServerComesTwiceInARowAsOftenAsInLbkit() {
        sameAsHaproxy(HaproxyLine.V3_4);
    }

    @Test
    @Tag("negative-control")
    void on32TheStrictRotationIsRejected() throws Exception {
        rotationRejected(HaproxyLine.V3_2);
    }

    @Test
    @Tag("negative-control")
    void on34TheStrictRotationIsRejected() throws Exception {
        rotationRejected(HaproxyLine.V3_4);
    }
}
