package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed roundrobin-window.svg is what lbkit's balancers pick today, and it shows what the
 * lesson says.
 */
class RoundRobinWindowPictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        assertThat(Files.readString(Path.of("roundrobin-window.svg")))
                .as(
                        "roundrobin-window.svg is regenerated from the code (run RoundRobinWindowPicture from the repository root)")
                .isEqualTo(RoundRobinWindowPicture.svg());
    }

    @Test
    void everyBlockOfSixHasTheWeightsAndTheWindowIs96() {
        for (Algorithm algorithm : new Algorithm[] {Algorithm.ROUNDROBIN, Algorithm.STATIC_RR}) {
            List<String> picks = RoundRobinWindowPicture.picks(algorithm);
            assertThat(picks).hasSize(96);
            for (int block = 0; block < 16; block++) {
                List<String> six = picks.subList(6 * block, 6 * block + 6);
                assertThat(six)
                        .as(algorithm + " block " + block)
                        .containsExactlyInAnyOrder("s1", "s1", "s2", "s3", "s3", "s3");
            }
        }
        assertThat(RoundRobinWindowPicture.picks(Algorithm.ROUNDROBIN).get(0)).isEqualTo("s3");
        assertThat(RoundRobinWindowPicture.picks(Algorithm.STATIC_RR).get(0)).isEqualTo("s1");
    }
}
