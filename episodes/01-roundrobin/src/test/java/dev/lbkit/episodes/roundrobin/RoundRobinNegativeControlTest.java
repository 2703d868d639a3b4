package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Negative controls for the exact per-request comparison and for the runtime API answers in a
 * side-by-side run: HAProxy gets the config as written, lbkit a deliberately wrong one, and the
 * comparison must reject lbkit.
 */
@Tag(NegativeControl.TAG)
class RoundRobinNegativeControlTest {
    private static final String WEIGHTED =
            "# weights 2/1/3\n"
                    + new SingleBackendConfig(
                                    "be",
                                    "s",
                                    "balance roundrobin",
                                    List.of(2, 1, 3),
                                    List.of("", "", ""))
                            .text();

    @Test
    void exactComparisonRejectsStaticRrWhereHaproxyRunsRoundrobin() throws Exception {
        Traffic traffic =
                Traffic.sequential("new connection each, s2 DOWN #30..#59", 90)
                        .withEvent(30, "disable server be/s2")
                        .withEvent(60, "enable server be/s2");
        Comparison c =
                NegativeControl.run(
                                "roundrobin 2/1/3, lbkit given static-rr",
                                WEIGHTED,
                                SideBySide.Options.exactRun(),
                                List.of(traffic),
                                NegativeControl.replace(
                                        "^(\\s*)balance roundrobin", "$1balance static-rr"))
                        .get(0);

        NegativeControl.record(
                "episode-01-roundrobin-vs-static-rr",
                "exact per-request comparison (episode 01)",
                "balance static-rr where HAProxy runs roundrobin (weights 2/1/3, s2 DOWN/UP)",
                c.verdict());
        assertThat(c.identical())
                .as(
                        "the per-request comparison rejects static-rr posing as roundrobin:%n%s",
                        c.explainDifference())
                .isFalse();
        assertThat(c.firstDifference())
                .as("and finds the first difference within the first weight cycle (6 requests)")
                .isLessThan(6);
    }

    @Test
    void runtimeApiCheckRejectsAnLbkitWhoseSocketRefusesTheDownUpCommands() throws Exception {
        Traffic traffic =
                Traffic.sequential("s2 DOWN #10..#19", 30)
                        .withEvent(10, "disable server be/s2")
                        .withEvent(20, "enable server be/s2");
        // lbkit's runtime API at 'level user' answers "Permission denied" to disable/enable: before
        // the
        // admin answers were checked, this run passed as a plain run on lbkit's side.
        Throwable refused =
                org.assertj.core.api.Assertions.catchThrowable(
                        () ->
                                NegativeControl.run(
                                        "roundrobin 2/1/3, lbkit's stats socket at level user",
                                        WEIGHTED,
                                        SideBySide.Options.exactRun(),
                                        List.of(traffic),
                                        NegativeControl.replace("level admin", "level user")));
        NegativeControl.record(
                "runtime-api-refused-down-up",
                "runtime API answers in a side-by-side run (SideBySide)",
                "its stats socket at level user, so 'disable server' is refused",
                refused == null ? "NOT REJECTED" : "rejected: " + refused.getMessage());
        assertThatThrownBy(
                        () ->
                                NegativeControl.run(
                                        "roundrobin 2/1/3, lbkit's stats socket at level user",
                                        WEIGHTED,
                                        SideBySide.Options.exactRun(),
                                        List.of(traffic),
                                        NegativeControl.replace("level admin", "level user")))
                .as(
                        "a refused 'disable server' fails the run instead of silently becoming a plain run")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused 'disable server be/s2'")
                .hasMessageContaining("Permission denied");
    }
}
