package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PowerTest {

    @Test
    void withNoDifferenceTheTestRejectsAboutAlphaOfTheTime() {
        double[] p = {0.347, 0.299, 0.354};
        assertThat(Power.power(p, p, 3000, 3000, 0.05))
                .as("the size of the test: under 'same split' it rejects about alpha (0.05) of the time")
                .isCloseTo(0.05, within(0.025));
    }

    @Test
    void powerAgreesWithTheNormalApproximationForTwoServers() {
        // Two servers, 0.50 vs 0.55, 1000 requests each: the two-proportion z-test (the same test for a
        // 2 x 2 table) has power Phi(|d| / sqrt(2 pbar (1 - pbar) / n) - z_{0.975}) = Phi(2.24 - 1.96) = 0.61.
        double power = Power.power(new double[] {0.50, 0.50}, new double[] {0.55, 0.45}, 1000, 1000, 0.05);
        assertThat(power).as("Monte Carlo power near the closed-form 0.61").isCloseTo(0.61, within(0.05));
    }

    @Test
    void aLargerSampleDetectsASmallerShift() {
        double[] p = {0.35, 0.30, 0.35};
        double small = Power.minimumShift(p, 3000, 3000, 0.01);
        double large = Power.minimumShift(p, 12000, 12000, 0.01);
        assertThat(large).as("four times the requests halves the detectable shift (about 1/sqrt(4))")
                .isLessThan(small * 0.6).isGreaterThan(small * 0.4);
    }

    @Test
    void uniformAgainstTheRandomTwoRingSplitOfTheIssueIsUnderpoweredAt3000() {
        // The issue's numbers: HAProxy random(2) 1041/897/1062 against a uniform picker, n = 3000 each.
        double[] haproxy = {1041 / 3000.0, 897 / 3000.0, 1062 / 3000.0};
        double[] uniform = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        assertThat(Power.power(haproxy, uniform, 3000, 3000, 0.01))
                .as("3000 requests a side miss a uniform picker more often than not at alpha 0.01")
                .isLessThan(0.8);
        assertThat(Power.power(haproxy, uniform, 9000, 9000, 0.01))
                .as("9000 requests a side reject it with at least 80% power")
                .isGreaterThanOrEqualTo(0.8);
    }
}
