package dev.lbkit.episodes.random;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Negative control for the statistical comparison of episode 05 (random(2) with HAProxy's default
 * thread count, compared by split): lbkit is given {@code balance roundrobin}, the even one-third
 * split a learner could take for "random"; the chi-square comparison must reject it.
 */
@Tag(NegativeControl.TAG)
class RandomNegativeControlTest {

    @Test
    void distributionComparisonRejectsAnEvenSplitWhereHaproxyRunsRandomTwo() throws Exception {
        // From 3.0 on, random(2) over the article's equal weights splits evenly too (see
        // RandomLinesParityTest), so an even split is no mistake this comparison could see there;
        // RandomLinesParityTest's controls reject the wrong models of 3.0, 3.2 and 3.4.
        RandomDraws.appliesOnlyWhereDrawsRepeat(
                "splits this config evenly under random(2), as roundrobin does (from 3.0 on), so"
                        + " this control does not apply; RandomLinesParityTest's controls cover 3.0,"
                        + " 3.2 and 3.4");
        ArticleConfigTest.Distribution run =
                ArticleConfigTest.defaultThreadDistribution(
                        NegativeControl.replace(
                                "^(\\s*)balance random\\(2\\)", "$1balance roundrobin"),
                        ", NEGATIVE CONTROL lbkit given roundrobin");
        NegativeControl.record(
                "episode-05-random2-vs-roundrobin",
                "episode 05 default-nbthread split (chi-square, n = "
                        + ArticleConfigTest.DISTRIBUTION_REQUESTS
                        + " a side, alpha "
                        + ArticleConfigTest.ALPHA
                        + ")",
                "balance roundrobin (even split)",
                String.format(
                        Locale.ROOT,
                        "HAProxy %s vs lbkit %s, p = %.2g: %s",
                        run.haproxy().distribution(),
                        run.lbkit().distribution(),
                        run.test().pValue(),
                        run.test().sameDistributionAt(ArticleConfigTest.ALPHA)
                                ? "NOT REJECTED"
                                : "rejected"));
        assertThat(run.test().sameDistributionAt(ArticleConfigTest.ALPHA))
                .as(
                        "the chi-square comparison rejects an even split posing as random(2): %s",
                        run.test())
                .isFalse();
    }
}
