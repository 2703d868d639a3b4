package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code slowstart} side by side on each line: servers that come back UP (from maintenance and from
 * a forced DOWN) warm up over 3 seconds, HAProxy one step a second. Four backends: roundrobin,
 * random and a consistent uri hash (dynamic: the warming servers get part of their weight, and so
 * fewer requests) and static-rr (static: the whole weight at once). A weight set during the warm-up
 * is scaled too. (From 3.0 HAProxy seeds its random generator per process, so there the random
 * backend's picks are not compared, only its weights.)
 *
 * <p>The steps follow the wall clock's seconds, so the test paces itself: it brings the servers
 * back at a fixed fraction of a second, then in the middle of each second that follows sends the
 * same burst of requests to both sides (compared request by request: who served it) and reads
 * {@code show stat} on both (each server's status, weight, throttle and user weight, and the
 * backend's weight). A burst that ran into the next second is not a verdict on lbkit: the run is
 * then made again. HAProxy's own clock may sit off the system's by a fraction of a second, which
 * can put the moment the servers come back on the other side of a second from lbkit's: a second
 * attempt brings them back half a second later; the test passes when one attempt is alike all
 * through.
 */
class SlowstartLinesParityTest {
    private static final int SLOWSTART_SECONDS = 3;
    private static final int BURST = 12;
    private static final List<String> BACKENDS = List.of("rr", "rnd", "ch", "st");

    static final String CONFIG =
            """
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s

            frontend fe
                bind 127.0.0.1:8080
                use_backend rnd if { path_beg /rnd/ }
                use_backend ch if { path_beg /ch/ }
                use_backend st if { path_beg /st/ }
                default_backend rr

            backend rr
                balance roundrobin
            {SERVERS}
            backend rnd
                balance random
            {SERVERS}
            backend ch
                balance uri
                hash-type consistent
            {SERVERS}
            backend st
                balance static-rr
            {SERVERS}
            """
                    .replace(
                            "{SERVERS}",
                            """
                                server s1 127.0.0.1:5001 weight 8 slowstart 3s
                                server s2 127.0.0.1:5002 weight 3
                                server s3 127.0.0.1:5003 weight 5 slowstart 2500ms
                            """);

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void warmingServersGetTheSameShareAsOnEachLine(HaproxyLine line) throws Exception {
        Attempt last = null;
        for (int offsetMs : new int[] {300, 800}) {
            last = attempt(line, offsetMs, UnaryOperator.identity());
            System.out.printf(
                    "[lbkit] slowstart on %s (servers back at +%d ms into a second): %s%n",
                    line.text(), offsetMs, last.summary());
            if (last.overran == null && last.alike() == last.steps.size()) {
                break;
            }
        }
        assertThat(last.overran).as("a burst stayed inside its second").isNull();
        for (int i = 0; i < last.steps.size(); i++) {
            assertThat(last.lbkit.get(i))
                    .as("%s (lbkit as %s, HAProxy %s)", last.steps.get(i), line, line)
                    .isEqualTo(last.haproxy.get(i));
        }
        assertThat(String.join("\n", last.haproxy))
                .as("HAProxy %s ramped a warming server (throttle shown)", line.text())
                .contains("throttle=6", "throttle=100");
    }

    /** The same comparison rejects lbkit when its servers have no slowstart. */
    @Test
    @Tag(NegativeControl.TAG)
    void rejectsLbkitWithoutSlowstart() throws Exception {
        Attempt wrong =
                attempt(HaproxyLine.V2_6, 300, NegativeControl.replace(" slowstart \\S+", ""));
        boolean rejected = wrong.overran == null && wrong.alike() < wrong.steps.size();
        NegativeControl.record(
                "slowstart",
                "SlowstartLinesParityTest",
                "the servers' slowstart dropped",
                (rejected ? "rejected: " : "NOT REJECTED: ") + wrong.summary());
        assertThat(rejected).as("without slowstart the picks and weights differ").isTrue();
    }

    private record Attempt(
            List<String> steps, List<String> haproxy, List<String> lbkit, String overran) {
        int alike() {
            return Steps.alike(haproxy, lbkit);
        }

        String summary() {
            return alike()
                    + "/"
                    + steps.size()
                    + " steps alike"
                    + (overran == null ? "" : ", a burst overran its second: " + overran);
        }
    }

    private static Attempt attempt(HaproxyLine line, int offsetMs, UnaryOperator<String> mistake)
            throws Exception {
        List<String> steps = new ArrayList<>();
        List<String> haproxy = new ArrayList<>();
        List<String> lbkit = new ArrayList<>();
        try (SideBySide sides =
                SideBySide.startNegativeControl(
                        "slowstart",
                        CONFIG,
                        SideBySide.HaproxyStarter.of(HaproxyLines.get(line)),
                        SideBySide.Options.exactRun(),
                        mistake)) {
            for (String backend : BACKENDS) {
                sides.command("disable server " + backend + "/s1");
                sides.command("set server " + backend + "/s3 health down");
            }
            long now = System.currentTimeMillis();
            long start = now - now % 1000 + 1000 + offsetMs;
            Thread.sleep(start - now);
            for (String backend : BACKENDS) {
                sides.command("enable server " + backend + "/s1");
                sides.command("set server " + backend + "/s3 health up");
            }
            for (int second = 0; second <= SLOWSTART_SECONDS; second++) {
                long window = start + second * 1000L + 350;
                Thread.sleep(Math.max(0, window - System.currentTimeMillis()));
                if (second == 2) {
                    steps.add("set weight rr/s1 12 after 2 s");
                    haproxy.add(
                            RuntimeApiClient.send(
                                    sides.haproxy().statsPort(), "set weight rr/s1 12"));
                    lbkit.add(
                            RuntimeApiClient.send(
                                    sides.lbkit().statsPort(), "set weight rr/s1 12"));
                }
                Traffic burst = burst(second);
                CompletableFuture<Picks> onHaproxy =
                        SideBySide.onOwnThread(
                                "haproxy side", () -> sides.drive(sides.haproxy(), burst));
                Picks onLbkit = sides.drive(sides.lbkit(), burst);
                Picks picked = onHaproxy.join();
                String haproxyStat =
                        stat(RuntimeApiClient.send(sides.haproxy().statsPort(), "show stat"));
                String lbkitStat =
                        stat(RuntimeApiClient.send(sides.lbkit().statsPort(), "show stat"));
                long late = System.currentTimeMillis() - (start + (second + 1) * 1000L - 50);
                if (late > 0) {
                    return new Attempt(
                            steps,
                            haproxy,
                            lbkit,
                            "second " + second + " ended " + late + " ms too late");
                }
                for (int i = 0; i < burst.requests().size(); i++) {
                    steps.add(
                            "second "
                                    + second
                                    + ": request "
                                    + i
                                    + " "
                                    + burst.requests().get(i).target());
                    boolean seeded =
                            line != HaproxyLine.V2_6
                                    && burst.requests().get(i).target().startsWith("/rnd/");
                    // From 3.0 each HAProxy process seeds its random generator afresh: the random
                    // backend's picks are not reproducible there, only its weights are compared.
                    haproxy.add(seeded ? "(random, seeded per process)" : picked.answers().get(i));
                    lbkit.add(seeded ? "(random, seeded per process)" : onLbkit.answers().get(i));
                }
                steps.add("second " + second + ": show stat");
                haproxy.add(haproxyStat);
                lbkit.add(lbkitStat);
            }
        }
        return new Attempt(steps, haproxy, lbkit, null);
    }

    /** The same requests each second: {@link #BURST} to each backend, by turns. */
    private static Traffic burst(int second) {
        return Traffic.of(
                "second " + second,
                BURST * BACKENDS.size(),
                i -> {
                    String backend = BACKENDS.get(i % BACKENDS.size());
                    return Traffic.Request.get("/" + backend + "/p" + (i * 7 + second * 3));
                });
    }

    /**
     * Each server's status, weight, throttle and user weight and each backend's weight and user
     * weight, from {@code show stat}.
     */
    static String stat(String csv) {
        List<String> lines = csv.lines().toList();
        List<String> header = List.of(lines.get(0).substring(2).split(",", -1));
        int name = header.indexOf("svname");
        StringBuilder out = new StringBuilder();
        for (String row : lines.subList(1, lines.size())) {
            String[] f = row.split(",", -1);
            if (f.length < header.size()
                    || !BACKENDS.contains(f[0])
                    || f[name].equals("FRONTEND")) {
                continue;
            }
            out.append(f[0]).append('/').append(f[name]);
            for (String column : List.of("status", "weight", "throttle", "uweight")) {
                out.append(' ').append(column).append('=').append(f[header.indexOf(column)]);
            }
            out.append('\n');
        }
        return out.toString();
    }
}
