package dev.lbkit.episodes.random;

import static dev.lbkit.episodes.sourcehash.HashFixtures.MAP_BASED;
import static dev.lbkit.episodes.sourcehash.HashFixtures.forTarget;
import static dev.lbkit.episodes.sourcehash.HashFixtures.pickName;
import static dev.lbkit.episodes.sourcehash.HashFixtures.random;
import static dev.lbkit.episodes.sourcehash.HashFixtures.section;
import static dev.lbkit.episodes.sourcehash.HashFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.ServerSpec;
import dev.lbkit.episodes.sourcehash.NaiveRing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What each HAProxy line changes in {@code balance random}: the seed (3.0), one stream per process,
 * 3.4's tie.
 */
class RandomLinesTest {
    private static final List<ServerSpec> WEIGHTS_2_1_3 = servers(2, 1, 3);

    private static Backend backend(
            ProxySection section, HaproxyLine line, StatisticalPrng prng, long[] clock) {
        return new Backend(
                section, (s, list) -> Algorithms.create(s, list, line, prng), () -> clock[0]);
    }

    private static List<String> ringOwners(int seed, int draws, int requests) {
        NaiveRing ring = new NaiveRing(WEIGHTS_2_1_3);
        XorShift32 generator = new XorShift32(seed);
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

    @Test
    void from30TheStreamStartsAtTheFixedSeedPlusThePerProcessValue() {
        int perProcess = 0x5EED1234;
        // 3.2: 3.0's seed rule on 2.6's ring, the one NaiveRing draws (3.0.11's ring keys differ).
        Backend backend =
                backend(
                        section(random(1), MAP_BASED, WEIGHTS_2_1_3),
                        HaproxyLine.V3_2,
                        StatisticalPrng.reseededBy(perProcess),
                        new long[1]);
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            picks.add(pickName(backend, forTarget("/")));
        }
        assertThat(picks)
                .isEqualTo(ringOwners(StatisticalPrng.FIXED_SEED + perProcess, 1, 500))
                .isNotEqualTo(ringOwners(StatisticalPrng.FIXED_SEED, 1, 500));
    }

    @Test
    void twoRandomBackendsTakeTurnsOnTheProcesssOneStream() {
        ProxySection section = section(random(1), MAP_BASED, WEIGHTS_2_1_3);
        StatisticalPrng shared = StatisticalPrng.fixedSeed();
        Backend first = backend(section, HaproxyLine.V2_6, shared, new long[1]);
        Backend second = backend(section, HaproxyLine.V2_6, shared, new long[1]);
        List<String> all = new ArrayList<>();
        List<String> firstOnly = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String a = pickName(first, forTarget("/"));
            String b = pickName(second, forTarget("/"));
            all.add(a);
            all.add(b);
            firstOnly.add(a);
        }
        List<String> oneStream = ringOwners(StatisticalPrng.FIXED_SEED, 1, 600);
        assertThat(all)
                .as("both backends together consume HAProxy's one stream")
                .isEqualTo(oneStream);
        assertThat(firstOnly)
                .as("so one backend alone no longer sees every output (issue 19)")
                .isNotEqualTo(oneStream.subList(0, 300));
    }

    private static Map<String, Double> sequentialShares(HaproxyLine line, int requests) {
        long[] clock = {1_000_000};
        Backend backend =
                backend(
                        section(random(2), MAP_BASED, WEIGHTS_2_1_3),
                        line,
                        StatisticalPrng.reseededBy(0x1234567),
                        clock);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            counts.merge(pickName(backend, forTarget("/")), 1, Integer::sum);
            clock[0] += 3; // about 330 requests per second, one at a time
        }
        Map<String, Double> shares = new HashMap<>();
        counts.forEach((name, count) -> shares.put(name, 100.0 * count / requests));
        return shares;
    }

    @Test
    void in34EqualLoadsGoToTheLowerSessionRateSoSharesFollowTheWeights() {
        Map<String, Double> v34 = sequentialShares(HaproxyLine.V3_4, 6000);
        assertThat(v34.get("s1")).isCloseTo(33.3, within(1.5));
        assertThat(v34.get("s2")).isCloseTo(16.7, within(1.5));
        assertThat(v34.get("s3")).isCloseTo(50.0, within(1.5));
        Map<String, Double> v32 = sequentialShares(HaproxyLine.V3_2, 6000);
        assertThat(v32.get("s1"))
                .as("3.2: the later draw wins, ring shares 38.4/14.2/47.4")
                .isCloseTo(38.4, within(2.0));
        assertThat(v32.get("s2")).isCloseTo(14.2, within(2.0));
    }

    @Test
    void theRateCounterSlidesOverOneSecond() {
        SessionRate34 rate = new SessionRate34();
        assertThat(rate.read(0)).isZero();
        rate.count(0);
        rate.count(100);
        rate.count(900);
        assertThat(rate.read(999)).as("3 in the current period, none before").isEqualTo(3);
        assertThat(rate.read(1000)).isEqualTo(3);
        assertThat(rate.read(1500)).as("half of the past period still counts").isEqualTo(1);
        assertThat(rate.read(2000)).isZero();
        rate.count(1200);
        assertThat(rate.read(1200)).as("past 3 * 800/1000 + 1").isEqualTo(3);
        rate.count(5000);
        assertThat(rate.read(5000)).as("two periods missed: starts again").isEqualTo(1);
    }
}
