package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Redispatch side by side: one server of four refuses every connection (nothing listens on its
 * port, and it has no health check to take it out), {@code retries 1} and {@code option
 * redispatch}. A request the rotation gives to that server fails to connect, and its one retry goes
 * to another server; which one it is, and how the rotation goes on afterwards, must be the same on
 * both sides for every request.
 */
class RedispatchParityTest {
    private static final int REQUESTS = 300;
    private static final List<String> SERVERS = List.of("s1", "s2", "s3", "s4");

    @Test
    void aRequestForTheDeadServerGoesWhereHaproxySendsItAndTheRotationGoesOnAlike()
            throws Exception {
        Comparison c = run("roundrobin 3/1/2/2, s2 refuses", UnaryOperator.identity());
        Parity.assertIdentical(c);
        assertThat(c.matching())
                .as("every request served, the redispatched ones included")
                .isEqualTo(REQUESTS);
        assertThat(c.haproxy().distribution()).as("s2 never answers").doesNotContainKey("s2");
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitWithoutRedispatch() throws Exception {
        Comparison c =
                run(
                        "NEGATIVE CONTROL roundrobin, s2 refuses, lbkit without option redispatch",
                        // Without redispatch each retry pauses for up to a second before it goes to
                        // the same server, as on HAProxy: a short timeout connect keeps that short.
                        NegativeControl.replace(
                                "    option redispatch\n", "    timeout connect 50ms\n"));
        NegativeControl.record(
                "redispatch-missing",
                "exact per-request comparison with a server that refuses",
                "no option redispatch (and timeout connect 50ms: shorter pauses)",
                c.verdict());
        assertThat(c.identical())
                .as("the comparison sees the 503s where HAProxy redispatched")
                .isFalse();
    }

    /**
     * {@code option redispatch 0} as each line reads it: HAProxy 2.6 keeps the option on, and the
     * interval 0 stops only a hashing algorithm's retries from moving, so roundrobin's still move;
     * 3.0 and later turn the option off, so each retry pauses and meets the same refusing server
     * (503). {@code timeout connect 50ms} on both sides keeps those pauses short.
     */
    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void optionRedispatchZeroAsEachLineReadsIt(HaproxyLine line) throws Exception {
        Comparison c =
                run(
                        "roundrobin 3/1/2/2, s2 refuses, option redispatch 0, HAProxy "
                                + line.text(),
                        REDISPATCH_ZERO,
                        UnaryOperator.identity(),
                        SideBySide.HaproxyStarter.of(HaproxyLines.get(line)));
        Parity.assertIdentical(c);
        if (line.compareTo(HaproxyLine.V3_0) < 0) {
            assertThat(c.matching())
                    .as("2.6: every request served, the redispatched ones included")
                    .isEqualTo(REQUESTS);
        } else {
            assertThat(c.haproxy().answers())
                    .as("%s: the option is off, s2's requests get 503", line.text())
                    .contains("503");
        }
    }

    /** lbkit reading {@code option redispatch 0} as 3.0 does, against 2.6: off where it is on. */
    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsRedispatchZeroReadAsTheOtherLine() throws Exception {
        Comparison c =
                run(
                        "NEGATIVE CONTROL roundrobin, s2 refuses, option redispatch 0, lbkit as 3.0"
                                + " against 2.6",
                        REDISPATCH_ZERO,
                        UnaryOperator.identity(),
                        SideBySide.HaproxyStarter.of(HaproxyLines.get(HaproxyLine.V2_6))
                                .withLbkitAs(HaproxyLine.V3_0));
        NegativeControl.record(
                "redispatch-zero-line",
                "exact per-request comparison with a server that refuses, option redispatch 0",
                "option redispatch 0 read as HAProxy 3.0 reads it (off), against 2.6",
                c.verdict());
        assertThat(c.identical())
                .as("the comparison sees the 503s where HAProxy redispatched")
                .isFalse();
    }

    private static final UnaryOperator<String> REDISPATCH_ZERO =
            config ->
                    config.replace("    option redispatch\n", "    option redispatch 0\n")
                            .replace("    timeout connect 2s\n", "    timeout connect 50ms\n");

    private static Comparison run(String title, UnaryOperator<String> mistake) throws Exception {
        return run(title, UnaryOperator.identity(), mistake, Parity.haproxy());
    }

    private static Comparison run(
            String title,
            UnaryOperator<String> both,
            UnaryOperator<String> mistake,
            SideBySide.HaproxyStarter haproxy)
            throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < SERVERS.size(); i++) {
                if (i == 1) {
                    ports.add(SideBySide.freePort()); // nothing will listen here
                    continue;
                }
                FlaskReplica replica = FlaskReplica.start(i + 1, "127.0.0.1", 0, Duration.ZERO);
                running.add(replica);
                ports.add(replica.port());
            }
            int haproxyPort = SideBySide.freePort();
            int lbkitPort = SideBySide.freePort();
            String haproxyConfig = both.apply(config(haproxyPort, ports));
            String lbkitConfig = mistake.apply(both.apply(config(lbkitPort, ports)));
            running.add(haproxy.start(haproxyConfig));
            running.add(
                    Lbkit.start(
                            ConfigParser.parse(
                                    lbkitConfig, "redispatch (lbkit side)", haproxy.line())));
            Traffic traffic =
                    Traffic.sequential(REQUESTS + " requests, a new connection each", REQUESTS);
            Picks onHaproxy = drive(haproxy.describe(), haproxyPort, traffic);
            Picks onLbkit =
                    drive("lbkit (as HAProxy " + haproxy.line().text() + ")", lbkitPort, traffic);
            Comparison c =
                    new Comparison(
                            title + " — " + traffic.name(),
                            haproxyConfig,
                            traffic,
                            onHaproxy,
                            onLbkit);
            Report.write(Parity.slugOf(c.title()), c, List.of());
            System.out.println(
                    "[lbkit] " + c.summary() + "  (HAProxy: " + c.haproxy().side() + ")");
            return c;
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    private static Picks drive(String side, int port, Traffic traffic) {
        List<String> answers = new ArrayList<>();
        for (Traffic.Request request : traffic.requests()) {
            try (RawHttpClient client =
                    new RawHttpClient(new InetSocketAddress("127.0.0.1", port), null, 10_000)) {
                RawHttpClient.Response response =
                        client.get(request.target(), "127.0.0.1:" + port, List.of(), false);
                String servedBy = response.header("x-served-by");
                answers.add(
                        servedBy != null && servedBy.matches("app[1-4]")
                                ? SERVERS.get(Integer.parseInt(servedBy.substring(3)) - 1)
                                : String.valueOf(response.status()));
            } catch (IOException e) {
                answers.add("error: " + e.getMessage());
            }
        }
        return new Picks(side, answers);
    }

    private static String config(int bindPort, List<Integer> ports) {
        return """
                global
                    nbthread 1

                defaults
                    mode http
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s

                frontend fe
                    bind 127.0.0.1:%d
                    default_backend be

                backend be
                    balance roundrobin
                    retries 1
                    option redispatch
                    server s1 127.0.0.1:%d weight 3
                    server s2 127.0.0.1:%d weight 1
                    server s3 127.0.0.1:%d weight 2
                    server s4 127.0.0.1:%d weight 2
                """
                .formatted(bindPort, ports.get(0), ports.get(1), ports.get(2), ports.get(3));
    }
}
