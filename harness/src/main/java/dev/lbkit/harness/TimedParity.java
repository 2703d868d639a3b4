package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assertions;

/**
 * Runs a {@link TimedTraffic} on both sides, one side after the other (so neither steals CPU from
 * the other's timetable), and compares the answers request by request.
 *
 * <p>Before the timed run both sides get the same warm-up: sequential requests with {@code
 * ?delay_ms=0}, so the first timed requests do not pay for cold replicas, a cold JIT or first
 * connections. The warm-up is a multiple of every server count up to 6 long: sequential leastconn
 * traffic rotates through the idle servers, so it leaves them in their initial order.
 *
 * <p>When the two sides differ, the clocks decide whether the difference means anything. Up to the
 * first differing request k, both sides have picked the same servers, so they agree on what is
 * planned to happen; if they also saw every answer before k on the same side of every start up to
 * k, and the answers before k in the same order, each clearly apart ({@link
 * TimedRun#answeredBeforeSent}), the balancers were given the same history and the difference is
 * real: the test fails. Otherwise the busy machine reordered events on one side, and the scenario
 * is run again from freshly started balancers, up to {@value #ATTEMPTS} times; every rerun is
 * printed and counted.
 *
 * @param comparison the exact per-request comparison
 * @param haproxy what HAProxy did, with real start and end times
 * @param lbkit what lbkit did, with real start and end times
 * @param attempts how many runs it took to get one that kept its timetable on both sides (or the
 *     last one)
 */
public record TimedParity(Comparison comparison, TimedRun haproxy, TimedRun lbkit, int attempts) {
    /** Runs tried before giving up on a busy machine. */
    public static final int ATTEMPTS = 3;

    /** Sequential warm-up requests: 60 is a multiple of 1, 2, 3, 4, 5 and 6 servers. */
    public static final int WARM_UP_REQUESTS = 60;

    /**
     * Starts both sides for {@code config}, warms them up, runs {@code traffic} on HAProxy then on
     * lbkit; on a busy machine reruns as described above. Writes a report with both timelines and
     * prints the totals.
     *
     * @param marginMs how far apart (ms) an answer and a start must be to tell their order; a
     *     quarter of the gap is a good value
     */
    public static TimedParity run(
            String title,
            String config,
            SideBySide.Options options,
            TimedTraffic traffic,
            long marginMs)
            throws Exception {
        return run(title, config, options, traffic, marginMs, null);
    }

    /**
     * A negative control: as {@link #run}, but lbkit is given {@code mistake} applied to its config
     * (see {@link SideBySide#startNegativeControl}); the comparison that follows must reject it.
     */
    public static TimedParity runNegativeControl(
            String title,
            String config,
            SideBySide.Options options,
            TimedTraffic traffic,
            long marginMs,
            UnaryOperator<String> mistake)
            throws Exception {
        return run(title, config, options, traffic, marginMs, mistake);
    }

    private static TimedParity run(
            String title,
            String config,
            SideBySide.Options options,
            TimedTraffic traffic,
            long marginMs,
            UnaryOperator<String> mistake)
            throws Exception {
        String fullTitle = title + " — " + traffic.name();
        TimedParity result = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try (SideBySide sides =
                    mistake == null
                            ? SideBySide.start(title, config, Parity.haproxy(), options)
                            : SideBySide.startNegativeControl(
                                    title, config, Parity.haproxy(), options, mistake)) {
                Traffic warmUp =
                        Traffic.of(
                                "warm-up",
                                WARM_UP_REQUESTS,
                                i -> Traffic.Request.get("/?delay_ms=0"));
                sides.drive(sides.haproxy(), warmUp);
                sides.drive(sides.lbkit(), warmUp);
                TimedRun onHaproxy = ConcurrentDriver.timed(sides, sides.haproxy(), traffic);
                TimedRun onLbkit = ConcurrentDriver.timed(sides, sides.lbkit(), traffic);
                Comparison comparison =
                        new Comparison(
                                fullTitle,
                                sides.lbkit().config(),
                                traffic.asTraffic(),
                                onHaproxy.picks(),
                                onLbkit.picks());
                result = new TimedParity(comparison, onHaproxy, onLbkit, attempt);
            }
            if (mistake != null
                    || result.comparison.identical()
                    || result.sameHistoryBeforeFirstDifference(marginMs)) {
                break;
            }
            System.out.printf(
                    "[lbkit] %s: attempt %d differs at request #%d, but the two sides did not see the same "
                            + "order of answers and starts before it (margin %d ms): the machine is busy%s%n",
                    fullTitle,
                    attempt,
                    result.comparison.firstDifference(),
                    marginMs,
                    attempt < ATTEMPTS
                            ? ", running it again"
                            : ", giving up: the difference below may be timing");
        }
        Report.write(Parity.slug(fullTitle), result.comparison, result.timelines());
        System.out.println(
                "[lbkit] "
                        + result.comparison.summary()
                        + "  (attempt "
                        + result.attempts
                        + "; HAProxy: "
                        + result.haproxy.picks().side()
                        + ")");
        return result;
    }

    /**
     * True when, before the first difference k, both sides saw each answer on the same side of each
     * start up to k's, clearly apart: then both balancers were given the same history.
     */
    public boolean sameHistoryBeforeFirstDifference(long marginMs) {
        int k = comparison.firstDifference();
        if (k < 0) {
            return true;
        }
        for (int j = 1; j <= k; j++) {
            for (int i = 0; i < j; i++) {
                Boolean onHaproxy = haproxy.answeredBeforeSent(i, j, marginMs);
                Boolean onLbkit = lbkit.answeredBeforeSent(i, j, marginMs);
                if (onHaproxy == null || !onHaproxy.equals(onLbkit)) {
                    return false;
                }
            }
        }
        // Two answers before request k was answered: with a queue, their order decides which
        // server a waiting request gets (the one that frees a slot first).
        // Two answers before request k was sent: their order decides who goes first among equal
        // keys.
        return sameOrderOfAnswersBefore(k, marginMs, haproxy::answeredBeforeAnswer)
                && sameOrderOfAnswersBefore(k, marginMs, haproxy::answeredBeforeSent);
    }

    /** Whether request i's answer came before request j's answer or start, or null when unclear. */
    private interface Before {
        Boolean test(int i, int j, long marginMs);
    }

    /**
     * Whether every two answers that came on HAProxy before request {@code k} (its answer or its
     * start, as {@code beforeK} says) came in the same order on both sides.
     */
    private boolean sameOrderOfAnswersBefore(int k, long marginMs, Before beforeK) {
        for (int i = 0; i < k; i++) {
            for (int other = i + 1; other < k; other++) {
                if (Boolean.TRUE.equals(beforeK.test(i, k, marginMs))
                        && Boolean.TRUE.equals(beforeK.test(other, k, marginMs))) {
                    Boolean onHaproxy = haproxy.answeredBeforeAnswer(i, other, marginMs);
                    if (onHaproxy == null
                            || !onHaproxy.equals(lbkit.answeredBeforeAnswer(i, other, marginMs))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Both timelines, for reports and failure messages: a difference is easier to read next to the
     * clock.
     */
    public List<String> timelines() {
        List<String> lines = new ArrayList<>();
        lines.add("attempt " + attempts);
        lines.add(
                "HAProxy timeline (latest start " + haproxy.maxLateStartMs() + " ms after plan):");
        lines.add(haproxy.timeline());
        lines.add("lbkit timeline (latest start " + lbkit.maxLateStartMs() + " ms after plan):");
        lines.add(lbkit.timeline());
        return lines;
    }

    /**
     * The requests whose wait (from the client's send to its answer) differs between the two sides
     * by more than {@code marginMs}, or that only one side answered, one line each; empty when the
     * two sides kept every request equally long. With {@code maxconn}, a queued request's wait is
     * set by when a slot frees, so this compares the queue's timeline even where the server that
     * takes a request is drawn at random.
     */
    public List<String> waitsDiffering(long marginMs) {
        List<String> differing = new ArrayList<>();
        for (int i = 0; i < haproxy.startedMs().size(); i++) {
            long onHaproxy = haproxy.waitMs(i);
            long onLbkit = lbkit.waitMs(i);
            if ((onHaproxy < 0) != (onLbkit < 0) || Math.abs(onHaproxy - onLbkit) > marginMs) {
                differing.add(
                        String.format(
                                java.util.Locale.ROOT,
                                "#%d: HAProxy %s, lbkit %s",
                                i,
                                onHaproxy < 0 ? "no answer" : onHaproxy + " ms",
                                onLbkit < 0 ? "no answer" : onLbkit + " ms"));
            }
        }
        return differing;
    }

    /**
     * Fails, with both timelines, when some request waited longer on one side than on the other
     * (see {@link #waitsDiffering}).
     */
    public void assertSameWaits(long marginMs) {
        List<String> differing = waitsDiffering(marginMs);
        if (!differing.isEmpty()) {
            Assertions.fail(
                    differing.size()
                            + " request(s) waited differently (margin "
                            + marginMs
                            + " ms): "
                            + String.join("; ", differing)
                            + System.lineSeparator()
                            + String.join(System.lineSeparator(), timelines()));
        }
    }

    /** Fails with the first difference and both timelines when the two sides differ. */
    public void assertIdentical() {
        if (!comparison.identical()) {
            Assertions.fail(
                    comparison.explainDifference()
                            + System.lineSeparator()
                            + String.join(System.lineSeparator(), timelines()));
        }
    }
}
