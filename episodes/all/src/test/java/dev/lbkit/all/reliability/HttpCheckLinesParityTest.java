package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.ShowStat;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code http-check send} and {@code http-check expect} side by side on each line: one backend per
 * rule, each with one server checked every 100 ms ({@code rise 1 fall 1}) against a server whose
 * {@code /status/NNN} answers status NNN with a body naming the request's method and Host header.
 * Once every server has been checked a few times, each server's status and {@code check_status}
 * must be the same on both sides: UP or DOWN, and L7OK, L7STS (a status rule failed) or L7RSP (a
 * body rule failed), L4OK (rules ignored without {@code option httpchk}).
 */
class HttpCheckLinesParityTest {
    /** Backend name, then its lines: each backend's single server follows them. */
    static final List<List<String>> BACKENDS =
            List.of(
                    List.of("default301", "option httpchk GET /status/301"),
                    List.of(
                            "status200on301",
                            "option httpchk GET /status/301",
                            "http-check expect status 200"),
                    List.of(
                            "range",
                            "option httpchk GET /status/301",
                            "http-check expect status 200-399"),
                    List.of(
                            "notStatus",
                            "option httpchk GET /status/500",
                            "http-check expect ! status 500"),
                    List.of(
                            "string",
                            "option httpchk GET /status/200",
                            "http-check expect string \"200 ok\""),
                    List.of(
                            "stringMissing",
                            "option httpchk GET /status/200",
                            "http-check expect string nothere"),
                    List.of(
                            "send404",
                            "option httpchk",
                            "http-check send meth GET uri /status/404 ver HTTP/1.1 hdr Host example.com"),
                    List.of("noOption", "http-check send meth GET uri /status/404"),
                    List.of(
                            "rstatus",
                            "option httpchk GET /status/404",
                            "http-check expect rstatus ^4"),
                    List.of(
                            "rstring",
                            "option httpchk GET /status/200",
                            "http-check expect rstring st.tus"),
                    List.of(
                            "list",
                            "option httpchk GET /status/200",
                            "http-check expect status 200,404"),
                    List.of(
                            "stringOn500",
                            "option httpchk GET /status/500",
                            "http-check expect string ok"),
                    List.of(
                            "post",
                            "option httpchk",
                            "http-check send meth POST uri /status/200 body hello",
                            "http-check expect rstatus ^2",
                            "http-check expect string method=POST"),
                    List.of(
                            "hostSent",
                            "option httpchk GET /status/200",
                            "http-check send hdr Host example.com",
                            "http-check expect string host=example.com"),
                    List.of(
                            "uriReplaced",
                            "option httpchk GET /status/200",
                            "http-check send uri /status/503"),
                    List.of(
                            "unwanted",
                            "option httpchk GET /status/302",
                            "http-check expect !string ok"),
                    List.of(
                            "inOrder",
                            "option httpchk GET /status/200",
                            "http-check expect status 200",
                            "http-check expect string nothere"),
                    List.of(
                            "headHasNoBody",
                            "option httpchk HEAD /status/200",
                            "http-check expect string ok"));

    /**
     * After a second {@code defaults} with a check and a rule: a backend that inherits both, one
     * with a rule of its own (which drops the inherited check's request: nothing is sent, the check
     * times out), one with its own {@code send} (on the default request, OPTIONS) and one with its
     * own {@code option httpchk} (which drops the inherited rule).
     */
    static final String INHERITED =
            """
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
                option httpchk GET /status/404
                http-check expect status 404

            backend inherits
                server s1 127.0.0.1:{SERVER} check inter 100 rise 1 fall 1

            backend ownRules
                http-check expect status 200
                server s1 127.0.0.1:{SERVER} check inter 100 rise 1 fall 1

            backend ownSend
                http-check send uri /status/200
                http-check expect string method=OPTIONS
                server s1 127.0.0.1:{SERVER} check inter 100 rise 1 fall 1

            backend ownOption
                option httpchk GET /status/200
                server s1 127.0.0.1:{SERVER} check inter 100 rise 1 fall 1
            """;

    static final String TEMPLATE = template();

    private static String template() {
        StringBuilder out =
                new StringBuilder(SameConfig.GLOBAL_AND_DEFAULTS)
                        .append("frontend fe\n    bind 127.0.0.1:{BIND}\n")
                        .append("    default_backend default301\n\n");
        for (List<String> backend : BACKENDS) {
            out.append("backend ").append(backend.get(0)).append('\n');
            for (String line : backend.subList(1, backend.size())) {
                out.append("    ").append(line).append('\n');
            }
            out.append("    server s1 127.0.0.1:{SERVER} check inter 100 rise 1 fall 1\n\n");
        }
        return out.append(INHERITED).toString();
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void checksPassAndFailAsOnEachLine(HaproxyLine line) throws Exception {
        Runs runs = run(line, UnaryOperator.identity());
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < runs.names.size(); i++) {
            seen.append(i == 0 ? "" : ", ")
                    .append(runs.names.get(i))
                    .append(' ')
                    .append(runs.haproxy.get(i));
        }
        System.out.printf(
                "[lbkit] http-check rules on %s: %d/%d backends alike; HAProxy: %s%n",
                line.text(), runs.alike(), runs.haproxy.size(), seen);
        for (int i = 0; i < runs.haproxy.size(); i++) {
            assertThat(runs.lbkit.get(i))
                    .as("backend %s (lbkit as %s, HAProxy %s)", runs.names.get(i), line, line)
                    .isEqualTo(runs.haproxy.get(i));
        }
        assertThat(runs.haproxy)
                .as("HAProxy %s: the rules gave each outcome", line.text())
                .contains("UP L7OK", "DOWN L7STS", "DOWN L7RSP", "UP L4OK");
    }

    /** The same comparison rejects lbkit when its config has no http-check lines. */
    @Test
    @Tag(NegativeControl.TAG)
    void rejectsLbkitThatIgnoresTheRules() throws Exception {
        Runs runs = run(HaproxyLine.V2_6, NegativeControl.replace("(?m)^\\s*http-check .*$", ""));
        boolean rejected = runs.alike() < runs.haproxy.size();
        NegativeControl.record(
                "http-check",
                "HttpCheckLinesParityTest",
                "the http-check lines dropped",
                (rejected ? "rejected: " : "NOT REJECTED: ")
                        + runs.alike()
                        + "/"
                        + runs.haproxy.size()
                        + " backends alike");
        assertThat(rejected).as("without the rules other servers pass").isTrue();
    }

    private record Runs(List<String> names, List<String> haproxy, List<String> lbkit) {
        int alike() {
            return Steps.alike(haproxy, lbkit);
        }
    }

    private static Runs run(HaproxyLine line, UnaryOperator<String> mistake) throws Exception {
        List<String> names = new ArrayList<>();
        for (List<String> backend : BACKENDS) {
            names.add(backend.get(0));
        }
        names.addAll(List.of("inherits", "ownRules", "ownSend", "ownOption"));
        try (SameConfig both =
                SameConfig.against(TEMPLATE, mistake, HaproxyLines.get(line), line)) {
            // Every server checked several times on both sides (100 ms apart, the first ones
            // spread over the first 100 ms).
            Thread.sleep(1500);
            List<String> haproxy =
                    states(RuntimeApiClient.send(both.haproxyStats(), "show stat"), names);
            List<String> lbkit =
                    states(RuntimeApiClient.send(both.lbkitStats(), "show stat"), names);
            return new Runs(names, haproxy, lbkit);
        }
    }

    /**
     * Each backend's server as "status check_status", without HAProxy's "* " mark of a check in
     * progress.
     */
    private static List<String> states(String csv, List<String> names) {
        List<String> out = new ArrayList<>();
        for (String backend : names) {
            Map<String, String> status = ShowStat.text(csv, backend, "status");
            Map<String, String> check = ShowStat.text(csv, backend, "check_status");
            out.add(status.get("s1") + " " + String.valueOf(check.get("s1")).replace("* ", ""));
        }
        return out;
    }
}
