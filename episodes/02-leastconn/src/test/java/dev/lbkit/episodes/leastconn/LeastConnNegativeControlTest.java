package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.DistributionReport;
import dev.lbkit.harness.NegativeControl;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Negative control for the statistical comparison of episode 02 (leastconn under the slow-backend
 * load, compared by split): lbkit is given {@code balance roundrobin}, which ignores how busy each
 * server is; the chi-square comparison must reject it.
 */
@Tag(NegativeControl.TAG)
class LeastConnNegativeControlTest {
    private static final int REQUESTS = 800;

    @Test
    void loadComparisonRejectsRoundrobinWhereHaproxyRunsLeastconn() throws Exception {
        // Fewer requests than the real test: roundrobin sends a third to each 400 ms server, so
        // 6000 would take minutes, and a split this far off needs no such power (1.000 at 800 a
        // side, PowerTest), nor a second sample.
        DistributionReport run =
                LeastConnLoadTest.compare(
                        false,
                        REQUESTS,
                        NegativeControl.replace("^(\\s*)balance leastconn", "$1balance roundrobin"),
                        ", NEGATIVE CONTROL lbkit given roundrobin");
        NegativeControl.record(
                "episode-02-leastconn-vs-roundrobin",
                "episode 02 slow-backend load split (chi-square, n = "
                        + REQUESTS
                        + " a side, alpha "
                        + LeastConnLoadTest.ALPHA
                        + ")",
                "balance roundrobin",
                String.format(
                        Locale.ROOT,
                        "HAProxy %s vs lbkit %s, p = %.2g: %s",
                        run.haproxy().picks().distribution(),
                        run.lbkit().picks().distribution(),
                        run.test().pValue(),
                        run.test().sameDistributionAt(LeastConnLoadTest.ALPHA)
                                ? "NOT REJECTED"
                                : "rejected"));
        assertThat(run.test().sameDistributionAt(LeastConnLoadTest.ALPHA))
                .as(
                        "the chi-square comparison rejects roundrobin posing as leastconn: %s",
                        run.test())
                .isFalse();
    }
}
