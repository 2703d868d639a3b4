package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PowerTest {

    @Test
    void withNoDifferenceTheTestRejectsAboutAlphaOfTheTime() {
        double[] p = {0.347, 0.299, 0.354};
        assertThat(Power.power(p, p, 3000, 3000, 0.05))
                .as(
                        "the size of the test: under 'same split' it rejects about alpha (0.05) of the time")
                .isCloseTo(0.05, within(0.025));
    }

    @Test
    void powerAgreesWithTheNormalApproximationForTwoServers() {
        // Two servers, 0.50 vs 0.55, 1000 requests each: the two-proportion z-test (the same test
        // for a
        // 2 x 2 table) has power Phi(|d| / sqrt(2 pbar (1 - pbar) / n) - z_{0.975}) = Phi(2.24 -
        // 1.96) = 0.61.
        double power =
                Power.power(new double[] {0.50, 0.50}, new double[] {0.55, 0.45}, 1000, 1000, 0.05);
        assertThat(power)
                .as("Monte Carlo power near the closed-form 0.61")
                .isCloseTo(0.61, within(0.05));
    }

    @Test
    void aLargerSampleDetectsASmallerShift() {
        double[] p = {0.35, 0.30, 0.35};
        double small = Power.minimumShift(p, 3000, 3000, 0.01);
        double large = Power.minimumShift(p, 12000, 12000, 0.01);
        assertThat(large)
                .as("four times the requests halves the detectable shift (about 1/sqrt(4))")
                .isLessThan(small * 0.6)
                .isGreaterThan(small * 0.4);
    }

    @Test
    void uniformAgainstTheRandomTwoRingSplitOfTheIssueIsUnderpoweredAt3000() {
        // The issue's numbers: HAProxy random(2) 1041/897/1062 against a uniform picker, n = 3000
        // each.
        double[] haproxy = {1041 / 3000.0, 897 / 3000.0, 1062 / 3000.0};
        double[] uniform = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        assertThat(Power.power(haproxy, uniform, 3000, 3000, 0.01))
                .as("3000 requests a side miss a uniform picker more often than not at alpha 0.01")
                .isLessThan(0.8);
        assertThat(Power.power(haproxy, uniform, 9000, 9000, 0.01))
                .as("9000 requests a side reject it with at least 80% power")
                .isGreaterThanOrEqualTo(0.8);
    }

    /**
     * The power table of docs/testing.md: each statistical comparison of the kit, at its n and
     * alpha, against the wrong split a learner could confuse with the right one, for one sample and
     * for the comparison as the tests decide it ({@link Retest}: up to two samples, so a wrong
     * lbkit must be rejected twice). Written to target/lbkit-reports/power/confusions.txt.
     */
    @Test
    void theKitsStatisticalComparisonsRejectTheConfusableSplitsWithAtLeast80PercentPower() {
        double[] ring = {1041 / 3000.0, 897 / 3000.0, 1062 / 3000.0};
        double[] uniform = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        double[] leastconn = {157 / 2000.0, 1686 / 2000.0, 157 / 2000.0};
        double[] slowerLeastconn = {187 / 2000.0, 1626 / 2000.0, 187 / 2000.0};
        double[] roundrobin = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        java.util.List<String> rows = new java.util.ArrayList<>();
        rows.add(
                "comparison | n a side | alpha a sample | minimum detectable shift (80% power, two samples)"
                        + " | wrong split | power, one sample | power, up to two samples");
        double[][] cases = {ring, uniform, leastconn, slowerLeastconn, leastconn, roundrobin};
        String[] names = {
            "episode 05 random(2), default nbthread",
            "uniform picker 1/3 each",
            "episode 02 leastconn, slow-backend load",
            "leastconn 187/1626/187 (the issue's pair)",
            "episode 02 leastconn, slow-backend load",
            "roundrobin 1/3 each"
        };
        int[][] sizes = {{3000, 9000}, {2000, 4500, 6000}, {800}};
        double[] powers = new double[6];
        double[] retested = new double[6];
        int k = 0;
        for (int c = 0; c < 3; c++) {
            for (int n : sizes[c]) {
                double power = Power.power(cases[2 * c], cases[2 * c + 1], n, n, 0.01);
                double twice =
                        Power.retestedPower(
                                cases[2 * c], cases[2 * c + 1], n, n, 0.01, Power.REPETITIONS);
                double shift = Power.minimumShift(cases[2 * c], n, n, 0.01, true);
                powers[k] = power;
                retested[k++] = twice;
                rows.add(
                        String.format(
                                java.util.Locale.ROOT,
                                "%s | %d | 0.01 | %.1f points | %s | %.3f | %.3f",
                                names[2 * c],
                                n,
                                shift * 100,
                                names[2 * c + 1],
                                power,
                                twice));
            }
        }
        rows.forEach(r -> System.out.println("[lbkit] power: " + r));
        Report.writeLine("power", "confusions", String.join(System.lineSeparator(), rows));
        assertThat(powers[0])
                .as("the old n = 3000 missed a uniform picker more than 20% of the time")
                .isLessThan(0.8);
        assertThat(retested[1])
                .as("n = 9000 rejects a uniform picker with at least 80% power, twice")
                .isGreaterThanOrEqualTo(0.8);
        assertThat(powers[2])
                .as("the old n = 2000 missed the issue's leastconn pair")
                .isLessThan(0.8);
        assertThat(retested[3])
                .as("n = 4500 rejects it with 80% power once, but not twice")
                .isLessThan(0.8);
        assertThat(powers[3]).isGreaterThanOrEqualTo(0.8);
        assertThat(retested[4])
                .as("n = 6000 rejects it with at least 80% power, twice")
                .isGreaterThanOrEqualTo(0.8);
        assertThat(retested[5])
                .as("roundrobin posing as leastconn is rejected at n = 800 (the negative control)")
                .isGreaterThanOrEqualTo(0.99);
    }
}
