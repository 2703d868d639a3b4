package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.Tee;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Bad HTTP over raw sockets: malformed start lines, bad header names, oversized heads, smuggling
 * shapes, slow clients. Each case pins lbkit's answer (the test fails when it changes), checks that
 * lbkit answers and closes instead of hanging, that nothing HAProxy refuses reaches lbkit's server,
 * and, with the haproxy binary installed, that HAProxy 2.6 answers the same bytes with the same
 * status. Where lbkit is knowingly stricter than HAProxy the difference is listed with its reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadHttpInputTest {
    /**
     * The cases half-close after their request, and HAProxy 3.4 turns {@code option abortonclose}
     * on by default: it then drops a request whose client closed before its answer (400, or no
     * answer when no server could be reached), and which of the two a client gets can depend on
     * timing. {@link AbortOnCloseParityTest} compares that; this config turns the option off on
     * every line, so these cases compare the answers to the requests themselves.
     */
    static final String CONFIG =
            """
            global
                stats socket ipv4@127.0.0.1:{STATS} level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 1s
                timeout server 5s
                no option abortonclose
            listen web
                bind 127.0.0.1:{BIND}
                server s1 127.0.0.1:{SERVER}
            """;

    /**
     * Cases where HAProxy 2.6 forwards and lbkit (Jetty's parser) refuses with 400: lbkit is
     * stricter, never looser. Each is allowed by RFC 9110/9112 (a server MAY or MUST reject these).
     */
    static final Map<String, String> LBKIT_STRICTER =
            Map.of(
                    "version 2.0",
                            "HAProxy reads any HTTP/x.y on an HTTP/1 connection as 1.1; Jetty refuses other versions",
                    "version 1.2", "as above",
                    "NUL in header value",
                            "RFC 9110 5.5: NUL is never valid in a field value; HAProxy passes it",
                    "no Host in 1.1",
                            "RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without Host",
                    "CL.TE smuggle",
                            "RFC 9112 6.1: a server MAY reject Content-Length with Transfer-Encoding; HAProxy drops CL and closes",
                    "TE.CL smuggle", "as above; neither forwards the smuggled request",
                    "CL list same",
                            "RFC 9110 8.6 allows merging identical values; Jetty refuses a list in one Content-Length"
                                    + " (two headers of one value it takes, as HAProxy does)");

    /**
     * The {@link #LBKIT_STRICTER} cases that are not stricter from a line on, because that line
     * refuses them too.
     */
    static final Map<String, HaproxyLine> REFUSED_FROM =
            Map.of("NUL in header value", HaproxyLine.V3_0);

    /**
     * lbkit's pinned answers that change from 3.2, as HAProxy's do: an oversized head gets 431 (414
     * when the start line alone does not fit), and two Content-Length headers of different values
     * get no answer, only the close.
     */
    static final Map<String, String> SINCE_32 =
            Map.of(
                    "header 20000 bytes", "431",
                    "target 20000 bytes", "414",
                    "target 15800 bytes", "414",
                    "two CL differ", "none");

    /**
     * Cases where lbkit running as 3.2 or later answers otherwise than that HAProxy, with HAProxy's
     * answer (pinned, so the test notices if it changes) and why.
     */
    static final Map<String, String[]> DIFFER_FROM_32 =
            Map.of(
                    "target 15800 bytes",
                    new String[] {
                        "431",
                        "HAProxy 3.2 reads a start line of up to about 16320 bytes (3.4: 16328) and then"
                                + " finds the head too large (431); lbkit's parser stops at HAProxy's head"
                                + " limit of 15360 bytes, still inside the target, and says 414"
                    });

    /** lbkit's pinned answer to {@code c} when it runs as {@code line}. */
    static String expected(Case c, HaproxyLine line) {
        if (line.compareTo(HaproxyLine.V3_2) >= 0 && SINCE_32.containsKey(c.name())) {
            return SINCE_32.get(c.name());
        }
        return c.expected();
    }

    /** Whether lbkit refuses {@code c} where HAProxy {@code line} forwards it. */
    static boolean stricter(Case c, HaproxyLine line) {
        HaproxyLine refusedFrom = REFUSED_FROM.get(c.name());
        return LBKIT_STRICTER.containsKey(c.name())
                && (refusedFrom == null || line.compareTo(refusedFrom) < 0);
    }

    /** Timing cases where both refuse, but at a different moment, so the status differs. */
    static final Map<String, String> OTHER_DIFFERENCES =
            Map.of(
                    "slow body",
                            "HAProxy waits for 'timeout server' (504 after 5 s); lbkit answers 408 after 'timeout client'",
                    "body shorter than CL",
                            "the client half-closed mid-body: HAProxy drops the connection silently, lbkit says 400");

    /**
     * Cases where HAProxy's own answer depends on timing, with every answer it was seen to give;
     * lbkit's stays pinned by the case. Two pipelined GETs followed at once by the client's
     * half-close: HAProxy answered both in most runs and only the first in one CI run, depending on
     * whether it had read the close before it started the second request.
     */
    static final Map<String, java.util.Set<String>> HAPROXY_TIMING_DEPENDENT =
            Map.of("pipelined two GETs", java.util.Set.of("200+200", "200"));

    private SameConfig both;
    private final AtomicInteger sameAsHaproxy = new AtomicInteger();
    private final AtomicInteger compared = new AtomicInteger();

    /** Standard error before the cases; lbkit and Jetty log there (slf4j-simple) while they run. */
    private PrintStream standardError;

    /** A copy of what is written to standard error while the cases run. */
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    /** Writes to standard error and to {@link #logged}; holds its lock while it writes. */
    private Tee copying;

    /**
     * lbkit and the HAProxy it meets: the HAProxy found here, with lbkit running as its line
     * ({@code ReliabilityLinesParityTest} meets each newer line by overriding this).
     */
    SameConfig startBoth() throws Exception {
        return SameConfig.startOnLines(CONFIG, java.util.EnumSet.allOf(HaproxyLine.class));
    }

    @BeforeAll
    void start() throws Exception {
        both = startBoth();
        // The first request pays for class loading on both sides; keep it out of the timed cases.
        RawExchange.send(both.lbkitPort(), "GET /warm HTTP/1.1\r\nHost: a\r\n\r\n", true, 10_000);
        standardError = System.err;
        copying = new Tee(standardError, logged);
        System.setErr(new PrintStream(copying, true, StandardCharsets.UTF_8));
    }

    private String loggedFrom(int mark) {
        synchronized (copying) {
            return logged.toString(StandardCharsets.UTF_8).substring(mark);
        }
    }

    @AfterAll
    void stop() {
        if (standardError != null) {
            System.setErr(standardError);
        }
        if (both != null) {
            System.out.printf(
                    "[lbkit] bad HTTP input, lbkit as %s: %d cases, %d compared with HAProxy, %d same"
                            + " status, %d known differences (lbkit stricter: %d)%n",
                    both.lbkit().config().line().text(),
                    cases().size(),
                    compared.get(),
                    sameAsHaproxy.get(),
                    compared.get() - sameAsHaproxy.get(),
                    cases().stream()
                            .filter(c -> stricter(c, both.lbkit().config().line()))
                            .count());
            both.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyBadRequestGetsHaproxysAnswer() {
        return cases().stream()
                .map(
                        c ->
                                DynamicTest.dynamicTest(
                                        c.name() + " -> " + c.expected(), () -> check(c)));
    }

    /**
     * The case's answers (see {@link #compare}), and what was logged meanwhile: a warning at most,
     * never an exception. Jetty once logged "IllegalStateException: already released" while
     * answering two Host headers, when two runs on one client connection released its request
     * buffer together (RawTargetConnectionFactory now keeps those runs apart).
     */
    private void check(Case c) throws Exception {
        int mark = loggedFrom(0).length();
        compare(c);
        String during = loggedFrom(mark);
        assertThat(during)
                .as("what lbkit and Jetty logged while answering '%s' holds no exception", c.name())
                .doesNotContainPattern("Exception|\\n\\s+at ");
        if (c.name().equals("two different Hosts")) {
            assertThat(during)
                    .as(
                            "the copy of standard error sees Jetty's warnings (else the check above could not fail)")
                    .contains("multiple `Host` headers");
        }
    }

    private void compare(Case c) throws Exception {
        HaproxyLine line = both.lbkit().config().line();
        both.lbkitBackend().forget();
        RawExchange.Outcome lbkit =
                RawExchange.send(both.lbkitPort(), c.bytes(), c.halfClose(), c.silenceMs());
        assertThat(lbkit.summary())
                .as(
                        "lbkit's answer to '%s' as %s (pinned: change it only on purpose)%n%s",
                        c.name(), line.text(), lbkit.text().lines().findFirst().orElse(""))
                .isEqualTo(expected(c, line));
        assertThat(lbkit.closed() || expected(c, line).startsWith("2"))
                .as(
                        "lbkit closes the connection after refusing '%s' (never leaves it hanging)",
                        c.name())
                .isTrue();
        List<String> forwarded = both.lbkitBackend().seen();
        assertThat(forwarded)
                .as("the smuggled request never reaches lbkit's server")
                .noneMatch(r -> r.contains("/smuggled"));
        if (!expected(c, line).startsWith("2")) {
            assertThat(forwarded)
                    .as("a refused request ('%s') is not forwarded", c.name())
                    .isEmpty();
        }
        both.haproxyOrSkip("the HAProxy comparison of '" + c.name() + "'");
        RecordingBackend haproxyBackend = both.haproxyBackend().orElseThrow();
        haproxyBackend.forget();
        RawExchange.Outcome haproxy =
                RawExchange.send(both.haproxyPort(), c.bytes(), c.halfClose(), c.silenceMs());
        compared.incrementAndGet();
        if (haproxyBackend.seen().isEmpty()) {
            assertThat(forwarded)
                    .as("nothing HAProxy refuses ('%s') reaches lbkit's server", c.name())
                    .isEmpty();
        }
        if (stricter(c, line)) {
            assertThat(haproxy.first() / 100)
                    .as(
                            "HAProxy still forwards '%s' (else drop it from LBKIT_STRICTER): %s",
                            c.name(), LBKIT_STRICTER.get(c.name()))
                    .isEqualTo(2);
            return;
        }
        if (OTHER_DIFFERENCES.containsKey(c.name())) {
            return;
        }
        if (line.compareTo(HaproxyLine.V3_2) >= 0 && DIFFER_FROM_32.containsKey(c.name())) {
            assertThat(haproxy.summary())
                    .as(
                            "HAProxy %s's answer to '%s' (a known difference: %s)",
                            line.text(), c.name(), DIFFER_FROM_32.get(c.name())[1])
                    .isEqualTo(DIFFER_FROM_32.get(c.name())[0]);
            return;
        }
        if (HAPROXY_TIMING_DEPENDENT.containsKey(c.name())) {
            assertThat(haproxy.summary())
                    .as(
                            "HAProxy %s's answer to '%s' is one of those seen before",
                            line.text(), c.name())
                    .isIn(HAPROXY_TIMING_DEPENDENT.get(c.name()));
            if (lbkit.summary().equals(haproxy.summary())) {
                sameAsHaproxy.incrementAndGet();
            }
            return;
        }
        assertThat(lbkit.summary())
                .as("lbkit answers '%s' as HAProxy %s does", c.name(), line.text())
                .isEqualTo(haproxy.summary());
        sameAsHaproxy.incrementAndGet();
    }

    record Case(
            String name,
            byte[] bytes,
            boolean halfClose,
            int silenceMs,
            String expected,
            boolean forwarded) {}

    static Case c(String name, String request, String expected) {
        return new Case(
                name, request.getBytes(StandardCharsets.ISO_8859_1), true, 5000, expected, false);
    }

    static List<Case> cases() {
        String host = "Host: a\r\n";
        List<Case> cases = new ArrayList<>();
        cases.add(c("valid GET", "GET /ok HTTP/1.1\r\n" + host + "\r\n", "200"));
        cases.add(c("HTTP/0.9 line", "GET /\r\n\r\n", "400"));
        cases.add(c("method only", "GET\r\n\r\n", "400"));
        cases.add(c("extra token", "GET / HTTP/1.1 x\r\n" + host + "\r\n", "400"));
        cases.add(c("version 2.0", "GET / HTTP/2.0\r\n" + host + "\r\n", "400"));
        cases.add(c("version 1.2", "GET / HTTP/1.2\r\n" + host + "\r\n", "400"));
        cases.add(c("version HTTX", "GET / HTTX/1.1\r\n" + host + "\r\n", "400"));
        cases.add(c("method with (", "G(T / HTTP/1.1\r\n" + host + "\r\n", "400"));
        cases.add(c("lowercase method", "get / HTTP/1.1\r\n" + host + "\r\n", "200"));
        cases.add(c("space in target", "GET /a b HTTP/1.1\r\n" + host + "\r\n", "400"));
        cases.add(c("control in target", "GET /a\u0001b HTTP/1.1\r\n" + host + "\r\n", "400"));
        cases.add(c("del in target", "GET /a\u007fb HTTP/1.1\r\n" + host + "\r\n", "400"));
        cases.add(c("8bit in target", "GET /a\u00e9b HTTP/1.1\r\n" + host + "\r\n", "400"));
        cases.add(
                c(
                        "TLS hello",
                        "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003",
                        "400"));
        cases.add(c("bare LF", "GET /lf HTTP/1.1\n" + "Host: a\n\n", "200"));
        cases.add(
                c(
                        "space in header name",
                        "GET / HTTP/1.1\r\n" + host + "Bad Name: x\r\n\r\n",
                        "400"));
        cases.add(c("space before colon", "GET / HTTP/1.1\r\n" + "Host : a\r\n\r\n", "400"));
        cases.add(
                c("header without colon", "GET / HTTP/1.1\r\n" + host + "NoColon\r\n\r\n", "400"));
        cases.add(c("( in header name", "GET / HTTP/1.1\r\n" + host + "X(y): z\r\n\r\n", "400"));
        cases.add(c("empty header name", "GET / HTTP/1.1\r\n" + host + ": z\r\n\r\n", "400"));
        cases.add(c("obs-fold", "GET / HTTP/1.1\r\n" + host + "X-A: 1\r\n  more\r\n\r\n", "200"));
        cases.add(
                c(
                        "NUL in header value",
                        "GET / HTTP/1.1\r\n" + host + "X-A: a\u0000b\r\n\r\n",
                        "400"));
        cases.add(
                c("CR in header value", "GET / HTTP/1.1\r\n" + host + "X-A: a\rb\r\n\r\n", "400"));
        cases.add(
                c(
                        "8bit header value",
                        "GET / HTTP/1.1\r\n" + host + "X-A: caf\u00e9\r\n\r\n",
                        "200"));
        cases.add(
                c(
                        "header 7000 bytes",
                        "GET / HTTP/1.1\r\n" + host + "X-Big: " + "a".repeat(7000) + "\r\n\r\n",
                        "200"));
        cases.add(
                c(
                        "header 12000 bytes",
                        "GET / HTTP/1.1\r\n" + host + "X-Big: " + "a".repeat(12000) + "\r\n\r\n",
                        "200"));
        cases.add(
                c(
                        "header 20000 bytes",
                        "GET / HTTP/1.1\r\n" + host + "X-Big: " + "a".repeat(20000) + "\r\n\r\n",
                        "400"));
        cases.add(
                c(
                        "target 12000 bytes",
                        "GET /" + "a".repeat(12000) + " HTTP/1.1\r\n" + host + "\r\n",
                        "200"));
        cases.add(
                c(
                        "target 15800 bytes",
                        "GET /" + "a".repeat(15800) + " HTTP/1.1\r\n" + host + "\r\n",
                        "400"));
        cases.add(
                c(
                        "target 20000 bytes",
                        "GET /" + "a".repeat(20000) + " HTTP/1.1\r\n" + host + "\r\n",
                        "400"));
        cases.add(
                c(
                        "100 headers",
                        "GET / HTTP/1.1\r\n" + host + "X-H: v\r\n".repeat(99) + "\r\n",
                        "200"));
        cases.add(
                c(
                        "101 headers",
                        "GET / HTTP/1.1\r\n" + host + "X-H: v\r\n".repeat(100) + "\r\n",
                        "400"));
        cases.add(
                c(
                        "150 headers",
                        "GET / HTTP/1.1\r\n" + host + "X-H: v\r\n".repeat(149) + "\r\n",
                        "400"));
        cases.add(c("no Host in 1.1", "GET /nohost HTTP/1.1\r\n\r\n", "400"));
        cases.add(c("two different Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400"));
        cases.add(
                c(
                        "CL.TE smuggle",
                        "POST /outer HTTP/1.1\r\n"
                                + host
                                + "Content-Length: 4\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n"
                                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\n"
                                + host
                                + "\r\n",
                        "400"));
        String inner = "GET /smuggled HTTP/1.1\r\n" + host + "\r\n";
        cases.add(
                c(
                        "TE.CL smuggle",
                        "POST /outer HTTP/1.1\r\n"
                                + host
                                + "Content-Length: 6\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n"
                                + Integer.toHexString(inner.length())
                                + "\r\n"
                                + inner
                                + "\r\n0\r\n\r\n",
                        "400"));
        cases.add(
                c(
                        "two CL differ",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "two CL same",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd",
                        "200"));
        cases.add(
                c(
                        "CL list differ",
                        "POST /p HTTP/1.1\r\n" + host + "Content-Length: 3, 4\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "CL list same",
                        "POST /p HTTP/1.1\r\n" + host + "Content-Length: 4, 4\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "CL negative",
                        "POST /p HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "CL plus sign",
                        "POST /p HTTP/1.1\r\n" + host + "Content-Length: +4\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "CL not a number",
                        "POST /p HTTP/1.1\r\n" + host + "Content-Length: abc\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "CL huge",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Content-Length: 99999999999999999999999\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "TE identity",
                        "POST /p HTTP/1.1\r\n" + host + "Transfer-Encoding: identity\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "TE chunked,identity",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Transfer-Encoding: chunked, identity\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
                        "400"));
        cases.add(
                c(
                        "TE gzip,chunked",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Transfer-Encoding: gzip, chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
                        "422"));
        cases.add(
                c(
                        "TE xchunked",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Transfer-Encoding: xchunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
                        "400"));
        cases.add(
                c(
                        "TE twice",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
                        "400"));
        cases.add(
                c(
                        "TE in HTTP/1.0",
                        "POST /p HTTP/1.0\r\n"
                                + host
                                + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
                        "200"));
        cases.add(
                c(
                        "bad chunk size",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n",
                        "400"));
        cases.add(
                c(
                        "chunk size overflow",
                        "POST /p HTTP/1.1\r\n"
                                + host
                                + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nabcd\r\n0\r\n\r\n",
                        "400"));
        cases.add(
                c(
                        "body shorter than CL",
                        "POST /p HTTP/1.1\r\n" + host + "Content-Length: 10\r\n\r\nabcd",
                        "400"));
        cases.add(
                c(
                        "pipelined two GETs",
                        "GET /one HTTP/1.1\r\n"
                                + host
                                + "\r\nGET /two HTTP/1.1\r\n"
                                + host
                                + "\r\n",
                        "200+200"));
        cases.add(
                new Case(
                        "slow headers",
                        ("GET /slow HTTP/1.1\r\n" + host).getBytes(StandardCharsets.ISO_8859_1),
                        false,
                        4000,
                        "408",
                        false));
        cases.add(
                new Case(
                        "slow body",
                        ("POST /slowbody HTTP/1.1\r\n" + host + "Content-Length: 10\r\n\r\nab")
                                .getBytes(StandardCharsets.ISO_8859_1),
                        false,
                        8000,
                        "408",
                        false));
        cases.add(new Case("idle after connect", new byte[0], false, 4000, "408", false));
        return cases;
    }
}
