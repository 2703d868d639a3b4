package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HashFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed hash-spread.svg is what lbkit's hash functions give today, and it shows what the lesson says. */
class HashSpreadPictureTest {

    @Test
    void committedPictureMatchesTheCode() throws Exception {
        String committed = Files.readString(Path.of("hash-spread.svg"));
        assertThat(committed)
                .as("hash-spread.svg is regenerated from the code (run HashSpreadPicture from the repository root)")
                .isEqualTo(HashSpreadPicture.svg(HashSpreadPicture.rows()));
    }

    @Test
    void sequentialUrisPileUpOnTheRingWithoutAvalancheForSdbmAndDjb2() throws Exception {
        List<HashSpreadPicture.Row> rows = HashSpreadPicture.rows();
        for (HashSpreadPicture.Row row : rows) {
            int busiestOnRing = Collections.max(row.onRing().values());
            int busiestInMap = Collections.max(row.inMap().values());
            boolean clustered = !row.avalanche()
                    && (row.function() == HashFunction.SDBM || row.function() == HashFunction.DJB2);
            if (clustered) {
                assertThat(busiestOnRing).as(row.label() + ": nearby raw hashes share one arc of the ring")
                        .isGreaterThan(HashSpreadPicture.KEYS * 8 / 10);
            } else {
                assertThat(busiestOnRing).as(row.label() + ": well mixed keys spread over the ring")
                        .isLessThan(HashSpreadPicture.KEYS * 45 / 100);
            }
            assertThat(busiestInMap).as(row.label() + ": h mod 3 spreads even nearby values")
                    .isLessThan(HashSpreadPicture.KEYS * 45 / 100);
            assertThat(sum(row.onRing())).as("every key was placed").isEqualTo(HashSpreadPicture.KEYS);
        }
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
