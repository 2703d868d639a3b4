package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed docs/side-by-side.svg is current, and its example is what lbkit and HAProxy do. */
class SideBySidePictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        assertThat(Files.readString(Path.of("../../docs/side-by-side.svg")))
                .as(
                        "docs/side-by-side.svg is regenerated from the code (run SideBySidePicture from the repository root)")
                .isEqualTo(SideBySidePicture.svg());
    }

    @Test
    void lbkitGivesHaproxysPicksAndTheNegativeControlDiffersAtTheFirstRequest() {
        assertThat(SideBySidePicture.lbkitPicks(Algorithm.ROUNDROBIN))
                .as("lbkit's roundrobin 2/1/3 equals HAProxy 2.6.12's")
                .isEqualTo(SideBySidePicture.HAPROXY_PICKS);
        assertThat(SideBySidePicture.lbkitPicks(Algorithm.STATIC_RR).get(0))
                .as("static-rr starts with the first declared server")
                .isNotEqualTo(SideBySidePicture.HAPROXY_PICKS.get(0));
    }
}
