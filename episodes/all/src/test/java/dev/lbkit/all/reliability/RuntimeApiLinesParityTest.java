package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RuntimeApiBadInputTest}'s cases against a HAProxy of each line after 2.6, with lbkit
 * running as that line: every answer the same, as that line words it. The negative control runs
 * lbkit with 2.6's wording against 3.4, and the same comparison rejects it.
 */
class RuntimeApiLinesParityTest {

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_2", "V3_4"})
    void everyBadCommandGetsTheAnswerOfEachLine(HaproxyLine line) throws Exception {
        try (SameConfig both =
                SameConfig.against(
                        RuntimeApiBadInputTest.CONFIG,
                        UnaryOperator.identity(),
                        HaproxyLines.get(line),
                        line)) {
            for (RuntimeApiBadInputTest.Case c : RuntimeApiBadInputTest.cases()) {
                if (c.level() != RuntimeApiBadInputTest.Level.ADMIN) {
                    continue;
                }
                RuntimeApiBadInputTest.Since pinned = c.on(line);
                assertThat(
                                RuntimeApiBadInputTest.shape(
                                        RuntimeApiBadInputTest.send(both.lbkitStats(), c.line()),
                                        pinned.match()))
                        .as("lbkit's answer to '%s' as %s (pinned)", c.name(), line.text())
                        .isEqualTo(RuntimeApiBadInputTest.shape(pinned.expected(), pinned.match()));
            }
            List<String> differing = RuntimeApiBadInputTest.differing(both, line);
            System.out.printf(
                    "[lbkit] runtime API bad input against HAProxy %s: %d cases, %d differ%n",
                    line.text(), RuntimeApiBadInputTest.cases().size(), differing.size());
            assertThat(differing)
                    .as("cases whose answer differs from HAProxy %s's", line.text())
                    .isEmpty();
        }
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theComparisonRejects26sWordingAgainst34() throws Exception {
        List<String> differing;
        try (SameConfig both =
                SameConfig.against(
                        RuntimeApiBadInputTest.CONFIG,
                        UnaryOperator.identity(),
                        HaproxyLines.get(HaproxyLine.V3_4),
                        HaproxyLine.V2_6)) {
            differing = RuntimeApiBadInputTest.differing(both, HaproxyLine.V3_4);
        }
        NegativeControl.record(
                "runtime-api-2.6-wording-on-3.4",
                "runtime API answers (text per command vs HAProxy 3.4)",
                "lbkit runs as 2.6",
                differing.size() + " cases rejected: " + differing);
        assertThat(differing)
                .as("the comparison rejects 2.6's answers where 3.4 words them otherwise")
                .anyMatch(d -> d.startsWith("unknown command:"))
                .anyMatch(d -> d.startsWith("empty line:"))
                .anyMatch(d -> d.startsWith("weight not a number:"))
                .anyMatch(d -> d.startsWith("NUL between two commands:"))
                .anyMatch(d -> d.startsWith("line of 20000 bytes:"));
    }
}
