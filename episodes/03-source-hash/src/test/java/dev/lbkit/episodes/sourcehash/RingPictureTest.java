package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed ring-and-map.svg is what lbkit's source balancer picks today, and it shows what the
 * lesson says.
 */
class RingPictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        assertThat(Files.readString(Path.of("ring-and-map.svg")))
                .as(
                        "ring-and-map.svg is regenerated from the code (run RingPicture from the repository root)")
                .isEqualTo(RingPicture.svg());
    }

    @Test
    void theRingMovesOnlyServer2sClientsAndTheMapMovesOthersToo() throws Exception {
        RingPicture.Run ring = RingPicture.run("consistent");
        RingPicture.Run map = RingPicture.run("map-based");
        assertThat(ring.movedNeedlessly())
                .as("consistent: no client of a healthy server moves")
                .isZero();
        assertThat(map.movedNeedlessly())
                .as("map-based: many clients of healthy servers move")
                .isGreaterThan((RingPicture.CLIENTS - map.onServer2()) / 4);
    }
}
