package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code -Dlbkit.configs.share}: how many generated configs a focused run meets. */
class GeneratedConfigsShareTest {
    @Test
    void noShareMeansEveryConfig() {
        assertThat(Parity.generatedConfigs(20, "")).isEqualTo(20);
        assertThat(Parity.generatedConfigs(20, "1")).isEqualTo(20);
    }

    @Test
    void aShareIsRoundedAndNeverBelowOne() {
        assertThat(Parity.generatedConfigs(20, "0.5")).isEqualTo(10);
        assertThat(Parity.generatedConfigs(10, " 0.25 ")).isEqualTo(3);
        assertThat(Parity.generatedConfigs(10, "0.01")).isEqualTo(1);
    }

    @Test
    void aShareOutsideZeroToOneIsRefusedWithTheFix() {
        for (String bad : new String[] {"0", "1.5", "-1", "half", "NaN"}) {
            assertThatThrownBy(() -> Parity.generatedConfigs(20, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-Dlbkit.configs.share=" + bad)
                    .hasMessageContaining("above 0 and at most 1");
        }
    }
}
