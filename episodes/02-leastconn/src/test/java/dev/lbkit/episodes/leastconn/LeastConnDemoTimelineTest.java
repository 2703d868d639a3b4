package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo's timeline ({@code ./lbkit demo leastconn}) replayed on the balancer alone, with no
 * sockets: a request every 600 ms, server1 and server3 hold theirs 5 s, server2 answers at once. It
 * explains request 9: server1 is idle again at 5.0 s, yet request 9 (sent at 5.4 s) goes to
 * server2. Idle servers share key 0, and among equal keys the tree is first-in, first-out: server2
 * has been waiting at key 0 since 4.8 s, server1 only joins the line at 5.0 s, behind it.
 */
class LeastConnDemoTimelineTest {

    static final long SLOW_MS = DemoTimeline.SLOW_MS;

    /**
     * Runs {@code count} requests on the demo's timetable and returns who got each one (see {@link
     * DemoTimeline}).
     */
    static List<String> demoTimeline(int count, long slowMs) {
        return DemoTimeline.picks(count, slowMs);
    }

    @Test
    void replaysTheDemosFourteenPicks() {
        assertThat(demoTimeline(14, SLOW_MS))
                .as("the demo's sample output, server by server")
                .containsExactly(
                        "s1", "s2", "s3", "s2", "s2", "s2", "s2", "s2", "s2", "s2", "s1", "s2",
                        "s3", "s2");
    }

    @Test
    void requestNineGoesToServer2BecauseServer1JoinedTheIdleLineBehindIt() {
        // server1 is idle from 5.0 s (or 5.3 s, as measured in the demo): either way it queues
        // behind server2.
        for (long slowMs : new long[] {4900, SLOW_MS, 5300}) {
            List<String> picks = demoTimeline(11, slowMs);
            assertThat(picks.get(9))
                    .as("request 9 (5.4 s), server1 idle since " + slowMs + " ms")
                    .isEqualTo("s2");
            assertThat(picks.get(10))
                    .as("request 10 (6.0 s): server1 is first in the idle line now")
                    .isEqualTo("s1");
        }
        // If server1 had come back before server2's last answer (4.8 s), it would be first in line.
        assertThat(demoTimeline(10, 4700).get(9))
                .as("server1 idle since 4.7 s, before server2 at 4.8 s")
                .isEqualTo("s1");
    }
}
