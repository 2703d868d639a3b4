package dev.lbkit.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.ServerSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code slowstart}: the steps of a warm-up and what {@code show stat} shows of them. The figures
 * are HAProxy 2.6.12's {@code show stat} after {@code enable server}, read every half second
 * (SlowstartLinesParityTest holds the same against each line, side by side).
 */
class WarmUpTest {

    private static Server server(int weight, String slowstart) throws Exception {
        Config config =
                ConfigParser.parse(
                        """
                        defaults
                            mode http
                        backend be
                            server s1 127.0.0.1:5001 weight %d slowstart %s
                        """
                                .formatted(weight, slowstart),
                        "warm-up.cfg");
        ServerSpec spec = config.proxies().get(0).servers().get(0);
        return new Server(spec, 0);
    }

    @Test
    void weight10Over10SecondsShowsTheMeasuredSteps() throws Exception {
        Server s = server(10, "10s");
        List<Integer> weights = new ArrayList<>();
        List<Integer> throttles = new ArrayList<>();
        s.startWarmUp(1000, true);
        for (long second = 1000; second < 1010; second++) {
            assertThat(s.warmUp(second, true)).as("still warming at +%d s", second - 1000).isTrue();
            weights.add(s.shownWeight());
            throttles.add(s.throttle());
        }
        assertThat(weights).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(throttles).containsExactly(6, 12, 25, 31, 43, 56, 62, 75, 81, 93);
        assertThat(s.warmUp(1010, true)).as("over after 10 s").isFalse();
        assertThat(s.warming()).isFalse();
        assertThat(s.eweight()).isEqualTo(160);
        assertThat(s.throttle()).as("no throttle once warm").isEqualTo(-1);
    }

    @Test
    void weight1RoundsTheThrottleAsHaproxyDoes() throws Exception {
        Server s = server(1, "10s");
        s.startWarmUp(0, true);
        assertThat(s.throttle()).isEqualTo(7);
        s.warmUp(3, true);
        assertThat(s.throttle()).isEqualTo(32);
        assertThat(s.shownWeight()).isEqualTo(1);
    }

    @Test
    void slowstartInMillisecondsRoundsUpToWholeSeconds() throws Exception {
        Server s = server(100, "1500");
        assertThat(s.spec().slowstartSeconds()).isEqualTo(2);
        s.startWarmUp(0, true);
        assertThat(s.shownWeight()).isEqualTo(7);
        s.warmUp(1, true);
        assertThat(s.shownWeight()).as("(16 + 2) / 2 = 9 sixteenths of 100").isEqualTo(57);
        assertThat(s.warmUp(2, true)).isFalse();
        assertThat(s.shownWeight()).isEqualTo(100);
    }

    @Test
    void aStaticAlgorithmGivesTheWholeWeightWhileTheServerCountsAsWarming() throws Exception {
        Server s = server(10, "4s");
        s.startWarmUp(0, false);
        assertThat(s.eweight()).isEqualTo(160);
        assertThat(s.throttle()).isEqualTo(100);
        assertThat(s.warming()).isTrue();
    }

    @Test
    void aWeightSetWhileWarmingIsScaledAndWeight0ShowsNoThrottle() throws Exception {
        Server s = server(10, "4s");
        s.startWarmUp(0, true);
        s.warmUp(3, true);
        s.setUweight(20);
        assertThat(s.shownWeight()).as("13/16 of 20, rounded up").isEqualTo(17);
        assertThat(s.throttle()).isEqualTo(81);
        s.setUweight(0);
        assertThat(s.throttle()).isEqualTo(-1);
        s.stopWarmUp();
        s.setUweight(10);
        assertThat(s.eweight()).isEqualTo(160);
    }
}
