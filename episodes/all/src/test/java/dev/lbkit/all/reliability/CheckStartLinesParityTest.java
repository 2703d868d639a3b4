package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.ShowStat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How checked servers start, side by side on each line: the first server's first check runs at once
 * and the others' much later ({@code inter 30s}), so {@code show stat} shows one server after a
 * passing check and two before any. HAProxy 2.6 to 3.2 start a checked server at health {@code
 * rise} ("UP 1/3" with rise 2 and fall 3) and take it to the top on its first pass ("UP"); 3.4
 * starts it at health 0 ("UP -1/3"), one pass bringing it to 1 ("UP 0/3"), so there a server must
 * pass {@code rise} checks before a failure leaves it UP.
 */
class CheckStartLinesParityTest {
    static final String TEMPLATE =
            CheckedServers.config(
                    """
                    server s1 127.0.0.1:{SERVER} check inter 30s rise 2 fall 3
                    server s2 127.0.0.1:{SERVER} check inter 30s rise 2 fall 3
                    server s3 127.0.0.1:{SERVER} check inter 30s rise 2 fall 3
                    """);

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void checkedServersStartAsOnEachLine(HaproxyLine line) throws Exception {
        Map<String, Map<String, String>> seen = run(line, line);
        System.out.println("[lbkit] checked servers at start, " + line.text() + ": " + seen);
        assertThat(seen.get("lbkit"))
                .as("lbkit as %s shows its checked servers as HAProxy %s does", line, line)
                .isEqualTo(seen.get("haproxy"));
        String start = line == HaproxyLine.V3_4 ? "UP -1/3 health 0" : "UP 1/3 health 2";
        assertThat(seen.get("haproxy").get("s2"))
                .as("HAProxy %s before the first check", line.text())
                .isEqualTo(start + " INI");
    }

    /** The same comparison rejects lbkit running as 3.2 against a HAProxy 3.4. */
    @Test
    @Tag(NegativeControl.TAG)
    void rejectsLbkitRunningAsThePreviousLine() throws Exception {
        Map<String, Map<String, String>> seen = run(HaproxyLine.V3_4, HaproxyLine.V3_2);
        boolean rejected = !seen.get("lbkit").equals(seen.get("haproxy"));
        NegativeControl.record(
                "check-start-line",
                "CheckStartLinesParityTest",
                "lbkit running as 3.2 against HAProxy 3.4",
                rejected ? "rejected: " + seen : "NOT REJECTED");
        assertThat(rejected).as("the comparison tells 3.2's start from 3.4's").isTrue();
    }

    /**
     * Starts HAProxy of {@code haproxyLine} and lbkit as {@code lbkitLine}; once both have checked
     * s1, each side's "status health check_status" of every server.
     */
    private static Map<String, Map<String, String>> run(
            HaproxyLine haproxyLine, HaproxyLine lbkitLine) throws Exception {
        try (SameConfig both = CheckedServers.start(TEMPLATE, haproxyLine, lbkitLine)) {
            Map<String, Map<String, String>> seen = new LinkedHashMap<>();
            seen.put(
                    "haproxy",
                    CheckedServers.afterFirstCheck(
                            both.haproxyStats(), CheckStartLinesParityTest::states));
            seen.put(
                    "lbkit",
                    CheckedServers.afterFirstCheck(
                            both.lbkitStats(), CheckStartLinesParityTest::states));
            return seen;
        }
    }

    /** Each server's "status health N check_status". */
    private static Map<String, String> states(String csv) {
        Map<String, String> status = ShowStat.text(csv, "be", "status");
        Map<String, String> health = ShowStat.text(csv, "be", "check_health");
        Map<String, String> result = ShowStat.text(csv, "be", "check_status");
        Map<String, String> states = new LinkedHashMap<>();
        status.forEach(
                (server, s) ->
                        states.put(
                                server,
                                s + " health " + health.get(server) + " " + result.get(server)));
        return states;
    }
}
