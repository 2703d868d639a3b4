package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.EventRun;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.ShowStat;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code track} side by side on each line: servers that follow another's state instead of checks of
 * their own, in the same backend, in another one, and in a chain (d tracks b, which tracks a).
 * After each runtime command (maintenance, drain, forced health of the tracked servers and of a
 * tracker itself, a weight), each command's answer and every server's state in {@code show stat}:
 * status ({@code MAINT (via t1/a)}, {@code DRAIN}, {@code NOLB}, {@code DOWN}), weight and the
 * backends' active counts; and requests whose cookie names a tracker (a tracker in inherited
 * maintenance does not take them). The checked servers check every 30 s, so only the commands move
 * them.
 */
class TrackLinesParityTest {
    static final String TEMPLATE =
            SameConfig.GLOBAL_AND_DEFAULTS
                    + """
            frontend fe
                bind 127.0.0.1:{BIND}
                default_backend t1

            backend t1
                balance roundrobin
                cookie SRV insert indirect
                server a 127.0.0.1:{SERVER} check inter 30s rise 2 fall 3 cookie a
                server b 127.0.0.1:{SERVER} track a weight 2 cookie b
                server c 127.0.0.1:{SERVER} track t2/x cookie c
                server d 127.0.0.1:{SERVER} track t1/b slowstart 5s cookie d
                server e 127.0.0.1:{SERVER} cookie e

            backend t2
                balance roundrobin
                server x 127.0.0.1:{SERVER} check inter 30s rise 2 fall 3
                server y 127.0.0.1:{SERVER} track t1/a
            """;

    static final List<String> COMMANDS =
            List.of(
                    "GET with cookie SRV=b",
                    "disable server t1/a",
                    "GET with cookie SRV=b",
                    "GET with cookie SRV=d",
                    "enable server t1/a",
                    "set server t1/a state drain",
                    "set server t1/a state ready",
                    "set server t1/a health stopping",
                    "set server t1/a health up",
                    "set server t1/a health down",
                    "set server t1/b health down",
                    "set server t1/a health up",
                    "disable server t1/b",
                    "disable server t1/a",
                    "enable server t1/b",
                    "set weight t1/b 0",
                    "enable server t1/a",
                    "set weight t1/b 3",
                    "set server t2/x health down",
                    "set server t2/x state maint",
                    "set server t2/x state ready",
                    "set server t1/d state drain",
                    "set server t1/a state drain",
                    "set server t1/d state ready",
                    "set server t1/a state ready");

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void trackersFollowAsOnEachLine(HaproxyLine line) throws Exception {
        Runs runs = run(line, UnaryOperator.identity());
        System.out.printf(
                "[lbkit] track on %s: %d/%d states alike after %d commands%n",
                line.text(), runs.alike(), runs.haproxy.size(), COMMANDS.size());
        for (int i = 0; i < runs.haproxy.size(); i++) {
            if (!runs.lbkit.get(i).equals(runs.haproxy.get(i))) {
                System.out.printf(
                        "[lbkit] track on %s differs after '%s':%nHAProxy:%n%slbkit:%n%s%n",
                        line.text(), step(i), runs.haproxy.get(i), runs.lbkit.get(i));
            }
        }
        for (int i = 0; i < runs.haproxy.size(); i++) {
            assertThat(runs.lbkit.get(i))
                    .as("after '%s' (lbkit as %s, HAProxy %s)", step(i), line, line)
                    .isEqualTo(runs.haproxy.get(i));
        }
        assertThat(String.join("\n", runs.haproxy))
                .as("HAProxy %s: a tracker inherits maintenance", line.text())
                .contains("MAINT (via t1/a)");
    }

    /** The same comparison rejects lbkit when its servers track nothing. */
    @Test
    @Tag(NegativeControl.TAG)
    void rejectsLbkitWithoutTracking() throws Exception {
        Runs runs =
                run(HaproxyLine.V2_6, NegativeControl.replace(" track \\S+", " check inter 30s"));
        boolean rejected = runs.alike() < runs.haproxy.size();
        NegativeControl.record(
                "track",
                "TrackLinesParityTest",
                "the servers check themselves instead of tracking",
                (rejected ? "rejected: " : "NOT REJECTED: ")
                        + runs.alike()
                        + "/"
                        + runs.haproxy.size()
                        + " states alike");
        assertThat(rejected).as("without tracking the states differ").isTrue();
    }

    private static String step(int i) {
        return i == 0 ? "the first checks" : COMMANDS.get(i - 1);
    }

    private record Runs(List<String> haproxy, List<String> lbkit) {
        int alike() {
            return Steps.alike(haproxy, lbkit);
        }
    }

    private static Runs run(HaproxyLine line, UnaryOperator<String> mistake) throws Exception {
        try (SameConfig both =
                SameConfig.against(TEMPLATE, mistake, HaproxyLines.get(line), line)) {
            List<String> haproxy = new ArrayList<>();
            List<String> lbkit = new ArrayList<>();
            haproxy.add(afterFirstChecks(both.haproxyStats()));
            lbkit.add(afterFirstChecks(both.lbkitStats()));
            for (String command : COMMANDS) {
                haproxy.add(after(both.haproxyPort(), both.haproxyStats(), command));
                lbkit.add(after(both.lbkitPort(), both.lbkitStats(), command));
            }
            return new Runs(haproxy, lbkit);
        }
    }

    /** The states once a and x have had their first check (5 s at most). */
    private static String afterFirstChecks(int statsPort) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            String csv = RuntimeApiClient.send(statsPort, "show stat");
            boolean checked =
                    !ShowStat.text(csv, "t1", "check_status").get("a").contains("INI")
                            && !ShowStat.text(csv, "t2", "check_status").get("x").contains("INI");
            if (checked || System.nanoTime() > deadline) {
                return ShowStat.states(csv);
            }
            Thread.sleep(20);
        }
    }

    private static String after(int port, int statsPort, String command) throws IOException {
        String answer =
                command.startsWith("GET with cookie ")
                        ? request(port, command.substring("GET with cookie ".length()))
                        : RuntimeApiClient.send(statsPort, command);
        return EventRun.quote(answer)
                + "\n"
                + ShowStat.states(RuntimeApiClient.send(statsPort, "show stat"));
    }

    /**
     * A request carrying {@code cookie} to backend t1: its status and the {@code Set-Cookie} it got
     * (none when the cookie's server took it; another server's value when the algorithm chose).
     */
    private static String request(int port, String cookie) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream()
                    .write(
                            ("GET / HTTP/1.1\r\nHost: x\r\nCookie: "
                                            + cookie
                                            + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
            String answer =
                    new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            List<String> head = answer.split("\r\n\r\n", 2)[0].lines().toList();
            StringBuilder out = new StringBuilder(head.isEmpty() ? "none" : head.get(0));
            for (String line : head) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("set-cookie:")) {
                    out.append(" | ").append(line.substring("set-cookie:".length()).strip());
                }
            }
            return out.toString();
        }
    }
}
