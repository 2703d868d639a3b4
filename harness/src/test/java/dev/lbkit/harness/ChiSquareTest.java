package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChiSquareTest {

    @Test
    void identicalSamplesHaveStatisticZeroAndPValueOne() {
        ChiSquare t =
                ChiSquare.twoSample(
                        Map.of("s1", 100, "s2", 50, "s3", 150),
                        Map.of("s1", 100, "s2", 50, "s3", 150));
        assertThat(t.statistic()).isEqualTo(0.0);
        assertThat(t.pValue()).as("no difference at all").isEqualTo(1.0);
        assertThat(t.degreesOfFreedom()).isEqualTo(2);
    }

    @Test
    void matchesATextbookTwoByTwoTable() {
        // 2x2 table {10, 20 | 30, 40}: Pearson chi-square 0.7937, df 1, p 0.3730 (R:
        // chisq.test(correct = FALSE))
        ChiSquare t = ChiSquare.twoSample(Map.of("a", 10, "b", 20), Map.of("a", 30, "b", 40));
        assertThat(t.statistic()).isCloseTo(0.7937, within(1e-4));
        assertThat(t.pValue()).isCloseTo(0.3730, within(1e-4));
    }

    @Test
    void clearlyDifferentSplitsAreRejected() {
        ChiSquare t =
                ChiSquare.twoSample(Map.of("s1", 900, "s2", 100), Map.of("s1", 500, "s2", 500));
        assertThat(t.sameDistributionAt(0.01))
                .as("90/10 versus 50/50 over 1000 requests each")
                .isFalse();
    }

    @Test
    void aServerMissingOnOneSideCountsAsZero() {
        ChiSquare t = ChiSquare.twoSample(Map.of("s1", 50, "s2", 50), Map.of("s1", 100));
        assertThat(t.degreesOfFreedom()).isEqualTo(1);
        assertThat(t.sameDistributionAt(0.01)).isFalse();
    }

    @Test
    void theIssuesUniformAgainstRandomTwoCountsGiveTheirKnownPValue() {
        // 1000/1000/1000 against 1041/897/1062: p = 0.016 (R: chisq.test(rbind(c(1000,1000,1000),
        // c(1041,897,1062))))
        ChiSquare t =
                ChiSquare.twoSample(
                        Map.of("s1", 1000, "s2", 1000, "s3", 1000),
                        Map.of("s1", 1041, "s2", 897, "s3", 1062));
        assertThat(t.pValue())
                .as("commons-math3's two-sample test on the issue's counts")
                .isCloseTo(0.016, within(0.001));
        assertThat(t.sameDistributionAt(0.01))
                .as("at alpha 0.01 that difference is not rejected: why n was raised")
                .isTrue();
    }
}
