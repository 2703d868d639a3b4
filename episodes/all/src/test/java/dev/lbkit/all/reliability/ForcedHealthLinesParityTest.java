package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.EventRun;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.ShowStat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The runtime API's {@code set server ... health up|stopping|down} and its meeting with the admin
 * states, side by side on each line: a checked server (its next check 30 s away, so no check moves
 * it during the run) and one without checks, and after each command every server's and the
 * backend's state in {@code show stat}: status, weight, {@code act}, {@code chkdown}, and the
 * checked server's {@code check_health} and {@code check_status} (empty in maintenance).
 */
class ForcedHealthLinesParityTest {
    static final String TEMPLATE =
            CheckedServers.config(
                    """
                    server s1 127.0.0.1:{SERVER} check inter 30s rise 2 fall 3
                    server s2 127.0.0.1:{SERVER}
                    """);

    static final List<String> COMMANDS =
            List.of(
                    "set server be/s1 health stopping",
                    "set server be/s1 state drain",
                    "set server be/s1 health down",
                    "set server be/s1 health down",
                    "set server be/s1 state maint",
                    "set server be/s1 health up",
                    "set server be/s1 state ready",
                    "set server be/s1 health up",
                    "set server be/s2 health stopping",
                    "set server be/s2 state drain",
                    "set server be/s2 health down",
                    "disable server be/s2",
                    "set weight be/s2 7",
                    "enable server be/s2",
                    "set server be/s1 health down",
                    "set server be/s2 health down",
                    "set server be/s2 health up",
                    "set server be/s2 health sideways");

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void forcedHealthMeetsTheAdminStatesAsOnEachLine(HaproxyLine line) throws Exception {
        Runs runs = run(line, line);
        System.out.printf(
                "[lbkit] forced health on %s: %d/%d states alike after %d commands%n",
                line.text(), runs.alike(), runs.haproxy.size(), COMMANDS.size());
        for (int i = 0; i < runs.haproxy.size(); i++) {
            assertThat(runs.lbkit.get(i))
                    .as("after '%s', lbkit as %s shows what HAProxy %s does", step(i), line, line)
                    .isEqualTo(runs.haproxy.get(i));
        }
        assertThat(runs.haproxy.get(3))
                .as("HAProxy %s: a forced DOWN shows DOWN on a drained server", line.text())
                .contains("be/s1 status=DOWN");
    }

    /** The same comparison rejects lbkit running as 3.0 against HAProxy 2.6. */
    @Test
    @Tag(NegativeControl.TAG)
    void rejectsLbkitRunningAsAnotherLine() throws Exception {
        Runs runs = run(HaproxyLine.V2_6, HaproxyLine.V3_0);
        boolean rejected = runs.alike() < runs.haproxy.size();
        NegativeControl.record(
                "forced-health-line",
                "ForcedHealthLinesParityTest",
                "lbkit running as 3.0 against HAProxy 2.6",
                (rejected ? "rejected: " : "NOT REJECTED: ")
                        + runs.alike()
                        + "/"
                        + runs.haproxy.size()
                        + " states alike");
        assertThat(rejected)
                .as("2.6 shows a server in maintenance with its old weight, 3.0 with the new")
                .isTrue();
    }

    private static String step(int i) {
        return i == 0 ? "the first check" : COMMANDS.get(i - 1);
    }

    private record Runs(List<String> haproxy, List<String> lbkit) {
        int alike() {
            return Steps.alike(haproxy, lbkit);
        }
    }

    /**
     * HAProxy of {@code haproxyLine} and lbkit as {@code lbkitLine}: the states once s1's first
     * check has run, then after each command (its answer included).
     */
    private static Runs run(HaproxyLine haproxyLine, HaproxyLine lbkitLine) throws Exception {
        try (SameConfig both = CheckedServers.start(TEMPLATE, haproxyLine, lbkitLine)) {
            List<String> haproxy = new ArrayList<>();
            List<String> lbkit = new ArrayList<>();
            haproxy.add(
                    CheckedServers.afterFirstCheck(
                            both.haproxyStats(), ForcedHealthLinesParityTest::state));
            lbkit.add(
                    CheckedServers.afterFirstCheck(
                            both.lbkitStats(), ForcedHealthLinesParityTest::state));
            for (String command : COMMANDS) {
                haproxy.add(after(both.haproxyStats(), command));
                lbkit.add(after(both.lbkitStats(), command));
            }
            return new Runs(haproxy, lbkit);
        }
    }

    private static String after(int statsPort, String command) {
        String answer = RuntimeApiClient.send(statsPort, command);
        return EventRun.quote(answer) + "\n" + state(RuntimeApiClient.send(statsPort, "show stat"));
    }

    private static String state(String csv) {
        return ShowStat.states(csv)
                + "s1 check_health="
                + ShowStat.text(csv, "be", "check_health").get("s1")
                + " check_status="
                + ShowStat.text(csv, "be", "check_status").get("s1");
    }
}
