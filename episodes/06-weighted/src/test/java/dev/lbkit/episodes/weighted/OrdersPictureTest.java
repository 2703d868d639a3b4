package dev.lbkit.episodes.weighted;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed weighted-orders.svg is what the four orders give today (the orders themselves are
 * pinned in OtherBalancersTest).
 */
class OrdersPictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        assertThat(Files.readString(Path.of("weighted-orders.svg")))
                .as(
                        "weighted-orders.svg is regenerated from the code (run OrdersPicture from the repository root)")
                .isEqualTo(OrdersPicture.svg());
    }
}
