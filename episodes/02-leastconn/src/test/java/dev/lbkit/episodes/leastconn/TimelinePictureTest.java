package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed leastconn-timeline.svg is what lbkit's leastconn picks on the demo's timetable
 * today.
 */
class TimelinePictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        assertThat(Files.readString(Path.of("leastconn-timeline.svg")))
                .as(
                        "leastconn-timeline.svg is regenerated from the code (run TimelinePicture from the repository root)")
                .isEqualTo(TimelinePicture.svg());
    }

    @Test
    void theExplainedRequestFindsServer1AndServer2IdleAndGoesToServer2() {
        List<DemoTimeline.Request> requests =
                DemoTimeline.replay(DemoTimeline.REQUESTS, DemoTimeline.SLOW_MS);
        DemoTimeline.Request nine = requests.get(TimelinePicture.EXPLAINED);
        assertThat(nine.inFlightAtPick())
                .as("server1 and server2 idle, server3 busy at request 9")
                .containsExactly(0, 0, 1);
        assertThat(nine.server()).as("the idle server that waited longest").isEqualTo(2);
        assertThat(requests.get(0).endMs())
                .as("server1 is idle only after request 8 has been answered")
                .isGreaterThan(requests.get(TimelinePicture.EXPLAINED - 1).endMs());
        for (DemoTimeline.Request request : requests) {
            int fewest =
                    Math.min(
                            request.inFlightAtPick()[0],
                            Math.min(request.inFlightAtPick()[1], request.inFlightAtPick()[2]));
            assertThat(request.inFlightAtPick()[request.server() - 1])
                    .as("request " + request.index() + " goes to a least loaded server")
                    .isEqualTo(fewest);
        }
    }
}
