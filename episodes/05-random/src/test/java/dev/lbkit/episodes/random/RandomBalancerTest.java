package dev.lbkit.episodes.random;

import static dev.lbkit.episodes.sourcehash.HashFixtures.MAP_BASED;
import static dev.lbkit.episodes.sourcehash.HashFixtures.backend;
import static dev.lbkit.episodes.sourcehash.HashFixtures.forTarget;
import static dev.lbkit.episodes.sourcehash.HashFixtures.pickName;
import static dev.lbkit.episodes.sourcehash.HashFixtures.random;
import static dev.lbkit.episodes.sourcehash.HashFixtures.section;
import static dev.lbkit.episodes.sourcehash.HashFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.ServerSpec;
import dev.lbkit.episodes.sourcehash.NaiveRing;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomBalancerTest {

    @org.junit.jupiter.api.Test
    void aRuntimeWeightOfZeroTakesTheServerOffTheRingAndBackOn() {
        dev.lbkit.harness.TestBackend backend =
                dev.lbkit.harness.TestBackend.weights(
                        dev.lbkit.balancer.config.Algorithm.RANDOM, 2, 1, 3);
        assertThat(backend.sequential(300))
                .as("weight 1 of 6: s2 gets some of 300 requests")
                .contains("s2");
        backend.weight("s2", 0);
        assertThat(backend.sequential(300))
                .as("set weight s2 0: s2's points leave the ring")
                .doesNotContain("s2");
        backend.weight("s2", 3);
        assertThat(backend.sequential(300))
                .as("set weight s2 3: its points come back")
                .contains("s2");
    }

    @org.junit.jupiter.api.Test
    void aFullServerIsNotPickedAndAFreeOneIs() {
        dev.lbkit.harness.TestBackend backend =
                dev.lbkit.harness.TestBackend.of(
                        dev.lbkit.balancer.config.Algorithm.RANDOM, "s1 1 maxconn 1");
        Server first = backend.take();
        assertThat(first).as("a free server is picked").isNotNull();
        assertThat(backend.take())
                .as("at maxconn 1 with one request in flight, no server (HAProxy would queue)")
                .isNull();
        backend.release(first);
        assertThat(backend.take()).as("free again after the release").isNotNull();
    }

    private static final List<ServerSpec> WEIGHTS_2_1_3 = servers(2, 1, 3);

    /**
     * What the spec predicts for sequential traffic: the owner of every draws-th generator output.
     */
    private static List<String> predicted(int draws, int requests) {
        NaiveRing ring = new NaiveRing(WEIGHTS_2_1_3);
        XorShift32 generator = new XorShift32();
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String last = null;
            for (int d = 0; d < draws; d++) {
                last = ring.closest(generator.next());
            }
            picks.add(last);
        }
        return picks;
    }

    private static List<String> actual(int draws, int requests) {
        // hash-type map-based on purpose: random always uses the ring.
        Backend backend = backend(section(random(draws), MAP_BASED, WEIGHTS_2_1_3));
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            picks.add(pickName(backend, forTarget("/")));
        }
        return picks;
    }

    @Test
    void randomOneLooksUpEveryGeneratorOutput() {
        assertThat(actual(1, 3000))
                .as("random(1), sequential, weights 2/1/3")
                .isEqualTo(predicted(1, 3000));
    }

    @Test
    void idleServersTieSoTheLastDrawWins() {
        assertThat(actual(2, 3000))
                .as("random (2 draws), sequential")
                .isEqualTo(predicted(2, 3000));
        assertThat(actual(3, 3000)).as("random(3), sequential").isEqualTo(predicted(3, 3000));
    }

    @Test
    void keepsTheEarlierDrawOnlyWhenTheLaterOneIsMoreLoaded() {
        NaiveRing ring = new NaiveRing(WEIGHTS_2_1_3);
        Backend backend = backend(section(random(2), MAP_BASED, WEIGHTS_2_1_3));
        XorShift32 generator = new XorShift32();
        List<Server> held = new ArrayList<>();
        int earlierKept = 0;
        for (int i = 0; i < 200; i++) {
            String first = ring.closest(generator.next());
            String second = ring.closest(generator.next());
            Server a = backend.server(first).orElseThrow();
            Server b = backend.server(second).orElseThrow();
            long aLoad = (long) a.served() * 16 * b.uweight();
            long bLoad = (long) b.served() * 16 * a.uweight();
            String expected = !first.equals(second) && bLoad > aLoad ? first : second;
            if (!expected.equals(second)) {
                earlierKept++;
            }
            Server chosen = backend.pickAndTake(forTarget("/"), null);
            held.add(chosen); // keep every request in flight so loads diverge
            assertThat(chosen.name())
                    .as("request " + i + ": draws " + first + ", " + second)
                    .isEqualTo(expected);
        }
        held.forEach(backend::release);
        assertThat(earlierKept).as("the earlier draw won some of the time").isPositive();
    }

    @Test
    void noUsableServerDoesNotAdvanceTheGenerator() {
        Backend backend = backend(section(random(1), MAP_BASED, WEIGHTS_2_1_3));
        backend.servers().forEach(s -> backend.setMaint(s, true));
        assertThat(pickName(backend, forTarget("/"))).as("nothing usable").isNull();
        backend.servers().forEach(s -> backend.setMaint(s, false));
        assertThat(pickName(backend, forTarget("/")))
                .as("the first draw is still the first output")
                .isEqualTo(predicted(1, 1).get(0));
    }

    @Test
    void randomDrawsTwiceByDefaultAndReadsItsCountLikeStrtol() throws Exception {
        assertThat(draws("random")).as("random draws twice by default").isEqualTo(2);
        assertThat(draws("random(5)")).as("random(5)").isEqualTo(5);
        assertThat(draws("random(0x3)")).as("C's strtol reads hex").isEqualTo(3);
        try {
            draws("random(0)");
            throw new AssertionError("random(0) was accepted");
        } catch (ConfigException e) {
            assertThat(e.alerts())
                    .as("HAProxy's alert, with file and line")
                    .containsExactly(
                            "[ALERT] parsing [test.cfg:4] : balance random : number of draws must be at least 1.");
        }
    }

    /** The balance line is line 4 of this config. */
    private static int draws(String words) throws ConfigException {
        String config =
                "defaults\n    mode http\nbackend app\n    balance "
                        + words
                        + "\n    server a 127.0.0.1:5001\n";
        return ConfigParser.parse(config, "test.cfg")
                .backend("app")
                .orElseThrow()
                .balance()
                .randomDraws();
    }
}
