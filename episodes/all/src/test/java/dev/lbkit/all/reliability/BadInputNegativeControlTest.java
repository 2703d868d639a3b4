package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Negative controls for the two bad-input comparisons of this package: HAProxy gets the suite's
 * config as written, lbkit a deliberately wrong one, and the same per-case comparison of answers
 * must reject lbkit.
 */
@Tag(NegativeControl.TAG)
class BadInputNegativeControlTest {

    @Test
    void badHttpComparisonRejectsAnotherClientTimeout() throws Exception {
        List<String> timed = List.of("slow headers", "idle after connect");
        List<String> rejected = new ArrayList<>();
        try (SameConfig both =
                SameConfig.start(
                        BadHttpInputTest.CONFIG,
                        NegativeControl.replace("timeout client 1s", "timeout client 10s"))) {
            both.haproxyOrSkip("the bad HTTP input negative control");
            for (BadHttpInputTest.Case c : BadHttpInputTest.cases()) {
                if (timed.contains(c.name())) {
                    RawExchange.Outcome lbkit =
                            RawExchange.send(
                                    both.lbkitPort(), c.bytes(), c.halfClose(), c.silenceMs());
                    RawExchange.Outcome haproxy =
                            RawExchange.send(
                                    both.haproxyPort(), c.bytes(), c.halfClose(), c.silenceMs());
                    if (!lbkit.summary().equals(haproxy.summary())) {
                        rejected.add(
                                c.name()
                                        + " (HAProxy "
                                        + haproxy.summary()
                                        + ", lbkit "
                                        + lbkit.summary()
                                        + ")");
                    }
                }
            }
        }
        NegativeControl.record(
                "bad-http-input-timeout-client",
                "bad HTTP input (status per case vs HAProxy)",
                "timeout client 10s instead of 1s",
                rejected.size() + "/" + timed.size() + " cases rejected: " + rejected);
        assertThat(rejected)
                .as(
                        "the per-case status comparison rejects an lbkit that waits 10 s for a request head")
                .hasSize(timed.size());
    }

    @Test
    void runtimeApiComparisonRejectsAnAdminSocketAtOperatorLevel() throws Exception {
        List<String> rejected = new ArrayList<>();
        try (SameConfig both =
                SameConfig.start(
                        RuntimeApiBadInputTest.CONFIG,
                        NegativeControl.replace("level admin", "level operator"))) {
            both.haproxyOrSkip("the runtime API negative control");
            for (RuntimeApiBadInputTest.Case c : RuntimeApiBadInputTest.cases()) {
                if (c.level() != RuntimeApiBadInputTest.Level.ADMIN
                        || RuntimeApiBadInputTest.HAPROXY_DIFFERS.containsKey(c.name())) {
                    continue;
                }
                String lbkit = RuntimeApiBadInputTest.send(both.lbkitStats(), c.line());
                String haproxy = RuntimeApiBadInputTest.send(both.haproxyStats(), c.line());
                if (!RuntimeApiBadInputTest.shape(lbkit, c.match())
                        .equals(RuntimeApiBadInputTest.shape(haproxy, c.match()))) {
                    rejected.add(c.name());
                }
            }
        }
        NegativeControl.record(
                "runtime-api-operator-level",
                "runtime API answers (text per command vs HAProxy)",
                "its admin stats socket at level operator",
                rejected.size() + " admin cases rejected: " + rejected);
        assertThat(rejected)
                .as(
                        "the per-command answer comparison rejects an admin socket that refuses admin commands")
                .contains("disable then enable at admin level", "unknown server", "weight too big");
    }
}
