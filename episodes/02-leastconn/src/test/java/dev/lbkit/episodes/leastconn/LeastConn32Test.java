package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.TestBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * HAProxy 3.2/3.4 leastconn against the facts in docs/versions.md and against an independent
 * reference model (FWLC32 in src/test/resources/models.py), whose outputs for a given generator
 * state are pinned here (produced with {@code python3 src/test/resources/fwlc_vectors.py
 * 987654321}).
 */
class LeastConn32Test {
    /** The generator state at the first run-time draw used for the pinned vectors. */
    private static final int RUN_STATE = 987654321;

    /**
     * A 3.2 process whose generator will be at {@code RUN_STATE} when serving starts after {@code
     * servers} start-up draws.
     */
    private static StatisticalPrng reachingRunState(int servers) {
        int state = StatisticalPrng.FIXED_SEED;
        for (int i = 0; i < servers; i++) {
            state = StatisticalPrng.step(state);
        }
        return StatisticalPrng.reseededBy(RUN_STATE - state);
    }

    private static LeastConn32 algorithmOf(TestBackend backend) {
        return (LeastConn32) backendAlgorithm(backend);
    }

    private static Object backendAlgorithm(TestBackend backend) {
        try {
            var field = backend.backend.getClass().getDeclaredField("lb");
            field.setAccessible(true);
            return field.get(backend.backend);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theFixedSeedLaysFiveIdleServersOutInLists02113() {
        TestBackend backend =
                TestBackend.of(
                        HaproxyLine.V3_2,
                        StatisticalPrng.reseededBy(42),
                        Algorithm.LEASTCONN,
                        "s1 1",
                        "s2 1",
                        "s3 1",
                        "s4 1",
                        "s5 1");
        LeastConn32 lc = algorithmOf(backend);
        List<Long> lists = new ArrayList<>();
        for (String name : List.of("s1", "s2", "s3", "s4", "s5")) {
            long[] place = lc.placeOf(backend.server(name));
            assertThat(place[0]).as(name + " idle: element 0").isZero();
            lists.add(place[1]);
        }
        assertThat(lists).containsExactly(0L, 2L, 1L, 1L, 3L);
    }

    @Test
    void aSequentialRequestCostsThreeDraws() {
        StatisticalPrng prng = StatisticalPrng.reseededBy(0);
        TestBackend backend =
                TestBackend.of(HaproxyLine.V3_2, prng, Algorithm.LEASTCONN, "s1 2", "s2 1", "s3 3");
        int expected = StatisticalPrng.FIXED_SEED;
        for (int i = 0; i < 3 + 3 * 100; i++) {
            expected = StatisticalPrng.step(expected);
        }
        backend.sequential(100);
        assertThat(prng.state()).isEqualTo(Integer.toUnsignedLong(expected));
    }

    @Test
    void matchesTheReferenceModelThroughLoadDownUpAndWeightChanges() {
        TestBackend backend =
                TestBackend.of(
                        HaproxyLine.V3_2,
                        reachingRunState(3),
                        Algorithm.LEASTCONN,
                        "s1 2",
                        "s2 1",
                        "s3 3");
        List<String> picks = new ArrayList<>(backend.sequential(30));
        hold(backend, picks, 6, false);
        backend.down("s2");
        picks.addAll(backend.sequential(10));
        backend.up("s2");
        picks.addAll(backend.sequential(10));
        backend.weight("s1", 3);
        picks.addAll(backend.sequential(20));
        hold(backend, picks, 9, true);
        picks.addAll(backend.sequential(10));
        assertThat(String.join(" ", picks))
                .isEqualTo(
                        "s1 s3 s2 s2 s2 s2 s2 s1 s3 s2 s1 s2 s1 s3 s2 s3 s1 s3 s2 s2"
                                + " s2 s1 s2 s3 s3 s3 s1 s2 s1 s3 s2 s1 s3 s3 s1 s3 s1 s3 s1 s1 s3 s3 s1 s3 s1 s3 s2 s1 s3 s3 s2 s1"
                                + " s1 s1 s3 s2 s3 s2 s3 s2 s3 s1 s2 s3 s1 s3 s1 s3 s2 s1 s3 s2 s1 s2 s3 s2 s2 s1 s3 s1 s3 s1 s3 s3"
                                + " s1 s1 s2 s2 s2 s3 s3 s1 s2 s2 s2");
    }

    @Test
    void fiveEqualServersMatchTheReferenceModel() {
        TestBackend backend =
                TestBackend.of(
                        HaproxyLine.V3_4,
                        reachingRunState(5),
                        Algorithm.LEASTCONN,
                        "s1 1",
                        "s2 1",
                        "s3 1",
                        "s4 1",
                        "s5 1");
        assertThat(String.join(" ", backend.sequential(40)))
                .isEqualTo(
                        "s1 s3 s4 s4 s4 s4 s5 s2 s1 s4 s3 s2 s4 s5"
                                + " s3 s5 s1 s2 s3 s3 s3 s4 s3 s5 s5 s5 s4 s1 s2 s5 s4 s1 s4 s2 s5 s3 s3 s1 s1 s4");
    }

    @Test
    void underLoadTheLeastLoadedServerStillWins() {
        TestBackend backend =
                TestBackend.of(
                        HaproxyLine.V3_2,
                        StatisticalPrng.reseededBy(7),
                        Algorithm.LEASTCONN,
                        "s1 1",
                        "s2 1",
                        "s3 1");
        List<Server> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(backend.take());
        }
        assertThat(held.stream().map(Server::name).sorted())
                .as("one each before anyone gets a second")
                .containsExactly("s1", "s2", "s3");
        backend.release(held.get(1));
        assertThat(backend.take()).as("the only idle server").isEqualTo(held.get(1));
    }

    @Test
    void olderLinesKeepTheStrictRotation() {
        TestBackend v30 =
                TestBackend.of(
                        HaproxyLine.V3_0,
                        StatisticalPrng.reseededBy(7),
                        Algorithm.LEASTCONN,
                        "s1 2",
                        "s2 1",
                        "s3 3");
        assertThat(v30.sequential(6)).containsExactly("s1", "s2", "s3", "s1", "s2", "s3");
        assertThat(backendAlgorithm(v30)).isInstanceOf(LeastConnBalancer.class);
    }

    private static void hold(TestBackend backend, List<String> picks, int count, boolean reverse) {
        List<Server> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Server server = backend.take();
            held.add(server);
            picks.add(server.name());
        }
        if (reverse) {
            Collections.reverse(held);
        }
        held.forEach(backend::release);
    }
}
