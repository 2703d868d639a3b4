package dev.lbkit.episodes.sourcehash;

import static dev.lbkit.episodes.sourcehash.HashFixtures.CONSISTENT;
import static dev.lbkit.episodes.sourcehash.HashFixtures.MAP_BASED;
import static dev.lbkit.episodes.sourcehash.HashFixtures.backend;
import static dev.lbkit.episodes.sourcehash.HashFixtures.balance;
import static dev.lbkit.episodes.sourcehash.HashFixtures.section;
import static dev.lbkit.episodes.sourcehash.HashFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.ServerSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The small pieces the hash algorithms share: key ranges, ASCII buffers, map round robin, static
 * weights.
 */
class HashPiecesTest {

    @Test
    void aRangePacksFromAndToWithoutLosingEitherHalf() {
        for (int[] r :
                new int[][] {{0, 0}, {3, 17}, {5, 70_000}, {0x7fffffff, 0x7fffffff}, {1, -1}}) {
            long range = HashKeys.range(r[0], r[1]);
            assertThat(HashKeys.rangeFrom(range))
                    .as("from of [%d, %d)", r[0], r[1])
                    .isEqualTo(r[0]);
            assertThat(HashKeys.rangeTo(range)).as("to of [%d, %d)", r[0], r[1]).isEqualTo(r[1]);
        }
        assertThat(HashKeys.range(0, 0))
                .as("the empty range at 0 is not 'no key'")
                .isNotEqualTo(HashKeys.NO_KEY);
    }

    @Test
    void asciiTextIsCopiedIntoTheBufferAndAnythingElseIsRefused() {
        byte[] buffer = new byte[4];
        assertThat(HashKeys.asciiInto("ab", buffer)).as("two ASCII chars").isEqualTo(2);
        assertThat(new String(buffer, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("ab");
        assertThat(HashKeys.asciiInto("abcd", buffer))
                .as("exactly the buffer's size still fits")
                .isEqualTo(4);
        assertThat(HashKeys.asciiInto("abcde", buffer))
                .as("one more than the buffer: the caller must allocate")
                .isEqualTo(-1);
        assertThat(HashKeys.asciiInto("a\u007f", buffer)).as("0x7F is still ASCII").isEqualTo(2);
        assertThat(HashKeys.asciiInto("a\u0080", buffer))
                .as("0x80 is not: UTF-8 takes two bytes")
                .isEqualTo(-1);
        assertThat(HashKeys.asciiInto("", buffer)).as("empty text").isZero();
        assertThat(HashKeys.bytes("caf\u00e9"))
                .as("UTF-8 bytes for non-ASCII text")
                .isEqualTo("caf\u00e9".getBytes(StandardCharsets.UTF_8))
                .hasSize(5);
    }

    @Test
    void mapRoundRobinWalksTheMapInOrderAndSkipsTheAvoidedServer() {
        List<ServerSpec> specs = servers(2, 1, 3);
        List<Server> runtime = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            runtime.add(new Server(specs.get(i), i));
        }
        MapBasedHash map = new MapBasedHash(runtime, false);
        List<String> lap = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            lap.add(map.nextRoundRobin(null).name());
        }
        assertThat(lap)
                .as("two laps of the 2/1/3 map, in map order")
                .containsExactly(
                        "s1", "s3", "s1", "s3", "s2", "s3", "s1", "s3", "s1", "s3", "s2", "s3");
        Server s3 = runtime.get(2);
        for (int i = 0; i < 12; i++) {
            assertThat(map.nextRoundRobin(s3)).as("pick #%d avoids s3", i).isNotSameAs(s3);
        }
        assertThat(map.used()).as("every server is in use").isEqualTo(3);
    }

    @Test
    void onlyMapBasedHashingFixesWeightsAtStartup() {
        assertThat(
                        backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(2, 1, 3)))
                                .staticWeights())
                .as("map-based: a static algorithm")
                .isTrue();
        assertThat(
                        backend(section(balance(Algorithm.SOURCE), CONSISTENT, servers(2, 1, 3)))
                                .staticWeights())
                .as("consistent: weights may change at run time")
                .isFalse();
        assertThat(new SourceHashAlgorithms().algorithms())
                .as("episode 03 serves balance source")
                .containsExactly(Algorithm.SOURCE);
    }
}
