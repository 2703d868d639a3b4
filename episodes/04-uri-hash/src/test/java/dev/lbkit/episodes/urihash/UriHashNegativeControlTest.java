package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Negative control for the exact per-request comparison of episode 04: HAProxy hashes URIs with
 * sdbm, lbkit is given djb2 (another hash function, same ring); the comparison must reject it.
 */
@Tag(NegativeControl.TAG)
class UriHashNegativeControlTest {
    private static final int URIS = 300;

    @Test
    void exactComparisonRejectsAnotherHashFunction() throws Exception {
        String config =
                "# uri, consistent sdbm avalanche\n"
                        + new SingleBackendConfig(
                                        "be",
                                        "s",
                                        "balance uri\n    hash-type consistent sdbm avalanche",
                                        List.of(1, 1, 1),
                                        List.of("", "", ""))
                                .text();
        List<String> uris = UriCorpus.originForm(URIS, 18L);
        Traffic traffic =
                Traffic.of(URIS + " distinct URIs", URIS, i -> Traffic.Request.get(uris.get(i)));
        Comparison c =
                NegativeControl.run(
                                "uri sdbm, lbkit given djb2",
                                config,
                                SideBySide.Options.exactRun(),
                                List.of(traffic),
                                NegativeControl.replace(
                                        "consistent sdbm avalanche", "consistent djb2 avalanche"))
                        .get(0);

        NegativeControl.record(
                "episode-04-sdbm-vs-djb2",
                "exact per-request comparison (episode 04)",
                "hash-type consistent djb2 avalanche where HAProxy runs sdbm",
                c.verdict());
        assertThat(c.identical())
                .as(
                        "the per-request comparison rejects djb2 posing as sdbm:%n%s",
                        c.explainDifference())
                .isFalse();
        assertThat(c.total() - c.matching())
                .as("and about two thirds of the URIs land elsewhere, not a handful")
                .isGreaterThan(URIS / 3);
    }
}
