package dev.lbkit.episodes.sourcehash;

import static dev.lbkit.episodes.sourcehash.HashFixtures.MAP_BASED;
import static dev.lbkit.episodes.sourcehash.HashFixtures.backend;
import static dev.lbkit.episodes.sourcehash.HashFixtures.pickName;
import static dev.lbkit.episodes.sourcehash.HashFixtures.section;
import static dev.lbkit.episodes.sourcehash.HashFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.config.Algorithm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashBalancerTest {

    @Test
    void absentClientAddressFallsBackToRoundRobin() {
        Backend backend =
                backend(
                        section(
                                HashFixtures.balance(Algorithm.SOURCE),
                                MAP_BASED,
                                servers(2, 1, 3)));
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            picks.add(pickName(backend, new RequestInfo(null, "/", name -> null)));
        }
        assertThat(picks).as("no IP client: the map walk").containsExactly("s1", "s3", "s1");
    }
}
