package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HashFunction;
import dev.lbkit.episodes.sourcehash.Hashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed hash-spread.svg is what lbkit's hash functions give today, and it shows what the
 * lesson says.
 */
class HashSpreadPictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        String committed = Files.readString(Path.of("hash-spread.svg"));
        assertThat(committed)
                .as(
                        "hash-spread.svg is regenerated from the code (run HashSpreadPicture from the repository root)")
                .isEqualTo(HashSpreadPicture.svg(HashSpreadPicture.rows()));
    }

    @Test
    void sequentialUrisPileUpOnTheRingWithoutAvalancheForSdbmAndDjb2() throws Exception {
        List<HashSpreadPicture.Row> rows = HashSpreadPicture.rows();
        for (HashSpreadPicture.Row row : rows) {
            int busiestOnRing = Collections.max(row.onRing().values());
            int busiestInMap = Collections.max(row.inMap().values());
            boolean clustered =
                    !row.avalanche()
                            && (row.function() == HashFunction.SDBM
                                    || row.function() == HashFunction.DJB2);
            if (clustered) {
                assertThat(busiestOnRing)
                        .as(row.label() + ": nearby raw hashes share one arc of the ring")
                        .isGreaterThan(HashSpreadPicture.KEYS * 8 / 10);
            } else {
                assertThat(busiestOnRing)
                        .as(row.label() + ": well mixed keys spread over the ring")
                        .isLessThan(HashSpreadPicture.KEYS * 45 / 100);
            }
            assertThat(busiestInMap)
                    .as(row.label() + ": h mod 3 spreads even nearby values")
                    .isLessThan(HashSpreadPicture.KEYS * 45 / 100);
            assertThat(sum(row.onRing()))
                    .as("every key was placed")
                    .isEqualTo(HashSpreadPicture.KEYS);
        }
    }

    @Test
    void sdbmAndDjb2AreLinearInTheLastByteAndAvalancheBreaksThat() {
        int sdbm1 = sdbm("/item/1");
        assertThat(sdbm("/item/2") - sdbm1)
                .as("sdbm: the next URI is the next number")
                .isEqualTo(1);
        assertThat(sdbm("/item/13"))
                .as("sdbm: one more byte multiplies by 65599 and adds the byte")
                .isEqualTo(sdbm1 * 65599 + '3');
        assertThat(djb2("/item/2") - djb2("/item/1"))
                .as("djb2: the next URI is the next number")
                .isEqualTo(1);
        int flipped = Integer.bitCount(Hashes.avalanche(sdbm1) ^ Hashes.avalanche(sdbm("/item/2")));
        assertThat(flipped)
                .as("avalanche: inputs 1 apart differ in about half of the 32 output bits")
                .isBetween(8, 24);
    }

    private static int sdbm(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return Hashes.sdbm(bytes, 0, bytes.length);
    }

    private static int djb2(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return Hashes.djb2(bytes, 0, bytes.length);
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
