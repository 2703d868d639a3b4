package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.AccessLogComparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Tee;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import dev.lbkit.harness.haproxy.RunningHaproxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The access log side by side: one config (log stdout format raw, option httplog, plus a frontend
 * with {@code option httplog clf} and one with a {@code log-format}), the same requests to a real
 * HAProxy and to lbkit, HAProxy's lines read from its container's (or process's) output and lbkit's
 * from its stdout, compared line by line and field by field ({@link AccessLogComparison}). The
 * traffic has 200s and 404s from the backends, 503s from a backend whose every server is in
 * maintenance, and requests to a backend whose first server refuses connections (one retry,
 * redispatched to the other). A last frontend has a log target but no format: both then write a
 * line per accepted connection. Figures go to {@code target/lbkit-reports/access-log/}.
 */
class AccessLogParityTest {

    private static final String CONFIG =
            """
            global
                log stdout format raw local0
                nbthread 1
                stats socket ipv4@127.0.0.1:${STATS} level admin
            defaults
                mode http
                log global
                option httplog
                option dontlognull
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend warmup
                bind 127.0.0.1:${WARMUP}
                default_backend warm
            frontend web
                bind 127.0.0.1:${WEB}
                default_backend app
            frontend down
                bind 127.0.0.1:${DOWN}
                default_backend nobody
            frontend flaky
                bind 127.0.0.1:${FLAKY}
                default_backend refusing
            frontend sticky
                bind 127.0.0.1:${STICKY}
                default_backend sticky
            frontend clf
                bind 127.0.0.1:${CLF}
                option httplog clf
                default_backend app
            frontend custom
                bind 127.0.0.1:${CUSTOM}
                log-format "%ci [%tr] %ft %b/%s %ST %B %ts %rc %HM %HP %HU %HV %{+Q}r %ID"
                default_backend app
            backend app
                balance roundrobin
                server s1 127.0.0.1:${S1}
                server s2 127.0.0.1:${S2}
                server s3 127.0.0.1:${S3}
            backend sticky
                balance roundrobin
                cookie SRV insert indirect nocache
                server c1 127.0.0.1:${S1} cookie a
                server c2 127.0.0.1:${S2} cookie b
                server c3 127.0.0.1:${S3}
            backend warm
                balance roundrobin
                server w1 127.0.0.1:${S1}
            backend nobody
                balance roundrobin
                server n1 127.0.0.1:${S1} disabled
                server n2 127.0.0.1:${S2} disabled
            backend refusing
                balance roundrobin
                retries 1
                option redispatch
                server closed 127.0.0.1:${DEAD}
                server open 127.0.0.1:${S3}
            defaults
                mode http
                log global
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend plain
                bind 127.0.0.1:${PLAIN}
                default_backend app
            """;

    /**
     * What both sides of a run logged, and how many log lines HAProxy said it dropped ({@code
     * DroppedLogs} of {@code show info}; -1 when its answer has no such field).
     */
    record Logs(String haproxyDescription, String haproxy, String lbkit, long haproxyDropped) {}

    /** How many runs the comparison may take when HAProxy drops log lines in a run. */
    private static final int RUNS = 3;

    @Test
    void lbkitLogsTheSameLinesAsHaproxy() throws Exception {
        Logs logs = runUntilHaproxyKeepsEveryLine();
        AccessLogComparison.Result httplog =
                AccessLogComparison.compare(httplog(logs.haproxy()), httplog(logs.lbkit()));
        List<String> clf =
                compareTokens(
                        linesOf(logs, "clf", true),
                        linesOf(logs, "clf", false),
                        List.of(3, 12, 13, 17, 18, 19, 20, 21));
        List<String> custom =
                compareTokens(
                        linesOf(logs, "custom", true), linesOf(logs, "custom", false), List.of(1));
        List<String> connects =
                compareTokens(lastConnects(logs.haproxy()), lastConnects(logs.lbkit()), List.of());
        String report =
                "access log, HAProxy ("
                        + logs.haproxyDescription()
                        + ") vs lbkit, option httplog:\n"
                        + httplog.figures()
                        + "option httplog clf: "
                        + linesOf(logs, "clf", true).size()
                        + " lines compared token by token (client port, ms, dates and timers left out): "
                        + (clf.isEmpty() ? "all equal" : clf)
                        + "\nlog-format: "
                        + linesOf(logs, "custom", true).size()
                        + " lines compared token by token (date left out): "
                        + (custom.isEmpty() ? "all equal" : custom)
                        + "\nconnection lines (log, no format): "
                        + lastConnects(logs.haproxy()).size()
                        + " compared, ports left out: "
                        + (connects.isEmpty() ? "all equal" : connects)
                        + "\nlog lines HAProxy says it dropped (show info, DroppedLogs): "
                        + logs.haproxyDropped();
        System.out.println("[lbkit] " + report);
        Report.writeLine(
                "access-log",
                "access-log-parity",
                report + "\n" + String.join("\n", httplog.problems()));

        assertThat(logs.haproxyDropped())
                .as("HAProxy's show info answer has its DroppedLogs counter")
                .isNotNegative();
        assertThat(httplog.compared())
                .as(
                        "every request logged on both sides (%s); request lines missing on"
                                + " HAProxy's side: %s, on lbkit's: %s; log lines HAProxy says it"
                                + " dropped: %s",
                        httplog.figures().lines().findFirst().orElse(""),
                        missingRequests(logs.haproxy()),
                        missingRequests(logs.lbkit()),
                        logs.haproxyDropped())
                .isEqualTo(expectedRequests().size());
        assertThat(httplog.problems())
                .as(
                        "lbkit's httplog lines match HAProxy's field by field:%n%s%nHAProxy:%n%s"
                                + "%nlbkit:%n%s",
                        httplog.figures(), logs.haproxy(), logs.lbkit())
                .isEmpty();
        assertThat(linesOf(logs, "clf", true)).as("clf lines on HAProxy's side").hasSize(2);
        assertThat(clf).as("clf lines match token by token").isEmpty();
        assertThat(linesOf(logs, "custom", true))
                .as("log-format lines on HAProxy's side")
                .hasSize(2);
        assertThat(custom).as("log-format lines match token by token").isEmpty();
        assertThat(lastConnects(logs.lbkit())).as("lbkit's connection lines").hasSize(2);
        assertThat(connects).as("connection lines match, ports aside").isEmpty();
    }

    @Test
    void theEpisodeConfigMakesLbkitLogEachDecision() throws Exception {
        // lbkit alone (no HAProxy): the episode's haproxy.cfg, as docker-compose gives it to both
        // balancers.
        try (SideBySide lbkit =
                SideBySide.start(
                        "episode 01 config",
                        dev.lbkit.harness.Parity.episodeConfig(),
                        null,
                        SideBySide.Options.exactRun())) {
            dev.lbkit.harness.Picks picks =
                    lbkit.drive(lbkit.lbkit(), dev.lbkit.harness.Traffic.sequential("six", 6));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (AccessLogComparison.httplogLines(lbkit.lbkitLog()).size() < 6
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<String> logged =
                    AccessLogComparison.httplogLines(lbkit.lbkitLog()).stream()
                            .map(
                                    line ->
                                            line.fields().get("backend")
                                                    + "/"
                                                    + line.fields().get("server"))
                            .toList();
            assertThat(logged)
                    .as("one httplog line per request, naming the server that answered it")
                    .isEqualTo(
                            picks.answers().stream().map(server -> "servers/" + server).toList());
        }
    }

    @Test
    @Tag(NegativeControl.TAG)
    void comparisonRejectsAnLbkitThatLogsAnotherServer() throws Exception {
        Logs logs =
                run(NegativeControl.replace("^(\\s*server s1 \\S+)$", "$1 weight 3"), FULL_WAIT);
        AccessLogComparison.Result result =
                AccessLogComparison.compare(httplog(logs.haproxy()), httplog(logs.lbkit()));
        NegativeControl.record(
                "access-log-wrong-server",
                "access log comparison (AccessLogParityTest)",
                "server s1 at weight 3 where HAProxy has 1/1/1",
                result.agrees()
                        ? "NOT REJECTED"
                        : "rejected: server equal on "
                                + result.equalByField().get("server")
                                + "/"
                                + result.compared());
        assertThat(result.agrees())
                .as("the log comparison rejects an lbkit that sends requests elsewhere")
                .isFalse();
        assertThat(result.equalByField().get("server"))
                .as("it is the server field that differs")
                .isLessThan(result.compared());
    }

    @Test
    @Tag(NegativeControl.TAG)
    void comparisonRejectsAnLbkitThatLogsAnotherFormat() throws Exception {
        // lbkit's lines never become complete httplog lines here: a short wait is enough.
        Logs logs =
                run(
                        NegativeControl.replace("^(\\s*)option httplog$", "$1option httplog clf"),
                        Duration.ofSeconds(5));
        AccessLogComparison.Result result =
                AccessLogComparison.compare(httplog(logs.haproxy()), httplog(logs.lbkit()));
        NegativeControl.record(
                "access-log-wrong-format",
                "access log comparison (AccessLogParityTest)",
                "option httplog clf where HAProxy has option httplog",
                result.agrees()
                        ? "NOT REJECTED"
                        : "rejected: HAProxy "
                                + result.haproxyLines()
                                + " httplog lines, lbkit "
                                + result.lbkitLines());
        assertThat(result.agrees())
                .as("the log comparison rejects lines in another format")
                .isFalse();
    }

    /**
     * HAProxy writes its log to stdout without ever blocking: a line it cannot write at once is
     * dropped and counted in {@code DroppedLogs} ({@link HaproxyDroppedLogsTest} shows it). That
     * happens when another of its threads is writing a line (hence {@code nbthread 1} here) or when
     * the pipe to the container's log reader is full. A run in which HAProxy reports drops and
     * lacks lines cannot be compared, so it is run again, at most {@link #RUNS} times in all; each
     * dropped run is printed. A line missing with no drop reported is a difference and fails the
     * test at once.
     */
    private static Logs runUntilHaproxyKeepsEveryLine() throws Exception {
        Logs logs = null;
        for (int attempt = 1; attempt <= RUNS; attempt++) {
            logs = run(UnaryOperator.identity(), FULL_WAIT);
            if (logs.haproxyDropped() <= 0 || missingRequests(logs.haproxy()).isEmpty()) {
                return logs;
            }
            System.out.println(
                    "[lbkit] access log run "
                            + attempt
                            + "/"
                            + RUNS
                            + ": HAProxy ("
                            + logs.haproxyDescription()
                            + ") dropped "
                            + logs.haproxyDropped()
                            + " log line(s), missing "
                            + missingRequests(logs.haproxy())
                            + (attempt < RUNS ? "; running again" : ""));
        }
        return logs;
    }

    /** How long a run waits for both logs to have every line. */
    private static final Duration FULL_WAIT = Duration.ofSeconds(30);

    /** The requests, in order: which frontend, which target. */
    private static List<String[]> traffic() {
        List<String[]> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            requests.add(
                    new String[] {
                        "WEB", i % 4 == 3 ? "/missing/" + i : i % 2 == 0 ? "/" : "/data?n=" + i
                    });
        }
        for (int i = 0; i < 3; i++) {
            requests.add(new String[] {"DOWN", "/?down=" + i});
        }
        for (int i = 0; i < 4; i++) {
            requests.add(new String[] {"FLAKY", "/?try=" + i});
        }
        requests.add(new String[] {"WEB", "/a%20b?q=1&r=2"});
        // Cookie persistence: %tsc's last two flags say what the cookie was (none, valid, no such
        // server) and whether the answer inserted one.
        for (String cookie : List.of("", "SRV=b", "SRV=zz", "x=1; SRV=a", "", "SRV=", "SRV")) {
            requests.add(new String[] {"STICKY", "/?cookie=" + requests.size(), cookie});
        }
        requests.add(new String[] {"CLF", "/"});
        requests.add(new String[] {"CLF", "/missing"});
        requests.add(new String[] {"CUSTOM", "/data?x=1"});
        requests.add(new String[] {"CUSTOM", "/nothing/here"});
        requests.add(new String[] {"PLAIN", "/"});
        requests.add(new String[] {"PLAIN", "/"});
        return requests;
    }

    /**
     * Starts both sides, sends the traffic to each (request i to HAProxy, then to lbkit), and
     * returns their logs.
     */
    private static Logs run(UnaryOperator<String> lbkitMistake, Duration wait) throws Exception {
        Haproxy haproxy = HaproxyForTests.get();
        List<FlaskReplica> replicas = new ArrayList<>();
        PrintStream originalOut = System.out;
        ByteArrayOutputStream lbkitOut = new ByteArrayOutputStream();
        try {
            for (int i = 1; i <= 3; i++) {
                replicas.add(FlaskReplica.start(i, "127.0.0.1", 0, Duration.ZERO));
            }
            for (FlaskReplica replica : replicas) {
                // A replica's first answer is slow (its JIT is cold): it would land in the timers
                // of whichever
                // balancer happened to send first.
                send(replica.port(), "/");
            }
            String servers =
                    CONFIG.replace("${S1}", "" + replicas.get(0).port())
                            .replace("${S2}", "" + replicas.get(1).port())
                            .replace("${S3}", "" + replicas.get(2).port())
                            .replace("${DEAD}", "" + SideBySide.freePort());
            Ports onHaproxy = new Ports();
            Ports onLbkit = new Ports();
            try (RunningHaproxy running = haproxy.start(onHaproxy.apply(servers))) {
                Lbkit lbkit;
                // lbkit's stdout log keeps the stream it found at start: give it one that also
                // keeps a copy.
                System.setOut(
                        new PrintStream(
                                new Tee(originalOut, lbkitOut), true, StandardCharsets.UTF_8));
                try {
                    lbkit =
                            Lbkit.start(
                                    ConfigParser.parse(
                                            lbkitMistake.apply(onLbkit.apply(servers)),
                                            "access-log.cfg",
                                            HaproxyLine.ofVersion(haproxy.version())));
                } finally {
                    System.setOut(originalOut);
                }
                try (lbkit) {
                    for (int i = 0; i < 20; i++) {
                        // JIT warm-up on both sides, in a frontend of its own: left out of the
                        // comparison.
                        send(onHaproxy.port("WARMUP"), "/warm");
                        send(onLbkit.port("WARMUP"), "/warm");
                    }
                    for (String[] request : traffic()) {
                        List<String> headers =
                                request.length > 2 && !request[2].isEmpty()
                                        ? List.of("Cookie: " + request[2])
                                        : List.of();
                        send(onHaproxy.port(request[0]), request[1], headers);
                        send(onLbkit.port(request[0]), request[1], headers);
                    }
                    Supplier<String> lbkitText = () -> lbkitOut.toString(StandardCharsets.UTF_8);
                    waitForLines(running::logs, lbkitText, wait);
                    return new Logs(
                            haproxy.describe(),
                            running.logs(),
                            lbkitText.get(),
                            HaproxyDroppedLogsTest.droppedLogs(onHaproxy.port("STATS")));
                }
            }
        } finally {
            replicas.forEach(FlaskReplica::close);
        }
    }

    private static void send(int port, String target) throws IOException {
        send(port, target, List.of());
    }

    private static void send(int port, String target, List<String> headers) throws IOException {
        try (RawHttpClient client =
                new RawHttpClient(new InetSocketAddress("127.0.0.1", port), null, 10_000)) {
            // "Connection: close": each balancer closes its client connection itself before the
            // next request
            // comes, so the connection counters (%ac, %fc) read the same on both sides.
            client.get(target, "127.0.0.1:" + port, headers, false);
        }
    }

    /**
     * Both logs are written a moment after the answers (HAProxy's reach us through the container's
     * log stream, lbkit's through its log writer thread, which may wait for a core on a busy
     * machine): wait until each has the line of every compared request and both clf and log-format
     * lines ({@link #FULL_WAIT} at most), then a second more for the connection lines, which cannot
     * be counted (HAProxy also logs the probes of its listeners). Counting lines instead of naming
     * them let a stray line stand in for a late one.
     */
    private static void waitForLines(
            Supplier<String> haproxy, Supplier<String> lbkit, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline
                && !(complete(haproxy.get()) && complete(lbkit.get()))) {
            Thread.sleep(50);
        }
        Thread.sleep(1000);
    }

    /**
     * The request lines of the compared requests (web, down, flaky, sticky), as both sides log
     * them.
     */
    private static List<String> expectedRequests() {
        return traffic().stream()
                .filter(request -> List.of("WEB", "DOWN", "FLAKY", "STICKY").contains(request[0]))
                .map(request -> "GET " + request[1] + " HTTP/1.1")
                .toList();
    }

    /** The compared requests that {@code output} has no httplog line for. */
    private static List<String> missingRequests(String output) {
        List<String> logged =
                httplog(output).stream().map(line -> line.fields().get("request line")).toList();
        return expectedRequests().stream().filter(request -> !logged.contains(request)).toList();
    }

    /** The httplog lines of the compared frontends (the warm-up frontend's left out). */
    private static List<AccessLogComparison.Line> httplog(String output) {
        return AccessLogComparison.httplogLines(output).stream()
                .filter(line -> !line.fields().get("frontend").equals("warmup"))
                .toList();
    }

    private static boolean complete(String output) {
        Logs logs = new Logs("", output, output, 0);
        return missingRequests(output).isEmpty()
                && linesOf(logs, "clf", true).size() >= 2
                && linesOf(logs, "custom", true).size() >= 2;
    }

    /**
     * The lines of one frontend that does not use httplog ({@code clf}, {@code custom}), in order.
     */
    private static List<String> linesOf(Logs logs, String frontend, boolean haproxySide) {
        String text = haproxySide ? logs.haproxy() : logs.lbkit();
        String marker = frontend.equals("clf") ? " \"clf\" " : " custom app/";
        return text.lines().filter(line -> line.contains(marker)).map(String::strip).toList();
    }

    /**
     * The "Connect from" lines of the last two connections to the frontend without a log format,
     * ports masked. HAProxy also logs the harness's probes of its listeners at start, hence the
     * last two.
     */
    private static List<String> lastConnects(String output) {
        List<String> lines =
                output.lines()
                        .map(String::strip)
                        .filter(
                                line ->
                                        line.startsWith("Connect from ")
                                                && line.endsWith("(plain/HTTP)"))
                        .map(line -> line.replaceAll(":\\d+", ":PORT"))
                        .toList();
        return lines.subList(Math.max(0, lines.size() - 2), lines.size());
    }

    /**
     * Token i of line n on both sides, for every token but {@code skipped}; the differences found.
     */
    private static List<String> compareTokens(
            List<String> haproxy, List<String> lbkit, List<Integer> skipped) {
        List<String> problems = new ArrayList<>();
        if (haproxy.size() != lbkit.size()) {
            problems.add("HAProxy " + haproxy.size() + " lines, lbkit " + lbkit.size());
        }
        for (int n = 0; n < Math.min(haproxy.size(), lbkit.size()); n++) {
            String[] h = haproxy.get(n).split(" ");
            String[] l = lbkit.get(n).split(" ");
            if (h.length != l.length) {
                problems.add(
                        "line "
                                + n
                                + ": "
                                + h.length
                                + " vs "
                                + l.length
                                + " tokens: "
                                + haproxy.get(n)
                                + " | "
                                + lbkit.get(n));
                continue;
            }
            for (int i = 0; i < h.length; i++) {
                if (!skipped.contains(i) && !h[i].equals(l[i])) {
                    problems.add(
                            "line " + n + " token " + i + ": '" + h[i] + "' vs '" + l[i] + "'");
                }
            }
        }
        return problems;
    }

    /** One side's listening ports, by the placeholder of their bind line. */
    private static final class Ports {
        private final java.util.Map<String, Integer> ports = new java.util.HashMap<>();

        String apply(String config) throws IOException {
            String result = config;
            for (String name :
                    List.of(
                            "STATS", "WARMUP", "WEB", "DOWN", "FLAKY", "STICKY", "CLF", "CUSTOM",
                            "PLAIN")) {
                ports.put(name, SideBySide.freePort());
                result = result.replace("${" + name + "}", "" + ports.get(name));
            }
            return result;
        }

        int port(String name) {
            return ports.get(name);
        }
    }
}
