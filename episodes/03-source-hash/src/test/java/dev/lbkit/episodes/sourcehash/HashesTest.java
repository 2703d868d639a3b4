package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HashFunction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashesTest {

    private static long unsigned(int value) {
        return Integer.toUnsignedLong(value);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static long hash(HashFunction function, String text) {
        byte[] bytes = ascii(text);
        return unsigned(Hashes.hash(function, bytes, 0, bytes.length));
    }

    @Test
    void sdbmMatchesHaproxyVectors() {
        assertThat(hash(HashFunction.SDBM, "/"))
                .as("sdbm of a single byte is the byte")
                .isEqualTo(47L);
        assertThat(hash(HashFunction.SDBM, "/index.html"))
                .as("sdbm(\"/index.html\")")
                .isEqualTo(858007926L);
        assertThat(hash(HashFunction.SDBM, "")).as("sdbm of nothing is 0").isEqualTo(0L);
    }

    @Test
    void djb2Wt6AndCrc32MatchHaproxyVectors() {
        assertThat(hash(HashFunction.DJB2, "/index.html"))
                .as("djb2(\"/index.html\")")
                .isEqualTo(3776231887L);
        assertThat(hash(HashFunction.WT6, "/index.html"))
                .as("wt6(\"/index.html\")")
                .isEqualTo(822151038L);
        assertThat(hash(HashFunction.CRC32, "/index.html"))
                .as("crc32(\"/index.html\")")
                .isEqualTo(3928116034L);
        assertThat(hash(HashFunction.CRC32, "123456789"))
                .as("the CRC-32 check value")
                .isEqualTo(0xCBF43926L);
    }

    @Test
    void readsBytesAsUnsigned() {
        byte[] high = {(byte) 0xff};
        assertThat(unsigned(Hashes.sdbm(high, 0, 1)))
                .as("byte 0xff counts as 255, not -1")
                .isEqualTo(255L);
        assertThat(unsigned(Hashes.djb2(high, 0, 1)))
                .as("djb2 of 0xff")
                .isEqualTo(5381L * 33 + 255);
    }

    @Test
    void hashesOnlyTheGivenRange() {
        byte[] bytes = ascii("xx/index.htmlyy");
        assertThat(unsigned(Hashes.sdbm(bytes, 2, 13)))
                .as("a sub-range hashes like the same bytes alone")
                .isEqualTo(858007926L);
    }

    @Test
    void fullHashMatchesHaproxyVectors() {
        assertThat(unsigned(Hashes.fullHash(0))).as("full_hash(0)").isEqualTo(2874071335L);
        assertThat(unsigned(Hashes.fullHash(1))).as("full_hash(1)").isEqualTo(881230262L);
        assertThat(unsigned(Hashes.fullHash(0x7F000101)))
                .as("full_hash(127.0.1.1)")
                .isEqualTo(4138135820L);
        assertThat(unsigned(Hashes.avalanche(1)))
                .as("avalanche is full_hash")
                .isEqualTo(881230262L);
    }

    @Test
    void noneReadsTheKeyAsADecimalNumber() {
        assertThat(decimal("7919")).as("digits are the hash").isEqualTo(7919);
        assertThat(decimal("-1")).as("a sign is read; the low 32 bits are kept").isEqualTo(-1);
        assertThat(decimal("12ab")).as("digits up to the first other byte").isEqualTo(12);
        assertThat(decimal("abc")).as("no digits: 0").isZero();
        assertThat(decimal("4294967296")).as("2^32 keeps its low 32 bits").isZero();
        assertThat(decimal("99999999999999999999"))
                .as("past 64 bits it stays at the largest long")
                .isEqualTo((int) Long.MAX_VALUE);
    }

    private static int decimal(String key) {
        byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return Hashes.hash(dev.lbkit.balancer.config.HashFunction.NONE, bytes, 0, bytes.length);
    }
}
