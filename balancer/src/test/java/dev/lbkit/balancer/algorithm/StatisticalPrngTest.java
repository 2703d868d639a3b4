package dev.lbkit.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatisticalPrngTest {

    private static List<Long> draws(StatisticalPrng prng, int count) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Integer.toUnsignedLong(prng.next()));
        }
        return out;
    }

    @Test
    void theFixedSeedGivesHaproxy26sFirstOutputs() {
        assertThat(draws(StatisticalPrng.fixedSeed(), 5))
                .containsExactly(723471715L, 2497366906L, 2064144800L, 2008045182L, 3532304609L);
        assertThat(draws(StatisticalPrng.forLine(HaproxyLine.V2_6), 5))
                .as("2.6 repeats itself")
                .isEqualTo(draws(StatisticalPrng.fixedSeed(), 5));
    }

    @Test
    void startupDrawsComeFromTheFixedSeedAndTheFirstRunTimeDrawAddsThePerProcessValue() {
        StatisticalPrng prng = StatisticalPrng.reseededBy(12345);
        int[] lists = new int[5];
        for (int i = 0; i < 5; i++) {
            lists[i] = prng.startupDrawBelow(4);
        }
        assertThat(lists)
                .as("3.2 leastconn's initial layout of 5 servers")
                .containsExactly(0, 2, 1, 1, 3);
        int expected = StatisticalPrng.step((int) 3532304609L + 12345);
        assertThat(prng.next()).isEqualTo(expected);
        assertThat(prng.next()).isEqualTo(StatisticalPrng.step(expected));
        assertThat(prng.startupDraw())
                .as("once serving, a start-up draw is a normal draw")
                .isEqualTo(StatisticalPrng.step(StatisticalPrng.step(expected)));
    }

    @Test
    void aPerProcessValueThatWouldGiveZeroGivesOne() {
        StatisticalPrng prng = StatisticalPrng.reseededBy(-StatisticalPrng.FIXED_SEED);
        assertThat(prng.next()).isEqualTo(StatisticalPrng.step(1));
    }

    @Test
    void newerLinesDoNotRepeatThemselves() {
        // Fails with probability 2^-32 per pair: two processes drawing the same per-process value.
        assertThat(draws(StatisticalPrng.forLine(HaproxyLine.V3_0), 3))
                .isNotEqualTo(draws(StatisticalPrng.forLine(HaproxyLine.V3_0), 3));
        assertThat(draws(StatisticalPrng.forLine(HaproxyLine.V3_4), 3))
                .isNotEqualTo(draws(StatisticalPrng.fixedSeed(), 3));
    }

    @Test
    void belowScalesAnUnsignedOutput() {
        assertThat(StatisticalPrng.below(723471715, 4)).isZero();
        assertThat(StatisticalPrng.below((int) 2497366906L, 4)).isEqualTo(2);
        assertThat(StatisticalPrng.below(-1, 4)).isEqualTo(3);
    }
}
