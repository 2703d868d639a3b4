package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.ChiSquare;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.PacedParity;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Power;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.Retest;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server's {@code maxqueue}, side by side: servers with {@code maxconn 1} hold slow requests, the
 * next requests wait in queues, and each is sent only once {@code show stat} shows the earlier ones
 * in place ({@link PacedParity}). Compared exactly: the final server or status of each request, the
 * servers' and the backend's queues after each request, the order each server answered its
 * requests, and {@code lbtot}, {@code qmax}, {@code econ} at the end.
 *
 * <p>What HAProxy does (2.6.12 and 3.4.7 alike): a hash sends a request to its server whatever that
 * server's load; when the server is at its {@code maxconn} the request waits in the server's own
 * queue, and when that queue already holds {@code maxqueue} requests the request is answered 503 at
 * once and counted in the server's and the backend's {@code econ}. {@code option redispatch} does
 * not send it elsewhere. Roundrobin never picks a full server: requests wait in the backend's
 * queue, which has no limit, so {@code maxqueue} never applies.
 */
class MaxqueueParityTest {
    /** How long the first request holds its server; longer than sending the others takes. */
    static final long HOLD_MS = Long.getLong("lbkit.hold.ms", 4000);

    /** Time between two planned releases: far more than a busy machine's scheduling jitter. */
    static final long GAP_MS = Long.getLong("lbkit.gap.ms", 1000);

    @ParameterizedTest(name = "option redispatch {0}")
    @ValueSource(booleans = {false, true})
    void aHashedRequestForAServerWithAFullQueueGetsA503(boolean redispatch) throws Exception {
        String config = hashConfig(redispatch);
        PacedParity result =
                PacedParity.run(
                        "url_param, maxconn 1 maxqueue 2"
                                + (redispatch ? ", option redispatch" : ""),
                        config,
                        "be",
                        hashTraffic(config));

        result.assertIdentical();
        assertSameQueueOrder(result);
        assertThat(result.comparison().haproxy().answers())
                .as("HAProxy refused the requests its server's full queue could not take")
                .contains("503");
        assertThat(result.comparison().neitherServed() + result.comparison().matching())
                .as("every request: the same server, or the same refusal")
                .isEqualTo(result.comparison().total());
    }

    @Test
    void roundrobinQueuesAtTheBackendWhereMaxqueueNeverApplies() throws Exception {
        PacedParity result =
                PacedParity.run(
                        "roundrobin, maxconn 1 maxqueue 1",
                        config("balance roundrobin", "maxconn 1 maxqueue 1", false),
                        "be",
                        roundrobinTraffic());

        result.assertIdentical();
        assertSameQueueOrder(result);
        assertThat(result.comparison().matching())
                .as("no refusal: every request was served, by the same server on both sides")
                .isEqualTo(result.comparison().total());
        assertThat(result.haproxy().states().get(result.haproxy().states().size() - 1))
                .as("the backend's queue held the requests the full servers could not take")
                .endsWith("backend queue 5");
    }

    /**
     * leastconn with {@code maxqueue}, on the lines whose leastconn repeats itself (2.6 and 3.0):
     * three held requests fill the servers, five more wait. HAProxy counts a server full only at
     * {@code maxconn + maxqueue}, so the first ones wait in the busy servers' own queues, in tree
     * order (a queued request does not move its server: with {@code maxqueue 2} the first server
     * takes two), and the rest in the backend's queue; each server then serves its own queue and
     * the backend's, oldest first. On 3.2 and later, which servers take a request is drawn at
     * random: {@link #leastconnQueuesDrawnAtRandomFrom32On} compares that.
     */
    @ParameterizedTest(name = "maxqueue {0}")
    @ValueSource(ints = {1, 2})
    void leastconnQueuesAtABusyServerWhileItsQueueHasRoom(int maxqueue) throws Exception {
        PacedParity result =
                PacedParity.run(
                        "leastconn, maxconn 1 maxqueue " + maxqueue,
                        leastconnConfig(maxqueue),
                        "be",
                        roundrobinTraffic());
        List<String> haproxy = result.haproxy().states();
        if (Parity.haproxy().line().compareTo(HaproxyLine.V3_2) >= 0) {
            // Random ties: which servers take the waiting requests is drawn; the shape is not.
            String shape = "S{1," + 3 * maxqueue + "}B*";
            assertThat(waitingAt(haproxy, 3))
                    .as("HAProxy: servers' queues first, then the backend's")
                    .matches(shape);
            assertThat(waitingAt(result.lbkit().states(), 3))
                    .as("lbkit: servers' queues first, then the backend's")
                    .matches(shape);
            assertThat(result.comparison().haproxy().answers())
                    .as("HAProxy: every request served, none refused")
                    .allMatch(Comparison::namesAServer);
            assertThat(result.comparison().lbkit().answers())
                    .as("lbkit: every request served, none refused")
                    .allMatch(Comparison::namesAServer);
            return;
        }
        result.assertIdentical();
        assertSameQueueOrder(result);
        assertThat(haproxy.get(haproxy.size() - 1))
                .as("every server's own queue is full, the rest waits in the backend's")
                .isEqualTo(
                        maxqueue == 1
                                ? "s1 1 +1 queued, s2 1 +1 queued, s3 1 +1 queued, backend queue 2"
                                : "s1 1 +2 queued, s2 1 +2 queued, s3 1 +1 queued, backend queue 0");
    }

    /**
     * leastconn with {@code maxconn 1 maxqueue 1} on three servers, {@link #roundsFor} rounds (10
     * on 2.6 and 3.0, 30 from 3.2) on one HAProxy process and one lbkit: each round holds one
     * request per server, then sends five more, each once {@code show stat} shows the earlier ones
     * in place. Per round, the five are written as S (waits in a server's own queue) or B (the
     * backend's). On 2.6 and 3.0 every round is {@code SSSBB} on both sides, compared exactly. From
     * 3.2 on, servers of equal load sit in four lists drawn at random, and a server whose queue is
     * full, at the head of its list, hides the servers behind it: a round has one to three S, then
     * only B. Compared there: every round's shape on both sides (one to three S, then only B), and
     * the number of S per round, HAProxy against lbkit, by a two-sample chi-square at alpha {@value
     * #ALPHA}, decided by up to two samples ({@link Retest}: 30 more rounds on a new pair only when
     * the first rejects), with its power against 2.6's rule (always three S) computed from
     * HAProxy's own split, squared for the two samples. That power is against 2.6's rule only: 30
     * rounds cannot see a subtly different draw.
     */
    @Test
    void leastconnQueuesDrawnAtRandomFrom32On() throws Exception {
        SideBySide.HaproxyStarter haproxy = Parity.haproxy();
        int count = roundsFor(haproxy.line());
        Rounds rounds =
                leastconnRounds(haproxy, "leastconn maxqueue 1, " + count + " rounds", count);
        boolean random = haproxy.line().compareTo(HaproxyLine.V3_2) >= 0;
        System.out.println(
                "[lbkit] leastconn maxconn 1 maxqueue 1, servers' queues taken per round (S count"
                        + " 1/2/3): HAProxy "
                        + rounds.haproxy()
                        + " "
                        + Arrays.toString(rounds.haproxyCounts())
                        + " | lbkit "
                        + rounds.lbkit()
                        + " "
                        + Arrays.toString(rounds.lbkitCounts())
                        + (random
                                ? "; " + rounds.test() + ", power vs 2.6's rule " + rounds.power()
                                : ""));
        assertThat(rounds.haproxy())
                .as("HAProxy: S first, then B, in every round")
                .allMatch(r -> r.matches("S{1,3}B*"));
        assertThat(rounds.lbkit())
                .as("lbkit: S first, then B, in every round")
                .allMatch(r -> r.matches("S{1,3}B*"));
        if (!random) {
            assertThat(rounds.lbkit())
                    .as("2.6 and 3.0: every round the same, on both sides")
                    .isEqualTo(rounds.haproxy())
                    .allMatch(r -> r.equals("SSSBB"));
            return;
        }
        assertThat(Retest.power(rounds.power()))
                .as("the test would see 2.6's rule (always three S) against this HAProxy, twice")
                .isGreaterThanOrEqualTo(Power.TARGET);
        Retest.Outcome<Rounds> decided =
                Retest.decide(
                        Retest.Expect.SAME,
                        sample ->
                                sample == 1
                                        ? rounds
                                        : leastconnRounds(
                                                haproxy,
                                                "leastconn maxqueue 1, "
                                                        + count
                                                        + " rounds, sample "
                                                        + sample,
                                                count),
                        sample -> !sample.test().sameDistributionAt(ALPHA));
        String how = decided.describe(sample -> sample.test().toString());
        System.out.println("[lbkit] leastconn maxqueue 1 rounds: " + how);
        assertThat(decided.asExpected())
                .as(
                        "HAProxy's and lbkit's numbers of S per round: "
                                + how
                                + ", then "
                                + decided.last().test())
                .isTrue();
    }

    /**
     * The round comparison above rejects lbkit balancing as the other family of lines: as 3.0 (a
     * strict tree, always three S) against a 3.2+ HAProxy, as 3.4 against 2.6 or 3.0.
     */
    @Test
    @Tag(NegativeControl.TAG)
    void theRoundComparisonRejectsLbkitAsTheOtherLeastconn() throws Exception {
        SideBySide.HaproxyStarter real = Parity.haproxy();
        boolean random = real.line().compareTo(HaproxyLine.V3_2) >= 0;
        HaproxyLine wrong = random ? HaproxyLine.V3_0 : HaproxyLine.V3_4;
        Rounds rounds =
                leastconnRounds(
                        real.withLbkitAs(wrong),
                        "NEGATIVE CONTROL leastconn maxqueue 1, lbkit as " + wrong.text(),
                        roundsFor(real.line()));
        boolean rejected =
                random
                        ? !rounds.test().sameDistributionAt(ALPHA)
                        : !rounds.lbkit().equals(rounds.haproxy());
        NegativeControl.record(
                "leastconn-maxqueue-line",
                "rounds of leastconn with maxqueue: which queue each waiting request takes",
                "leastconn as HAProxy " + wrong.text() + " against " + real.line().text(),
                (rejected ? "rejected: " : "NOT REJECTED: ")
                        + "S per round HAProxy "
                        + Arrays.toString(rounds.haproxyCounts())
                        + ", lbkit "
                        + Arrays.toString(rounds.lbkitCounts())
                        + (random ? ", " + rounds.test() : ""));
        assertThat(rejected).as("the comparison sees the other line's leastconn").isTrue();
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitLeastconnWithoutMaxqueue() throws Exception {
        PacedParity result =
                PacedParity.runNegativeControl(
                        "NEGATIVE CONTROL leastconn maxqueue 1, lbkit without maxqueue",
                        leastconnConfig(1),
                        "be",
                        roundrobinTraffic(),
                        NegativeControl.replace(" maxqueue 1", ""));
        // From 3.2 on only the shape is compared (random ties): the old lbkit queues all at the
        // backend's.
        boolean random = Parity.haproxy().line().compareTo(HaproxyLine.V3_2) >= 0;
        String lbkitShape = waitingAt(result.lbkit().states(), 3);
        boolean rejected = random ? !lbkitShape.matches("S{1,3}B*") : !result.identical();
        NegativeControl.record(
                "leastconn-maxqueue-ignored",
                "paced per-request comparison of leastconn's queues (maxqueue)",
                "leastconn passing a server over at its maxconn (no maxqueue), the old lbkit",
                !rejected
                        ? "NOT REJECTED"
                        : random
                                ? "rejected: lbkit's waiting requests took "
                                        + lbkitShape
                                        + " (S a server's queue, B the backend's), HAProxy's "
                                        + waitingAt(result.haproxy().states(), 3)
                                : "rejected at request #"
                                        + result.comparison().firstDifference()
                                        + ", states "
                                        + (result.sameStates() ? "identical" : "differ")
                                        + ", "
                                        + result.comparison().summary());
        assertThat(rejected).as("the comparison sees the missing server queues").isTrue();
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitIgnoringMaxqueue() throws Exception {
        String config = hashConfig(false);
        PacedParity result =
                PacedParity.runNegativeControl(
                        "NEGATIVE CONTROL url_param maxqueue 2, lbkit without maxqueue",
                        config,
                        "be",
                        hashTraffic(config),
                        NegativeControl.replace(" maxqueue 2", ""));
        NegativeControl.record(
                "maxqueue-ignored",
                "paced per-request comparison of queued and refused requests (maxqueue)",
                "no maxqueue: a server's queue without a limit, where HAProxy refuses",
                result.verdict());
        assertThat(result.identical()).as("the comparison sees the missing limit").isFalse();
    }

    private static void assertSameQueueOrder(PacedParity result) {
        assertThat(result.lbkit().answerOrder())
                .as(
                        "each server answered its requests in the same order (queues first in, first out)")
                .isEqualTo(result.haproxy().answerOrder());
    }

    /**
     * Keys {@code a} and {@code b} hash to two different servers (found with lbkit's own hashing;
     * HAProxy's answers are what the test compares). Key a: one request served, two queued, then
     * refused; key b: one served and one queued on its own server, which a's overflow never
     * reaches.
     */
    static List<String> hashTraffic(String config) throws Exception {
        Map<String, String> keys = keysOnTwoServers(config);
        String a = keys.get("a");
        String b = keys.get("b");
        String first = "&delay_ms=" + HOLD_MS;
        String queued = "&delay_ms=" + GAP_MS / 4;
        return List.of(
                "/?key=" + a + first,
                "/?key=" + a + queued,
                "/?key=" + a + queued,
                "/?key=" + a + queued,
                "/?key=" + b + "&delay_ms=" + (HOLD_MS + GAP_MS),
                "/?key=" + a,
                "/?key=" + b + queued,
                "/?key=" + b + queued,
                "/?key=" + b + queued);
    }

    /**
     * Three held requests, one per server, ending a gap apart; five more wait in the backend's
     * queue, and their delays decide which server frees a slot next (T is when the first held
     * request ends; every answer on a server is at least a quarter of a gap from the next).
     */
    static List<String> roundrobinTraffic() {
        long gap = GAP_MS;
        return List.of(
                "/?delay_ms=" + HOLD_MS, // the first server, frees at T
                "/?delay_ms=" + (HOLD_MS + gap), // the second, frees at T + gap
                "/?delay_ms=" + (HOLD_MS + 2 * gap), // the third, frees at T + 2 gaps
                "/?delay_ms=" + (3 * gap / 2), // the first at T, until T + 1.5 gaps
                "/?delay_ms=" + (3 * gap / 2), // the second at T + gap, until T + 2.5 gaps
                "/?delay_ms=" + gap / 4, // the first at T + 1.5 gaps, until T + 1.75 gaps
                "/?delay_ms=" + gap, // the first again at T + 1.75 gaps: the others are busy
                "/?delay_ms=" + gap / 4); // the third at T + 2 gaps
    }

    static String hashConfig(boolean redispatch) {
        return config("balance url_param key", "maxconn 1 maxqueue 2", redispatch);
    }

    static String config(String balance, String limits, boolean redispatch) {
        String text =
                new SingleBackendConfig(
                                "be",
                                "s",
                                balance,
                                List.of(1, 1, 1),
                                List.of(limits, limits, limits))
                        .text();
        String extra = "    timeout queue 30s\n" + (redispatch ? "    option redispatch\n" : "");
        return text.replace("    timeout server 30s\n", "    timeout server 30s\n" + extra);
    }

    /**
     * Rounds per sample against a HAProxy of this line: 30 from 3.2 on, where the S counts are
     * compared by a test; 10 on 2.6 and 3.0, where every round must be {@code SSSBB} on both sides
     * and one differing round fails (lbkit as a 3.2+ line gave {@code SSSBB} in 6 to 11 rounds of
     * 30 in the runs docs/testing.md and docs/parity.md record, so ten of ten by chance: about 1 in
     * 20,000 at most). {@code -Dlbkit.rounds} sets it for every line.
     */
    static int roundsFor(HaproxyLine haproxyLine) {
        Integer chosen = Integer.getInteger("lbkit.rounds");
        if (chosen != null) {
            return chosen;
        }
        return haproxyLine.compareTo(HaproxyLine.V3_2) >= 0 ? 30 : 10;
    }

    static final double ALPHA = 0.01;

    static String leastconnConfig(int maxqueue) {
        return config("balance leastconn", "maxconn 1 maxqueue " + maxqueue, false);
    }

    /**
     * Per request from {@code first} on, where it waits: S when the servers' queues grew, B when
     * the backend's did.
     */
    static String waitingAt(List<String> states, int first) {
        StringBuilder shape = new StringBuilder();
        for (int i = first; i < states.size(); i++) {
            shape.append(backendQueue(states.get(i)) > backendQueue(states.get(i - 1)) ? 'B' : 'S');
        }
        return shape.toString();
    }

    private static int backendQueue(String state) {
        return Integer.parseInt(state.substring(state.lastIndexOf(' ') + 1));
    }

    /** Both sides' rounds, as S/B shapes; the chi-square of their S counts and its power. */
    record Rounds(List<String> haproxy, List<String> lbkit) {
        long[] haproxyCounts() {
            return counts(haproxy);
        }

        long[] lbkitCounts() {
            return counts(lbkit);
        }

        private static long[] counts(List<String> shapes) {
            long[] counts = new long[3];
            for (String shape : shapes) {
                int s = (int) shape.chars().filter(c -> c == 'S').count();
                counts[Math.max(1, Math.min(3, s)) - 1]++;
            }
            return counts;
        }

        /** Categories seen on neither side are left out (the test needs none empty on both). */
        ChiSquare test() {
            long[] a = haproxyCounts();
            long[] b = lbkitCounts();
            List<Integer> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (a[i] + b[i] > 0) {
                    seen.add(i);
                }
            }
            if (seen.size() < 2) {
                return new ChiSquare(0, 0, 1);
            }
            return ChiSquare.twoSample(
                    seen.stream().mapToLong(i -> a[i]).toArray(),
                    seen.stream().mapToLong(i -> b[i]).toArray());
        }

        double power() {
            long[] a = haproxyCounts();
            double[] p = new double[3];
            for (int i = 0; i < 3; i++) {
                p[i] = (double) a[i] / haproxy.size();
            }
            return Power.power(p, new double[] {0, 0, 1}, haproxy.size(), lbkit.size(), ALPHA);
        }
    }

    /**
     * {@code count} rounds of {@link #roundTraffic} on each side of one {@link SideBySide}; a round
     * where a held request came back before the last one was sent is played again (up to as many
     * again).
     */
    static Rounds leastconnRounds(SideBySide.HaproxyStarter haproxy, String title, int count)
            throws Exception {
        try (SideBySide sides =
                SideBySide.start(
                        title, leastconnConfig(1), haproxy, SideBySide.Options.exactRun())) {
            List<String> onHaproxy = rounds(sides, sides.haproxy(), count);
            List<String> onLbkit = rounds(sides, sides.lbkit(), count);
            Report.writeLine(
                    "leastconn-maxqueue-rounds",
                    title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-"),
                    "HAProxy " + onHaproxy + " | lbkit " + onLbkit);
            return new Rounds(onHaproxy, onLbkit);
        }
    }

    private static List<String> rounds(SideBySide sides, SideBySide.Endpoint side, int count)
            throws Exception {
        List<String> shapes = new ArrayList<>();
        for (int tries = 0; shapes.size() < count && tries < 2 * count; tries++) {
            PacedParity.Side round = PacedParity.drive(sides, side, "be", roundTraffic());
            if (round.endedEarly().isEmpty()) {
                shapes.add(waitingAt(round.states(), 3));
            }
        }
        assertThat(shapes).as(side.side() + ": rounds played as planned").hasSize(count);
        return shapes;
    }

    /** One round: a held request per server, then five that wait, quick once served. */
    static List<String> roundTraffic() {
        long hold = Long.getLong("lbkit.round.hold.ms", 1500);
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            targets.add("/?delay_ms=" + hold);
        }
        for (int i = 0; i < 5; i++) {
            targets.add("/?delay_ms=20");
        }
        return targets;
    }

    /** Two keys of the form k0, k1, ... that lbkit hashes to two different servers. */
    private static Map<String, String> keysOnTwoServers(String config) throws Exception {
        Backend backend = HashKeys.backend(config);
        InetAddress client = InetAddress.getByName("127.0.0.1");
        Map<String, String> keys = new LinkedHashMap<>();
        Server firstServer = null;
        for (int i = 0; keys.size() < 2 && i < 100; i++) {
            String key = "k" + i;
            Server server = backend.pickAndTake(RequestInfo.of(client, "/?key=" + key), null);
            backend.release(server);
            if (firstServer == null) {
                firstServer = server;
                keys.put("a", key);
            } else if (server != firstServer) {
                keys.put("b", key);
            }
        }
        assertThat(keys).as("two keys on two servers among k0..k99").hasSize(2);
        return keys;
    }
}
