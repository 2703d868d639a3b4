package dev.lbkit.episodes.random;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed random-draws.svg is what lbkit's random(2) draws and picks today, and it shows
 * every case of the rule.
 */
class DrawsPictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        assertThat(Files.readString(Path.of("random-draws.svg")))
                .as(
                        "random-draws.svg is regenerated from the code (run DrawsPicture from the repository root)")
                .isEqualTo(DrawsPicture.svg());
    }

    @Test
    void theDrawsStartFromTheFixedSeedAndShowEveryCaseOfTheRule() throws Exception {
        List<DrawsPicture.Pick> picks = DrawsPicture.run();
        assertThat(picks).hasSize(DrawsPicture.REQUESTS);
        assertThat(picks.get(0).first().value())
                .as("thread 0's first output")
                .isEqualTo(723471715L);
        assertThat(picks.get(0).second().value())
                .as("thread 0's second output")
                .isEqualTo(2497366906L);
        List<String> reasons = picks.stream().map(DrawsPicture.Pick::why).toList();
        assertThat(reasons)
                .as(
                        "a tie, a busier later draw, a busier earlier draw and one server drawn twice all appear")
                .anySatisfy(why -> assertThat(why).contains("a tie goes to the later draw"))
                .anySatisfy(why -> assertThat(why).contains("the earlier draw stays"))
                .anySatisfy(why -> assertThat(why).contains("the later draw wins"))
                .anySatisfy(why -> assertThat(why).startsWith("both draws land on"));
        for (DrawsPicture.Pick pick : picks) {
            int lessLoaded =
                    pick.second().inFlight() > pick.first().inFlight()
                            ? pick.first().server()
                            : pick.second().server();
            assertThat(pick.kept())
                    .as(
                            "request "
                                    + pick.request()
                                    + ": the less loaded draw, the later one on a tie")
                    .isEqualTo(lessLoaded);
        }
    }
}
