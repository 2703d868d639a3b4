package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HashFunction;
import dev.lbkit.episodes.sourcehash.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The facts the lesson states about the hash functions, each checked here: djb2's uneven map for
 * {@code /item/1..1000} and why, and CRC-32's linearity.
 */
class HashFactsTest {

    private static final List<String> ITEMS = UriCorpus.sequentialItems(HashSpreadPicture.KEYS);

    @Test
    void djb2SpreadsUnevenlyInTheMapOfThreeServers() throws Exception {
        HashSpreadPicture.Row djb2 =
                HashSpreadPicture.rows().stream()
                        .filter(row -> row.function() == HashFunction.DJB2 && !row.avalanche())
                        .findFirst()
                        .orElseThrow();
        assertThat(djb2.inMap())
                .as("djb2, map-based, three servers of weight 1 (the lesson's table)")
                .isEqualTo(Map.of("server1", 300, "server2", 391, "server3", 309));
    }

    @Test
    void djb2ModThreeIsTheLastByteMinusTheCarryOfTheLastStep() {
        // 33 is a multiple of 3 and 2^32 is 1 more than a multiple of 3. So, mod 3, the last step
        // h = 33 * prev + c (mod 2^32) leaves only c minus the carry: the part that overflowed 32
        // bits.
        Map<Long, Integer> carries = new TreeMap<>();
        for (String uri : ITEMS) {
            byte[] key = uri.getBytes(StandardCharsets.US_ASCII);
            int prev = Hashes.djb2(key, 0, key.length - 1);
            int last = key[key.length - 1] & 0xff;
            long full = 33L * Integer.toUnsignedLong(prev) + last;
            long carry = full >>> 32;
            long h = Integer.toUnsignedLong(Hashes.djb2(key, 0, key.length));
            assertThat(h).as(uri).isEqualTo(full & 0xffffffffL);
            assertThat(Math.floorMod(h, 3))
                    .as(uri + ": h mod 3")
                    .isEqualTo(Math.floorMod(last - carry, 3));
            carries.merge(carry, 1, Integer::sum);
        }
        assertThat(carries)
                .as("the carry depends only on the length: /item/100../item/999 all carry 17")
                .isEqualTo(Map.of(16L, 9, 4L, 90, 17L, 900, 2L, 1));
    }

    @Test
    void withTheSameCarryTheLastDigitAloneChoosesAndFourDigitsShareOneServer() {
        // '0' is 48, a multiple of 3: the digits 0, 3, 6, 9 share a residue, 1 4 7 and 2 5 8 the
        // others.
        int[] perResidue = new int[3];
        for (String uri : ITEMS) {
            if (uri.length() == "/item/100".length()) {
                byte[] key = uri.getBytes(StandardCharsets.US_ASCII);
                perResidue[Integer.remainderUnsigned(Hashes.djb2(key, 0, key.length), 3)]++;
            }
        }
        assertThat(perResidue)
                .as("the 900 three-digit items: 4 in 10 land on h mod 3 = 1 (server2)")
                .containsExactly(270, 360, 270);
    }

    @Test
    void crc32IsLinearForInputsOfEqualLength() {
        byte[] a = "/item/123".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "/ITEM/9x7".getBytes(StandardCharsets.US_ASCII);
        byte[] zeros = new byte[a.length];
        byte[] xor = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            xor[i] = (byte) (a[i] ^ b[i]);
        }
        assertThat(crc(xor))
                .as("crc(a xor b) = crc(a) xor crc(b) xor crc(zeros of the same length)")
                .isEqualTo(crc(a) ^ crc(b) ^ crc(zeros));
    }

    @Test
    void aGivenBitFlipAlwaysFlipsTheSameOutputBits() {
        // Flip bit 0 of the last byte in many different URIs of the same length: the change in the
        // result is the same every time. CRC-32 does not "flip about half the bits at random".
        Integer difference = null;
        for (String uri : ITEMS) {
            if (uri.length() != "/item/100".length()) {
                continue;
            }
            byte[] key = uri.getBytes(StandardCharsets.US_ASCII);
            byte[] flipped = key.clone();
            flipped[flipped.length - 1] ^= 1;
            int d = crc(key) ^ crc(flipped);
            if (difference == null) {
                difference = d;
            }
            assertThat(d).as(uri).isEqualTo(difference);
        }
    }

    @Test
    void djb2InMapsOfFourAndElevenSlots() {
        // The answer to the lesson's exercise 5. 2^32 is a multiple of 4 and 33 is 1 more than one:
        // h mod 4 depends on every byte. 33 = 3 * 11: h mod 11 is the last byte minus 4 * carry.
        assertThat(residues(4)).containsExactly(251, 249, 248, 252);
        assertThat(residues(11)).containsExactly(100, 10, 100, 100, 100, 99, 99, 101, 100, 91, 100);
    }

    private static int[] residues(int slots) {
        int[] counts = new int[slots];
        for (String uri : ITEMS) {
            byte[] key = uri.getBytes(StandardCharsets.US_ASCII);
            counts[Integer.remainderUnsigned(Hashes.djb2(key, 0, key.length), slots)]++;
        }
        return counts;
    }

    private static int crc(byte[] bytes) {
        return Hashes.crc32(bytes, 0, bytes.length);
    }
}
