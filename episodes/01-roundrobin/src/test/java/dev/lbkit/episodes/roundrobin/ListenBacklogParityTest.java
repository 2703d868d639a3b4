package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import dev.lbkit.harness.haproxy.RunningHaproxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How many connections each side lets wait, not yet accepted, on a bind: the listen backlog, read
 * from the kernel with {@code ss -ltn} (its Send-Q column) on the real HAProxy and on lbkit started
 * from the same config. HAProxy takes the process's {@code maxconn} when the config gives no other
 * limit, and the kernel caps the value at {@code net.core.somaxconn}. The JDK's own default (50)
 * made 1024 clients connecting at once wait 1 to 3 s for SYN retransmissions on lbkit's side
 * (docs/benchmarks.md, the round of 2026-12-05); the case with {@code maxconn 100} is the negative
 * control: a lbkit that ignored it, or kept 50, fails one of the two cases.
 */
class ListenBacklogParityTest {

    @ParameterizedTest(name = "global maxconn {0} (0: none)")
    @ValueSource(ints = {0, 100})
    void eachBindQueuesAsManyConnectionsAsHaproxys(int maxconn) throws Exception {
        Haproxy haproxy = HaproxyForTests.preferringBinary();
        int haproxyPort = SideBySide.freePort();
        int lbkitPort = SideBySide.freePort();
        int serverPort = SideBySide.freePort();
        int haproxyBacklog;
        try (RunningHaproxy running = haproxy.start(config(maxconn, haproxyPort, serverPort))) {
            haproxyBacklog = listenBacklog(haproxyPort);
        }
        int lbkitBacklog;
        try (Lbkit lbkit =
                Lbkit.start(
                        ConfigParser.parse(
                                config(maxconn, lbkitPort, serverPort), "backlog.cfg"))) {
            lbkitBacklog = listenBacklog(lbkitPort);
        }
        System.out.printf(
                "[lbkit] listen backlog with global maxconn %d: %s %d, lbkit %d%n",
                maxconn, haproxy.describe(), haproxyBacklog, lbkitBacklog);
        assertThat(lbkitBacklog)
                .as("lbkit's listen backlog against %s's", haproxy.describe())
                .isEqualTo(haproxyBacklog);
        if (maxconn > 0) {
            assertThat(haproxyBacklog).as("HAProxy's backlog follows maxconn").isEqualTo(maxconn);
        } else {
            assertThat(haproxyBacklog)
                    .as("without maxconn, more than the JDK's default of 50")
                    .isGreaterThan(50);
        }
    }

    private static String config(int maxconn, int port, int serverPort) {
        return "global\n"
                + (maxconn > 0 ? "    maxconn " + maxconn + "\n" : "")
                + "defaults\n"
                + "    mode http\n"
                + "    timeout client 5s\n"
                + "    timeout connect 5s\n"
                + "    timeout server 5s\n"
                + "frontend fe\n"
                + "    bind 127.0.0.1:"
                + port
                + "\n"
                + "    default_backend be\n"
                + "backend be\n"
                + "    server s1 127.0.0.1:"
                + serverPort
                + "\n";
    }

    /** The Send-Q of the listening socket on {@code port}: its backlog, as the kernel keeps it. */
    private static int listenBacklog(int port) throws IOException, InterruptedException {
        Process ss =
                new ProcessBuilder("ss", "-ltnH", "sport = :" + port)
                        .redirectErrorStream(true)
                        .start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor(10, TimeUnit.SECONDS)).as("ss ended").isTrue();
        assertThat(ss.exitValue()).as("ss -ltnH: %s", out).isZero();
        String[] lines = out.strip().split("\n");
        assertThat(lines).as("one listening socket on port %d: %s", port, out).hasSize(1);
        // State Recv-Q Send-Q Local-Address:Port Peer-Address:Port
        String[] fields = lines[0].trim().split("\\s+");
        return Integer.parseInt(fields[2]);
    }
}
