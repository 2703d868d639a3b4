package dev.lbkit.episodes.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class XorShift32Test {

    @Test
    void thread0StartsWithHaproxysFirstOutputs() {
        XorShift32 random = new XorShift32();
        List<Long> outputs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            outputs.add(Integer.toUnsignedLong(random.next()));
        }
        assertThat(outputs)
                .as("xorshift32 from seed 2463534242")
                .containsExactly(723471715L, 2497366906L, 2064144800L, 2008045182L, 3532304609L);
    }

    @Test
    void refusesTheZeroSeed() {
        assertThatThrownBy(() -> new XorShift32(0))
                .as("0 is a fixed point of xorshift")
                .isInstanceOf(IllegalArgumentException.class);
    }
}
