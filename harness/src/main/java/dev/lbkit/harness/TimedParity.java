package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link TimedTraffic} on both sides of a {@link SideBySide}, one side after the other (so
 * neither steals CPU from the other's timetable), and compares the answers request by request.
 *
 * @param comparison the exact per-request comparison
 * @param haproxy what HAProxy did, with real start and end times
 * @param lbkit what lbkit did, with real start and end times
 */
public record TimedParity(Comparison comparison, TimedRun haproxy, TimedRun lbkit) {

    /** Runs {@code traffic} on HAProxy, then on lbkit; writes a report with both timelines; prints the totals. */
    public static TimedParity run(SideBySide sides, String title, TimedTraffic traffic) throws InterruptedException {
        TimedRun onHaproxy = ConcurrentDriver.timed(sides, sides.haproxy(), traffic);
        TimedRun onLbkit = ConcurrentDriver.timed(sides, sides.lbkit(), traffic);
        Comparison comparison = new Comparison(title, sides.lbkit().config(), traffic.asTraffic(),
                onHaproxy.picks(), onLbkit.picks());
        TimedParity result = new TimedParity(comparison, onHaproxy, onLbkit);
        Report.write(Parity.slug(title), comparison, result.timelines());
        System.out.println("[lbkit] " + comparison.summary() + "  (HAProxy: " + onHaproxy.picks().side() + ")");
        return result;
    }

    /** Both timelines, for reports and failure messages: a difference is easier to read next to the clock. */
    public List<String> timelines() {
        List<String> lines = new ArrayList<>();
        lines.add("HAProxy timeline (latest start " + haproxy.maxLateStartMs() + " ms after plan, closest end to a start "
                + haproxy.closestEndToAStartMs() + " ms):");
        lines.add(haproxy.timeline());
        lines.add("lbkit timeline (latest start " + lbkit.maxLateStartMs() + " ms after plan, closest end to a start "
                + lbkit.closestEndToAStartMs() + " ms):");
        lines.add(lbkit.timeline());
        return lines;
    }

    /** Fails with the first difference and both timelines when the two sides differ. */
    public void assertIdentical() {
        if (!comparison.identical()) {
            org.junit.jupiter.api.Assertions.fail(comparison.explainDifference() + System.lineSeparator()
                    + String.join(System.lineSeparator(), timelines()));
        }
    }
}
