package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.HashKey;
import dev.lbkit.balancer.config.ServerSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ring point keys per HAProxy line and {@code hash-key}, with the vectors of docs/versions.md and
 * §4.2 (computed by the spec's reference model and confirmed by 300/300 picks on each real line).
 */
class RingKeysPerLineTest {

    private static ServerSpec server(int id, String host, int port, HashKey hashKey, String guid) {
        return new ServerSpec(
                "s" + id,
                host,
                port,
                1,
                id,
                false,
                false,
                2000,
                2,
                3,
                false,
                false,
                0,
                HashFixtures.HERE,
                hashKey,
                guid);
    }

    private static List<Long> points(ServerSpec server, HaproxyLine line) {
        int base = ConsistentRing.baseKey(server, line);
        List<Long> points = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            points.add(Integer.toUnsignedLong(Hashes.fullHash(base + i)));
        }
        return points;
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V2_6", "V3_2", "V3_4"})
    void defaultIdKeysAreIdTimes4096Outside30(HaproxyLine line) {
        assertThat(points(server(1, "127.0.0.1", 19001, HashKey.ID, null), line))
                .containsExactly(1237450891L, 2761370759L, 3040967754L);
        assertThat(points(server(2, "127.0.0.1", 19002, HashKey.ID, null), line))
                .containsExactly(1079705203L, 414606662L, 3013068156L);
        assertThat(points(server(3, "127.0.0.1", 19003, HashKey.ID, null), line))
                .containsExactly(1313307470L, 1860935227L, 1879274952L);
    }

    @Test
    void haproxy30HashesTheIdIntoTheBaseKey() {
        HaproxyLine line = HaproxyLine.V3_0;
        assertThat(
                        Integer.toUnsignedLong(
                                ConsistentRing.baseKey(
                                        server(1, "127.0.0.1", 1, HashKey.ID, null), line)))
                .as("B = full_hash(1)")
                .isEqualTo(881230262L);
        assertThat(points(server(1, "127.0.0.1", 19001, HashKey.ID, null), line))
                .containsExactly(399300999L, 1765433384L, 979858930L);
        assertThat(points(server(2, "127.0.0.1", 19002, HashKey.ID, null), line))
                .containsExactly(1739325048L, 2269125562L, 4163932905L);
        assertThat(points(server(3, "127.0.0.1", 19003, HashKey.ID, null), line))
                .containsExactly(1055909713L, 503005036L, 3641868670L);
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_2", "V3_4"})
    void addrAndAddrPortKeysAreTheSameOnEveryLineFrom30(HaproxyLine line) {
        ServerSpec addr = server(7, "127.0.0.1", 19001, HashKey.ADDR, null);
        assertThat(Integer.toUnsignedLong(ConsistentRing.baseKey(addr, line)))
                .isEqualTo(259664325L);
        assertThat(points(addr, line)).containsExactly(633630275L, 3296235876L, 2748295610L);
        ServerSpec addrPort = server(7, "127.0.0.1", 19001, HashKey.ADDR_PORT, null);
        assertThat(Integer.toUnsignedLong(ConsistentRing.baseKey(addrPort, line)))
                .isEqualTo(1620295214L);
        assertThat(points(addrPort, line)).containsExactly(1389403392L, 221349176L, 3975970170L);
    }

    @Test
    void id32AndGuidOn34() {
        HaproxyLine line = HaproxyLine.V3_4;
        assertThat(
                        Integer.toUnsignedLong(
                                ConsistentRing.baseKey(
                                        server(1, "127.0.0.1", 1, HashKey.ID32, null), line)))
                .isEqualTo(3959731533L);
        assertThat(
                        Integer.toUnsignedLong(
                                ConsistentRing.baseKey(
                                        server(1, "127.0.0.1", 1, HashKey.GUID, "srv-s1"), line)))
                .isEqualTo(2745430918L);
        assertThat(ConsistentRing.baseKey(server(5, "127.0.0.1", 1, HashKey.GUID, null), line))
                .as("guid without a guid: the id rule")
                .isEqualTo(5 * 4096);
    }

    @Test
    void addrWithoutAnAddressFallsBackToTheLinesIdRule() {
        ServerSpec noHost = server(2, "", 0, HashKey.ADDR, null);
        assertThat(ConsistentRing.baseKey(noHost, HaproxyLine.V3_2)).isEqualTo(2 * 4096);
        assertThat(ConsistentRing.baseKey(noHost, HaproxyLine.V3_0)).isEqualTo(Hashes.fullHash(2));
    }

    @Test
    void ipv6AddrUsesXxh32OfTheSixteenBytes() {
        byte[] loopback6 = new byte[16];
        loopback6[15] = 1;
        assertThat(
                        ConsistentRing.baseKey(
                                server(1, "::1", 80, HashKey.ADDR, null), HaproxyLine.V3_2))
                .isEqualTo(Xxh32.hash(loopback6, 0));
        assertThat(
                        ConsistentRing.baseKey(
                                server(1, "::1", 80, HashKey.ADDR_PORT, null), HaproxyLine.V3_2))
                .isEqualTo(Xxh32.hash(loopback6, Hashes.fullHash(80)));
    }

    @Test
    void xxh32StandardVectors() {
        assertThat(unsigned(Xxh32.hash(new byte[0], 0))).isEqualTo(0x02CC5D05L);
        assertThat(unsigned(Xxh32.hash(ascii("abc"), 0))).isEqualTo(852579327L);
        assertThat(unsigned(Xxh32.hash(ascii("Nobody inspects the spammish repetition"), 0)))
                .isEqualTo(0xE2293B2FL);
        // The reference self-test: a generated buffer, seeds 0 and P1 = 2654435761, short and long
        // lengths.
        byte[] current = sanityBuffer64(14);
        assertThat(unsigned(Xxh32.hash(Arrays.copyOf(current, 1), 0))).isEqualTo(0xCF65B03EL);
        assertThat(unsigned(Xxh32.hash(Arrays.copyOf(current, 1), 0x9E3779B1)))
                .isEqualTo(0xB4545AA4L);
        assertThat(unsigned(Xxh32.hash(current, 0))).isEqualTo(0x1208E7E2L);
        assertThat(unsigned(Xxh32.hash(current, 0x9E3779B1))).isEqualTo(0x6AF1D1FEL);
        byte[] older = sanityBuffer32(101);
        assertThat(unsigned(Xxh32.hash(older, 0)))
                .as("101 bytes: every stage")
                .isEqualTo(0x1F1AA412L);
        assertThat(unsigned(Xxh32.hash(older, 0x9E3779B1))).isEqualTo(0x498EC8E2L);
    }

    private static long unsigned(int value) {
        return Integer.toUnsignedLong(value);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The current reference self-test buffer: top byte of a 64-bit generator multiplied by a 64-bit
     * prime.
     */
    private static byte[] sanityBuffer64(int size) {
        byte[] buffer = new byte[size];
        long generator = 2654435761L;
        for (int i = 0; i < size; i++) {
            buffer[i] = (byte) (generator >>> 56);
            generator = generator * 0x9E3779B185EBCA8DL;
        }
        return buffer;
    }

    /** The older reference self-test buffer: top byte of a 32-bit generator that squares itself. */
    private static byte[] sanityBuffer32(int size) {
        byte[] buffer = new byte[size];
        int generator = 0x9E3779B1;
        for (int i = 0; i < size; i++) {
            buffer[i] = (byte) (generator >>> 24);
            generator = generator * generator;
        }
        return buffer;
    }
}
