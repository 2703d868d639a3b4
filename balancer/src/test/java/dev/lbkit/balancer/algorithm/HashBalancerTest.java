package dev.lbkit.balancer.algorithm;

import static dev.lbkit.balancer.algorithm.HashFixtures.CONSISTENT;
import static dev.lbkit.balancer.algorithm.HashFixtures.MAP_BASED;
import static dev.lbkit.balancer.algorithm.HashFixtures.backend;
import static dev.lbkit.balancer.algorithm.HashFixtures.forTarget;
import static dev.lbkit.balancer.algorithm.HashFixtures.named;
import static dev.lbkit.balancer.algorithm.HashFixtures.pickName;
import static dev.lbkit.balancer.algorithm.HashFixtures.section;
import static dev.lbkit.balancer.algorithm.HashFixtures.servers;
import static dev.lbkit.balancer.algorithm.HashFixtures.uri;
import static dev.lbkit.balancer.algorithm.HashFixtures.withHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HashFunction;
import dev.lbkit.balancer.config.HashType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashBalancerTest {

    private static final String[] MAP_2_1_3 = {"s1", "s3", "s1", "s3", "s2", "s3"};

    private static String mapSlot(int hash) {
        return MAP_2_1_3[Integer.remainderUnsigned(hash, 6)];
    }

    @Test
    void uriHashesThePathBeforeTheQuery() {
        Backend backend = backend(section(uri(false, 0, 0, false), MAP_BASED, servers(2, 1, 3)));
        assertThat(pickName(backend, forTarget("/index.html?x=1"))).as("sdbm(\"/index.html\") mod 6 = 0")
                .isEqualTo("s1");
        for (int i = 0; i < 200; i++) {
            String path = "/item/" + i;
            byte[] key = HashKeys.bytes(path);
            assertThat(pickName(backend, forTarget(path + "?v=" + i))).as(path)
                    .isEqualTo(mapSlot(Hashes.sdbm(key, 0, key.length)));
        }
    }

    @Test
    void namedFunctionAndAvalancheAreApplied() {
        HashType crc32Avalanche = new HashType(false, HashFunction.CRC32, true);
        Backend backend = backend(section(uri(false, 0, 0, false), crc32Avalanche, servers(2, 1, 3)));
        byte[] key = HashKeys.bytes("/index.html");
        assertThat(pickName(backend, forTarget("/index.html"))).as("map[full_hash(crc32) mod 6]")
                .isEqualTo(mapSlot(Hashes.fullHash(Hashes.crc32(key, 0, key.length))));
    }

    @Test
    void headerHashesItsFirstElementAndFallsBackWhenMissing() {
        Backend backend = backend(section(named(Algorithm.HDR, "X-Key", false), MAP_BASED, servers(2, 1, 3)));
        byte[] v = HashKeys.bytes("v");
        assertThat(pickName(backend, withHeaders(Map.of("x-key", "  v , w")))).as("hashes \"v\"")
                .isEqualTo(mapSlot(Hashes.sdbm(v, 0, 1)));
        List<String> fallbacks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fallbacks.add(pickName(backend, withHeaders(Map.of("Other", "x"))));
        }
        assertThat(fallbacks).as("absent header: the map walk").containsExactly(MAP_2_1_3);
    }

    @Test
    void useDomainOnlyHashesTheDomainLabel() {
        Backend backend = backend(section(named(Algorithm.HDR, "Host", true), CONSISTENT, servers(2, 1, 3)));
        assertThat(pickName(backend, withHeaders(Map.of("Host", "www.example.com"))))
                .as("www.example.com and api.example.org share the key \"example\"")
                .isEqualTo(pickName(backend, withHeaders(Map.of("Host", "api.example.org"))));
    }

    @Test
    void absentClientAddressFallsBackToRoundRobin() {
        Backend backend = backend(section(HashFixtures.balance(Algorithm.SOURCE), MAP_BASED, servers(2, 1, 3)));
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            picks.add(pickName(backend, new RequestInfo(null, "/", name -> null)));
        }
        assertThat(picks).as("no IP client: the map walk").containsExactly("s1", "s3", "s1");
    }
}
