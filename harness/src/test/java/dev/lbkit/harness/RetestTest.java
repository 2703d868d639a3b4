package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetestTest {

    @Test
    void aSecondSampleIsDrawnOnlyWhenTheFirstDisagrees() {
        List<Integer> drawn = new ArrayList<>();
        Retest.Outcome<Boolean> agreed =
                Retest.decide(Retest.Expect.SAME, i -> drawn.add(i) && false, rejects -> rejects);
        assertThat(drawn)
                .as("a first sample that does not reject decides alone")
                .containsExactly(1);
        assertThat(agreed.asExpected()).isTrue();
        assertThat(agreed.describe(String::valueOf)).isEqualTo("decided by sample 1 of up to 2");

        drawn.clear();
        Retest.Outcome<Boolean> retried =
                Retest.decide(Retest.Expect.SAME, i -> drawn.add(i) && i == 1, rejects -> rejects);
        assertThat(drawn).as("a first rejection draws a second sample").containsExactly(1, 2);
        assertThat(retried.asExpected())
                .as("the second sample decides: it did not reject")
                .isTrue();
        assertThat(retried.describe(String::valueOf))
                .startsWith("decided by sample 2 of 2 (sample 1 disagreed");

        Retest.Outcome<Boolean> failed =
                Retest.decide(Retest.Expect.SAME, i -> true, rejects -> rejects);
        assertThat(failed.asExpected()).as("two rejections fail a parity test").isFalse();
        assertThat(failed.samples()).hasSize(2);

        Retest.Outcome<Boolean> control =
                Retest.decide(Retest.Expect.DIFFERENT, i -> i == 2, rejects -> rejects);
        assertThat(control.asExpected())
                .as("a negative control passes when the second sample rejects")
                .isTrue();
        assertThat(Retest.decide(Retest.Expect.DIFFERENT, i -> false, r -> r).asExpected())
                .as("and fails when neither does")
                .isFalse();
    }

    /**
     * The procedure's rates, measured on multinomial samples with the kit's chi-square: at a sample
     * alpha of 0.1 (so that alpha² = 0.01 is measurable in 20000 runs) a right lbkit fails about
     * alpha² of the time, and a wrong one about power² of the time.
     */
    @Test
    void theProcedureFailsARightLbkitAlphaSquaredOfTheTimeAndAWrongOnePowerSquared() {
        double[] right = {0.35, 0.30, 0.35};
        double[] wrong = {0.32, 0.30, 0.38};
        double alpha = 0.1;
        double falseAlarms = Power.retestedPower(right, right, 1000, 1000, alpha, 20000);
        System.out.printf(
                "[lbkit] retest: false alarms %.4f over 20000 runs at sample alpha %.2f (alpha² = %.4f)%n",
                falseAlarms, alpha, Retest.falseAlarm(alpha));
        assertThat(falseAlarms).isCloseTo(Retest.falseAlarm(alpha), within(0.003));

        double samplePower = Power.power(right, wrong, 1000, 1000, alpha);
        double procedurePower = Power.retestedPower(right, wrong, 1000, 1000, alpha, 4000);
        System.out.printf(
                "[lbkit] retest: one sample's power %.3f, the procedure's %.3f (power² = %.3f)%n",
                samplePower, procedurePower, Retest.power(samplePower));
        assertThat(samplePower).as("a case where the power is neither 0 nor 1").isBetween(0.3, 0.9);
        assertThat(procedurePower).isCloseTo(Retest.power(samplePower), within(0.04));
    }
}
