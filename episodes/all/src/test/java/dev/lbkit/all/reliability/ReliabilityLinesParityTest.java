package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bad-input and error-page comparisons of this package against a HAProxy of each line after
 * 2.6, with lbkit running as that line, in every run (the main comparisons meet the HAProxy found
 * here, 2.6 in CI): {@link BadHttpInputTest}'s cases, each case against 3.0, 3.2 and 3.4, and
 * {@link ErrorPagesTest}'s pages. The runtime API's are in {@link RuntimeApiLinesParityTest}.
 */
class ReliabilityLinesParityTest {

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_2", "V3_4"})
    void errorPagesAreThoseOfEachLine(HaproxyLine line) throws Exception {
        try (SameConfig both =
                SameConfig.against(
                        ErrorPagesTest.CONFIG,
                        UnaryOperator.identity(),
                        HaproxyLines.get(line),
                        line)) {
            for (String[] p : ErrorPagesTest.pages(both)) {
                if (ErrorPagesTest.REASON_PHRASE_DIFFERS.containsKey(p[0])) {
                    assertThat(ErrorPagesTest.withoutReason(p[2]))
                            .as(
                                    "lbkit's error page for '%s' is HAProxy %s's, code and body",
                                    p[0], line.text())
                            .isEqualTo(ErrorPagesTest.withoutReason(p[1]));
                    continue;
                }
                assertThat(p[2])
                        .as("lbkit's error page for '%s' is HAProxy %s's", p[0], line.text())
                        .isEqualTo(p[1]);
                assertThat(p[1])
                        .as("'%s' got an error page", p[0])
                        .matches("(?s)HTTP/1\\.1 [45]\\d\\d .*");
            }
        }
    }

    /** {@link BadHttpInputTest} against HAProxy 3.0. */
    @Nested
    class BadHttpInputOn30 extends BadHttpInputTest {
        @Override
        SameConfig startBoth() throws Exception {
            return meet(HaproxyLine.V3_0);
        }
    }

    /** {@link BadHttpInputTest} against HAProxy 3.2. */
    @Nested
    class BadHttpInputOn32 extends BadHttpInputTest {
        @Override
        SameConfig startBoth() throws Exception {
            return meet(HaproxyLine.V3_2);
        }
    }

    /** {@link BadHttpInputTest} against HAProxy 3.4. */
    @Nested
    class BadHttpInputOn34 extends BadHttpInputTest {
        @Override
        SameConfig startBoth() throws Exception {
            return meet(HaproxyLine.V3_4);
        }
    }

    private static SameConfig meet(HaproxyLine line) throws Exception {
        return SameConfig.against(
                BadHttpInputTest.CONFIG, UnaryOperator.identity(), HaproxyLines.get(line), line);
    }
}
