package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigGeneratorTest {

    @Test
    void theFirstTwoServersAreNeverBothAtWeightZero() {
        ConfigGenerator generator = new ConfigGenerator(18);
        int firstAtZero = 0;
        for (int i = 0; i < 5000; i++) {
            ConfigGenerator.Generated config = generator.next("#" + i, "balance roundrobin");
            assertThat(config.weights().get(0) + config.weights().get(1))
                    .as(
                            "config #%d has a server to balance to among the first two: %s",
                            i, config.weights())
                    .isGreaterThan(0);
            firstAtZero += config.weights().get(0) == 0 ? 1 : 0;
        }
        assertThat(firstAtZero)
                .as("weight 0 is still generated for the first server (about 1 in 10)")
                .isGreaterThan(300);
    }
}
