package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Negative control for the exact per-client comparison of episode 03: HAProxy hashes source
 * addresses on a consistent ring, lbkit is given {@code hash-type map-based}; the comparison must
 * reject it.
 */
@Tag(NegativeControl.TAG)
class SourceHashNegativeControlTest {
    private static final int CLIENTS = 300;

    @Test
    void exactComparisonRejectsMapBasedHashingWhereHaproxyUsesTheConsistentRing() throws Exception {
        String config =
                SourceHashParityTest.config(
                        "consistent", "balance source\n    hash-type consistent", "2:1:3");
        Comparison c;
        try (SideBySide sides =
                SideBySide.startNegativeControl(
                        "source consistent, lbkit given map-based",
                        config,
                        Parity.haproxy(),
                        SideBySide.Options.exactRun(),
                        NegativeControl.replace("hash-type consistent", "hash-type map-based"))) {
            c =
                    ParallelClients.compare(
                            sides,
                            "NEGATIVE CONTROL source consistent, lbkit given map-based",
                            config,
                            Clients.rounds(CLIENTS + " clients", Clients.addresses(CLIENTS), 1),
                            4);
        }
        NegativeControl.record(
                "episode-03-consistent-vs-map-based",
                "exact per-client comparison (episode 03)",
                "hash-type map-based where HAProxy runs consistent",
                c.identical()
                        ? "NOT REJECTED"
                        : "rejected at client #" + c.firstDifference() + ", " + c.summary());
        assertThat(c.identical())
                .as(
                        "the per-client comparison rejects map-based hashing posing as consistent:%n%s",
                        c.explainDifference())
                .isFalse();
        assertThat(c.total() - c.matching())
                .as("and many clients land elsewhere, not one by chance")
                .isGreaterThan(CLIENTS / 10);
    }
}
