package dev.lbkit.episodes.leastconn;

import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import org.junit.jupiter.api.Assumptions;

/**
 * Where episode 02's per-request comparisons apply. HAProxy 2.6 and 3.0 break a tie between equally
 * loaded servers in a fixed order, so a run repeats itself and lbkit must pick the same server for
 * every request. From 3.2 on, HAProxy draws among the tied servers from a generator seeded per
 * process: no two runs agree, on HAProxy itself either, so against such a HAProxy these tests say
 * why they do not apply, and {@link
 * LeastConnLinesParityTest#theHaproxyFoundHereRepeatsAServerAsOftenAsLbkit} compares it by
 * distribution instead.
 */
final class LeastConnTies {
    private LeastConnTies() {}

    /** Aborts the calling test (JUnit reports it skipped, with the reason) on 3.2 and later. */
    static void exactComparisonAppliesHere() {
        SideBySide.HaproxyStarter found = Parity.haproxy();
        Assumptions.assumeFalse(
                LeastConnAlgorithms.drawsAmongTies(found.line()),
                () ->
                        found.describe()
                                + " breaks leastconn ties at random (from 3.2 on), so no two runs"
                                + " agree and a per-request comparison does not apply to it;"
                                + " LeastConnLinesParityTest.theHaproxyFoundHereRepeatsAServerAsOftenAsLbkit"
                                + " compares it by distribution");
    }
}
