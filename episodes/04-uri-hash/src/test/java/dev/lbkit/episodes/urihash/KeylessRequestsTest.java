package dev.lbkit.episodes.urihash;

import static dev.lbkit.episodes.sourcehash.HashFixtures.CONSISTENT;
import static dev.lbkit.episodes.sourcehash.HashFixtures.MAP_BASED;
import static dev.lbkit.episodes.sourcehash.HashFixtures.backend;
import static dev.lbkit.episodes.sourcehash.HashFixtures.forTarget;
import static dev.lbkit.episodes.sourcehash.HashFixtures.named;
import static dev.lbkit.episodes.sourcehash.HashFixtures.pickName;
import static dev.lbkit.episodes.sourcehash.HashFixtures.section;
import static dev.lbkit.episodes.sourcehash.HashFixtures.server;
import static dev.lbkit.episodes.sourcehash.HashFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.ServerSpec;
import dev.lbkit.episodes.sourcehash.NaiveRing;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a request without a key does on episode 03's map and ring: url_param and hdr(name) are the
 * algorithms whose key can be missing, so these cases live here.
 */
class KeylessRequestsTest {

    @Test
    void missingParameterFallsBackToAStaticRoundRobinWalkOfTheMap() {
        Backend backend =
                backend(
                        section(
                                named(Algorithm.URL_PARAM, "uid", false),
                                MAP_BASED,
                                servers(2, 1, 3)));
        List<String> misses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            misses.add(pickName(backend, forTarget("/no-param")));
            pickName(backend, forTarget("/p?uid=" + i)); // hashed requests do not move the walk
        }
        assertThat(misses)
                .as("the fallback walks the map 2/1/3 from slot 0")
                .containsExactly(
                        "s1", "s3", "s1", "s3", "s2", "s3", "s1", "s3", "s1", "s3", "s2", "s3");
    }

    @Test
    void emptyParameterValueHashesTheEmptyString() {
        Backend backend =
                backend(
                        section(
                                named(Algorithm.URL_PARAM, "uid", false),
                                MAP_BASED,
                                servers(2, 1, 3)));
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picks.add(pickName(backend, forTarget("/p?uid=")));
        }
        assertThat(picks)
                .as("sdbm(\"\") = 0 is map[0] every time, not a round-robin walk")
                .containsExactly("s1", "s1", "s1", "s1");
    }

    @Test
    void onlyBackupsLeftMeansTheFirstBackupsWeightSizesTheMap() {
        List<ServerSpec> specs =
                List.of(
                        server("a1", 1, 1, false),
                        server("b1", 2, 2, true),
                        server("b2", 3, 3, true));
        Backend backend =
                backend(section(named(Algorithm.URL_PARAM, "uid", false), MAP_BASED, specs));
        backend.setMaint(backend.server("a1").orElseThrow(), true);
        List<String> walk = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            walk.add(pickName(backend, forTarget("/")));
        }
        assertThat(walk)
                .as("HAProxy 2.6.12 static-rr alternates b1 b2 here: 2 slots, both backups compete")
                .containsExactly("b1", "b2", "b1", "b2");
    }

    @Test
    void oneUsableServerTakesEverything() {
        Backend backend =
                backend(section(named(Algorithm.HDR, "X-Key", false), MAP_BASED, servers(2, 1, 3)));
        backend.setMaint(backend.server("s1").orElseThrow(), true);
        backend.setMaint(backend.server("s3").orElseThrow(), true);
        assertThat(pickName(backend, forTarget("/")))
                .as("header absent, one server: hash 0")
                .isEqualTo("s2");
    }

    @Test
    void cursorOnARemovedPointMovesToTheFollowingPoint() {
        List<ServerSpec> specs = servers(1, 1, 1);
        Backend backend =
                backend(section(named(Algorithm.URL_PARAM, "uid", false), CONSISTENT, specs));
        List<NaiveRing.Point> points = new NaiveRing(specs).points;
        int c = 10;
        for (int i = 0; i <= c; i++) {
            pickName(backend, forTarget("/"));
        }
        String down = points.get(c).owner();
        backend.setMaint(backend.server(down).orElseThrow(), true);
        // The cursor moved to the first later point of another server; the next pick takes the one
        // after it.
        List<NaiveRing.Point> others = new ArrayList<>();
        for (int i = c + 1; i < points.size(); i++) {
            if (!points.get(i).owner().equals(down)) {
                others.add(points.get(i));
            }
        }
        assertThat(pickName(backend, forTarget("/")))
                .as("skips the point the cursor moved to")
                .isEqualTo(others.get(1).owner());
    }

    @Test
    void missingKeyWalksTheRingPointsInAscendingOrder() {
        List<ServerSpec> specs = servers(2, 1, 3);
        Backend backend =
                backend(section(named(Algorithm.URL_PARAM, "uid", false), CONSISTENT, specs));
        List<NaiveRing.Point> points = new NaiveRing(specs).points;
        for (int i = 0; i < 2 * points.size() + 5; i++) {
            assertThat(pickName(backend, forTarget("/no-param")))
                    .as("fallback pick " + i)
                    .isEqualTo(points.get(i % points.size()).owner());
            pickName(backend, forTarget("/p?uid=" + i)); // hashed requests leave the cursor alone
        }
    }
}
