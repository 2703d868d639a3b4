package dev.lbkit.episodes.urihash;

import static dev.lbkit.episodes.sourcehash.HashFixtures.CONSISTENT;
import static dev.lbkit.episodes.sourcehash.HashFixtures.MAP_BASED;
import static dev.lbkit.episodes.sourcehash.HashFixtures.backend;
import static dev.lbkit.episodes.sourcehash.HashFixtures.forTarget;
import static dev.lbkit.episodes.sourcehash.HashFixtures.named;
import static dev.lbkit.episodes.sourcehash.HashFixtures.pickName;
import static dev.lbkit.episodes.sourcehash.HashFixtures.section;
import static dev.lbkit.episodes.sourcehash.HashFixtures.servers;
import static dev.lbkit.episodes.sourcehash.HashFixtures.uri;
import static dev.lbkit.episodes.sourcehash.HashFixtures.withHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HashFunction;
import dev.lbkit.balancer.config.HashType;
import dev.lbkit.balancer.config.Where;
import dev.lbkit.episodes.sourcehash.HashKeys;
import dev.lbkit.episodes.sourcehash.Hashes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UriHashAlgorithmsTest {

    private static final String[] MAP_2_1_3 = {"s1", "s3", "s1", "s3", "s2", "s3"};

    private static String mapSlot(int hash) {
        return MAP_2_1_3[Integer.remainderUnsigned(hash, 6)];
    }

    @Test
    void uriHashesThePathBeforeTheQuery() {
        Backend backend = backend(section(uri(false, 0, 0, false), MAP_BASED, servers(2, 1, 3)));
        assertThat(pickName(backend, forTarget("/index.html?x=1")))
                .as("sdbm(\"/index.html\") mod 6 = 0")
                .isEqualTo("s1");
        for (int i = 0; i < 200; i++) {
            String path = "/item/" + i;
            byte[] key = HashKeys.bytes(path);
            assertThat(pickName(backend, forTarget(path + "?v=" + i)))
                    .as(path)
                    .isEqualTo(mapSlot(Hashes.sdbm(key, 0, key.length)));
        }
    }

    @Test
    void namedFunctionAndAvalancheAreApplied() {
        HashType crc32Avalanche = new HashType(false, HashFunction.CRC32, true);
        Backend backend =
                backend(section(uri(false, 0, 0, false), crc32Avalanche, servers(2, 1, 3)));
        byte[] key = HashKeys.bytes("/index.html");
        assertThat(pickName(backend, forTarget("/index.html")))
                .as("map[full_hash(crc32) mod 6]")
                .isEqualTo(mapSlot(Hashes.fullHash(Hashes.crc32(key, 0, key.length))));
    }

    @Test
    void headerHashesItsFirstElementAndFallsBackWhenMissing() {
        Backend backend =
                backend(section(named(Algorithm.HDR, "X-Key", false), MAP_BASED, servers(2, 1, 3)));
        byte[] v = HashKeys.bytes("v");
        assertThat(pickName(backend, withHeaders(Map.of("x-key", "  v , w"))))
                .as("hashes \"v\"")
                .isEqualTo(mapSlot(Hashes.sdbm(v, 0, 1)));
        List<String> fallbacks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fallbacks.add(pickName(backend, withHeaders(Map.of("Other", "x"))));
        }
        assertThat(fallbacks).as("absent header: the map walk").containsExactly(MAP_2_1_3);
    }

    @Test
    void hashExpressionHashesTheSampleAndFallsBackOnlyWhenItIsMissing() {
        Backend backend =
                backend(
                        section(
                                named(Algorithm.HASH, "req.hdr(x-key),lower", false),
                                MAP_BASED,
                                servers(2, 1, 3)));
        byte[] w = HashKeys.bytes("w");
        assertThat(pickName(backend, withHeaders(Map.of("x-key", "v, W"))))
                .as("hashes \"w\": the last element, lowered")
                .isEqualTo(mapSlot(Hashes.sdbm(w, 0, 1)));
        List<String> empty = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            empty.add(pickName(backend, withHeaders(Map.of("x-key", ""))));
        }
        assertThat(empty)
                .as("an empty sample is hashed: sdbm(\"\") = 0, slot 0")
                .containsOnly("s1");
        List<String> fallbacks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fallbacks.add(pickName(backend, withHeaders(Map.of("Other", "x"))));
        }
        assertThat(fallbacks).as("a missing sample: the map walk").containsExactly(MAP_2_1_3);
    }

    @Test
    void hashExpressionLbkitCannotEvaluateIsRefusedWithItsLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                backend(
                                        section(
                                                named(Algorithm.HASH, "req.body", false),
                                                MAP_BASED,
                                                servers(2, 1, 3))))
                .as("refused when the backend is built, naming the balance line")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'balance hash req.body' uses the fetch 'req.body'")
                .hasMessageContaining("Hash one of path, pathq");
    }

    @Test
    void useDomainOnlyHashesTheDomainLabel() {
        Backend backend =
                backend(section(named(Algorithm.HDR, "Host", true), CONSISTENT, servers(2, 1, 3)));
        assertThat(pickName(backend, withHeaders(Map.of("Host", "www.example.com"))))
                .as("www.example.com and api.example.org share the key \"example\"")
                .isEqualTo(pickName(backend, withHeaders(Map.of("Host", "api.example.org"))));
    }

    @Test
    void balanceLinesAreReadByThisEpisodesProvider() throws Exception {
        assertThat(balance("uri whole len 12 depth 2 path-only"))
                .as("uri with every option")
                .isEqualTo(
                        new Balance(
                                Algorithm.URI,
                                true,
                                12,
                                2,
                                true,
                                2,
                                null,
                                false,
                                false,
                                new Where("test.cfg", 4)));
        assertThat(balance("hdr(X-User) use_domain_only"))
                .as("hdr name and modifier")
                .extracting(Balance::name, Balance::useDomainOnly)
                .containsExactly("X-User", true);
        assertThat(balance("hash req.cook(sid),lower"))
                .as("hash keeps its expression as written")
                .extracting(Balance::algorithm, Balance::name)
                .containsExactly(Algorithm.HASH, "req.cook(sid),lower");
        assertThat(balance("url_param uid check_post"))
                .as("url_param")
                .extracting(Balance::name, Balance::checkPost)
                .containsExactly("uid", true);
    }

    @Test
    void wrongArgumentsGetHaproxysAlert() {
        assertThat(alert("uri len 0"))
                .as("len must be positive")
                .isEqualTo(
                        "[ALERT] parsing [test.cfg:4] : balance uri : 'len' expects a positive integer (got '0').");
        assertThat(alert("hdr()"))
                .isEqualTo(
                        "[ALERT] parsing [test.cfg:4] : balance hdr requires an http header field name.");
        assertThat(alert("url_param"))
                .isEqualTo(
                        "[ALERT] parsing [test.cfg:4] : balance url_param requires an URL parameter name.");
    }

    /** The balance line is line 4 of this config. */
    private static Balance balance(String words) throws ConfigException {
        String config =
                "defaults\n    mode http\nbackend app\n    balance "
                        + words
                        + "\n    server a 127.0.0.1:5001\n";
        return ConfigParser.parse(config, "test.cfg").backend("app").orElseThrow().balance();
    }

    private static String alert(String words) {
        try {
            balance(words);
            throw new AssertionError("balance " + words + " was accepted");
        } catch (ConfigException e) {
            return e.alerts().get(0);
        }
    }

    @org.junit.jupiter.api.Test
    void providerServesUriUrlParamHdrHashAndRdpCookie() {
        org.assertj.core.api.Assertions.assertThat(new UriHashAlgorithms().algorithms())
                .as("episode 04 serves five")
                .containsExactlyInAnyOrder(
                        dev.lbkit.balancer.config.Algorithm.URI,
                        dev.lbkit.balancer.config.Algorithm.URL_PARAM,
                        dev.lbkit.balancer.config.Algorithm.HDR,
                        dev.lbkit.balancer.config.Algorithm.HASH,
                        dev.lbkit.balancer.config.Algorithm.RDP_COOKIE);
    }
}
