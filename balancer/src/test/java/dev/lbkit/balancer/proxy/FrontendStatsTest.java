package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link FrontendStats}: the counters of {@code show stat}'s FRONTEND row. */
class FrontendStatsTest {
    @Test
    void countsRequestsInProgressTheirPeakAndTheAnswersByClass() {
        FrontendStats stats = new FrontendStats();
        stats.requestStarted();
        stats.requestStarted();
        stats.requestStarted();
        stats.requestEnded(200);
        stats.requestEnded(503);
        stats.requestStarted();
        assertThat(stats.current()).as("scur").isEqualTo(2);
        assertThat(stats.max()).as("smax: the peak, not the present").isEqualTo(3);
        assertThat(stats.total()).as("stot").isEqualTo(4);
        stats.requestStarted();
        stats.requestStarted();
        assertThat(stats.max()).as("a new peak").isEqualTo(4);
        assertThat(stats.responses(1)).as("2xx").isEqualTo(1);
        assertThat(stats.responses(4)).as("5xx").isEqualTo(1);
    }
}
