package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.EventRun;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.ShowStat;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cookie persistence ({@code cookie} in a backend, {@code cookie} on its servers) side by side on
 * each line: six backends, one per way of using the cookie (insert with its attributes, insert
 * indirect postonly with {@code option persist}, prefix, rewrite, passive, insert preserve), over
 * four algorithms. A seeded run of requests with random {@code Cookie} lines (valid values, unknown
 * ones, several at once, prefixed ones, other names), GET and POST, servers that set a cookie
 * themselves, and runtime commands between them (maintenance, drain, forced health, weight 0).
 * Compared for each request: the status, the server that served it (its {@code stot} moved), every
 * {@code Set-Cookie} value the client got and the {@code Cookie} lines the server got; at the end
 * each server's and backend's state in {@code show stat} ({@code lbtot} counts only the algorithm's
 * choices).
 */
class CookiePersistenceLinesParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20261204L);
    private static final int STEPS = 90;

    static final String TEMPLATE =
            SameConfig.GLOBAL_AND_DEFAULTS
                    + """
            frontend fe
                bind 127.0.0.1:{BIND}
                use_backend ins if { path_beg /ins/ }
                use_backend ind if { path_beg /ind/ }
                use_backend pre if { path_beg /pre/ }
                use_backend rew if { path_beg /rew/ }
                use_backend pres if { path_beg /pres/ }
                default_backend pas

            backend ins
                balance roundrobin
                cookie SRV insert nocache httponly secure domain .example.com attr SameSite=Lax
            {SERVERS}
            backend ind
                balance uri
                cookie SRV insert indirect postonly
                option persist
            {SERVERS}
            backend pre
                balance static-rr
                cookie JSESSIONID prefix
            {SERVERS}
            backend rew
                balance roundrobin
                cookie SRV rewrite
            {SERVERS}
            backend pas
                balance roundrobin
                cookie SRV
            {SERVERS}
            backend pres
                balance source
                cookie SRV insert preserve indirect
            {SERVERS}
            """
                            .replace(
                                    "{SERVERS}",
                                    """
                                server s1 127.0.0.1:{SERVER} cookie a weight 2
                                server s2 127.0.0.1:{SERVER} cookie b
                                server s3 127.0.0.1:{SERVER}
                                server s4 127.0.0.1:{SERVER} cookie d backup
                            """);

    private static final List<String> BACKENDS = List.of("ins", "ind", "pre", "rew", "pas", "pres");
    private static final List<String> COMMANDS =
            List.of(
                    "state maint",
                    "state drain",
                    "state ready",
                    "health down",
                    "health up",
                    "weight 0",
                    "weight 1");
    private static final List<String> VALUES =
            List.of("a", "b", "d", "zz", "", "a~x1", "b~", " b ", "\"a\"", "d~q", "a ~ z");
    private static final List<String> SERVER_COOKIES =
            List.of("SRV=fromserver; path=/x", "JSESSIONID=sess9; Path=/", "other=1");

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void cookiesChooseTheServerAndAreSetAsOnEachLine(HaproxyLine line) throws Exception {
        Runs runs = run(line, UnaryOperator.identity());
        System.out.printf(
                "[lbkit] cookie persistence on %s (seed %d, replay with -Dlbkit.seed=%d): %d/%d"
                        + " steps alike, %d requests a cookie sent past the algorithm%n",
                line.text(), SEED, SEED, runs.alike(), runs.haproxy.size(), runs.persisted);
        for (int i = 0; i < runs.haproxy.size(); i++) {
            assertThat(runs.lbkit.get(i))
                    .as("step %d: %s (lbkit as %s, HAProxy %s)", i, runs.steps.get(i), line, line)
                    .isEqualTo(runs.haproxy.get(i));
        }
        assertThat(runs.persisted)
                .as("the run has requests a cookie chose the server of")
                .isGreaterThan(10);
    }

    /** The same comparison rejects lbkit when it is given the config without its cookie lines. */
    @Test
    @Tag(NegativeControl.TAG)
    void rejectsLbkitThatIgnoresTheCookie() throws Exception {
        Runs runs = run(HaproxyLine.V2_6, NegativeControl.replace("(?m)^\\s*cookie .*$", ""));
        boolean rejected = runs.alike() < runs.haproxy.size();
        NegativeControl.record(
                "cookie-persistence",
                "CookiePersistenceLinesParityTest",
                "the backends' cookie lines dropped",
                (rejected ? "rejected: " : "NOT REJECTED: ")
                        + runs.alike()
                        + "/"
                        + runs.haproxy.size()
                        + " steps alike");
        assertThat(rejected).as("without persistence the servers and cookies differ").isTrue();
    }

    private record Runs(
            List<String> steps, List<String> haproxy, List<String> lbkit, int persisted) {
        int alike() {
            return Steps.alike(haproxy, lbkit);
        }
    }

    private static Runs run(HaproxyLine line, UnaryOperator<String> mistake) throws Exception {
        Random random = new Random(SEED);
        List<String> steps = new ArrayList<>();
        List<String> haproxy = new ArrayList<>();
        List<String> lbkit = new ArrayList<>();
        int persisted = 0;
        try (SameConfig both =
                SameConfig.against(TEMPLATE, mistake, HaproxyLines.get(line), line)) {
            Side h = new Side(both.haproxyPort(), both.haproxyStats(), both.haproxyBackend().get());
            Side l = new Side(both.lbkitPort(), both.lbkitStats(), both.lbkitBackend());
            for (int i = 0; i < STEPS; i++) {
                String backend = BACKENDS.get(random.nextInt(BACKENDS.size()));
                if (random.nextInt(100) < 15) {
                    String command =
                            "set server "
                                    + backend
                                    + "/s"
                                    + (1 + random.nextInt(4))
                                    + " "
                                    + COMMANDS.get(random.nextInt(COMMANDS.size()));
                    steps.add(command);
                    haproxy.add(EventRun.quote(RuntimeApiClient.send(h.stats, command)));
                    lbkit.add(EventRun.quote(RuntimeApiClient.send(l.stats, command)));
                    continue;
                }
                String method = random.nextInt(3) == 0 ? "POST" : "GET";
                String target = "/" + backend + "/p" + random.nextInt(6);
                if (random.nextInt(4) == 0) {
                    target +=
                            "?setcookie="
                                    + URLEncoder.encode(
                                            SERVER_COOKIES.get(
                                                    random.nextInt(SERVER_COOKIES.size())),
                                            StandardCharsets.UTF_8);
                }
                List<String> cookieLines = cookieLines(random, backend);
                steps.add(method + " " + target + " " + cookieLines);
                String onHaproxy = h.request(method, target, cookieLines, backend);
                String onLbkit = l.request(method, target, cookieLines, backend);
                haproxy.add(onHaproxy);
                lbkit.add(onLbkit);
                boolean picked = onHaproxy.contains(" lbtot+0 ");
                persisted += picked && !onHaproxy.contains("server=-") ? 1 : 0;
            }
            steps.add("show stat at the end");
            haproxy.add(endState(RuntimeApiClient.send(h.stats, "show stat")));
            lbkit.add(endState(RuntimeApiClient.send(l.stats, "show stat")));
        }
        return new Runs(steps, haproxy, lbkit, persisted);
    }

    /** {@code show stat}'s states and each server's {@code cookie} column. */
    private static String endState(String csv) {
        StringBuilder out = new StringBuilder(ShowStat.states(csv));
        for (String backend : BACKENDS) {
            out.append(backend).append(" cookies ").append(ShowStat.text(csv, backend, "cookie"));
            out.append('\n');
        }
        return out.toString();
    }

    private static List<String> cookieLines(Random random, String backend) {
        List<String> lines = new ArrayList<>();
        int count = random.nextInt(10) < 3 ? 0 : 1 + random.nextInt(2);
        String name = backend.equals("pre") ? "JSESSIONID" : "SRV";
        for (int i = 0; i < count; i++) {
            StringBuilder line = new StringBuilder();
            int pieces = 1 + random.nextInt(3);
            for (int j = 0; j < pieces; j++) {
                if (j > 0) {
                    line.append(List.of("; ", ",", ";", " ; ").get(random.nextInt(4)));
                }
                int kind = random.nextInt(10);
                String cookieName =
                        kind < 7
                                ? name
                                : kind < 9 ? "other" : name.toLowerCase(java.util.Locale.ROOT);
                line.append(cookieName)
                        .append('=')
                        .append(VALUES.get(random.nextInt(VALUES.size())));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** One balancer: its port, its stats socket and the backend behind it. */
    private static final class Side {
        final int port;
        final int stats;
        final RecordingBackend backend;

        Side(int port, int stats, RecordingBackend backend) {
            this.port = port;
            this.stats = stats;
            this.backend = backend;
        }

        /**
         * Sends the request and says what came of it: the status, the server whose {@code stot}
         * moved (and whether its {@code lbtot} did), the {@code Set-Cookie} values and the cookies
         * the server got.
         */
        String request(String method, String target, List<String> cookieLines, String backendName)
                throws IOException {
            String before = RuntimeApiClient.send(stats, "show stat");
            Map<String, Integer> stotBefore = ShowStat.column(before, backendName, "stot");
            Map<String, Integer> lbtotBefore = ShowStat.column(before, backendName, "lbtot");
            int seenBefore = backend.cookies().size();
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: x\r\n");
            for (String line : cookieLines) {
                head.append("Cookie: ").append(line).append("\r\n");
            }
            if (method.equals("POST")) {
                head.append("Content-Length: 0\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            String answer;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                socket.setSoTimeout(5000);
                socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.UTF_8));
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                in.transferTo(all);
                answer = all.toString(StandardCharsets.ISO_8859_1);
            }
            String csv = RuntimeApiClient.send(stats, "show stat");
            Map<String, Integer> stotAfter = ShowStat.column(csv, backendName, "stot");
            Map<String, Integer> lbtotAfter = ShowStat.column(csv, backendName, "lbtot");
            String served = "-";
            int lbtotMoved = 0;
            for (String server : stotAfter.keySet()) {
                if (!stotAfter.get(server).equals(stotBefore.get(server))) {
                    served = server;
                    lbtotMoved = lbtotAfter.get(server) - lbtotBefore.get(server);
                }
            }
            List<String> headLines = answer.split("\r\n\r\n", 2)[0].lines().toList();
            String status = headLines.isEmpty() ? "none" : headLines.get(0).split(" ")[1];
            List<String> setCookies = new ArrayList<>();
            for (String h : headLines.subList(Math.min(1, headLines.size()), headLines.size())) {
                int colon = h.indexOf(':');
                if (colon > 0 && h.substring(0, colon).equalsIgnoreCase("set-cookie")) {
                    setCookies.add(h.substring(colon + 1).strip());
                }
            }
            List<String> seen = backend.cookies();
            String forwarded =
                    seen.size() > seenBefore ? seen.get(seen.size() - 1) : "(nothing forwarded)";
            return status
                    + " server="
                    + served
                    + " lbtot+"
                    + lbtotMoved
                    + " set-cookie="
                    + setCookies
                    + " forwarded="
                    + forwarded;
        }
    }
}
