package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * lbkit's own error pages, byte for byte against HAProxy's (lbkit running as the line it meets):
 * the status line and the body of the answer when no server can take the request (503) and when the
 * request is not HTTP (400). Comparing the status alone would pass a proxy that relays some other
 * page with the same status; the negative control below shows this comparison does not.
 */
class ErrorPagesTest {
    /**
     * {FREE1} is a port nothing listens on: the only server is unreachable.
     *
     * <p>The cases half-close after their request, and HAProxy 3.4 turns {@code option
     * abortonclose} on by default: it then drops a request whose client closed before its answer
     * (400, or no answer when no server could be reached), and which of the two a client gets can
     * depend on timing. {@link AbortOnCloseParityTest} compares that; this config turns the option
     * off on every line, so these cases compare the pages themselves.
     */
    static final String CONFIG =
            """
            global
                stats socket ipv4@127.0.0.1:{STATS} level admin
            defaults
                mode http
                timeout connect 1s
                timeout client 2s
                timeout server 2s
                no option abortonclose
            listen web
                bind 127.0.0.1:{BIND}
                retries 0
                server s1 127.0.0.1:{FREE1}
            """;

    static final List<String> REQUESTS =
            List.of("GET /nobody HTTP/1.1\r\nHost: a\r\n\r\n", "GET\r\n\r\n");

    /**
     * Known differences in the status line, by request line, with why. Found by this test: the
     * bodies are HAProxy's, but Jetty writes its own reason phrase for a request it refuses while
     * parsing. Clients must ignore the reason phrase (RFC 9112 section 4), so only the code and the
     * body are compared for these, and the test checks the difference is still there.
     */
    static final java.util.Map<String, String> REASON_PHRASE_DIFFERS =
            java.util.Map.of(
                    "GET",
                    "HAProxy says '400 Bad request', lbkit (Jetty's parser) '400 Bad Request'");

    /** The status line and the body of an answer: what a client sees of an error page. */
    static String page(RawExchange.Outcome outcome) {
        String text = outcome.text();
        int headEnd = text.indexOf("\r\n\r\n");
        String statusLine = text.lines().findFirst().orElse("(no answer)");
        return statusLine + "\n" + (headEnd < 0 ? "" : text.substring(headEnd + 4));
    }

    /** The page with the status line cut to its version and code. */
    static String withoutReason(String page) {
        return page.replaceFirst("^(HTTP/1\\.\\d \\d{3}).*", "$1");
    }

    static List<String[]> pages(SameConfig both) throws IOException {
        both.haproxyOrSkip("the error page comparison");
        List<String[]> pages = new java.util.ArrayList<>();
        for (String request : REQUESTS) {
            pages.add(
                    new String[] {
                        request.lines().findFirst().orElse(""),
                        page(RawExchange.send(both.haproxyPort(), request, true, 5000)),
                        page(RawExchange.send(both.lbkitPort(), request, true, 5000))
                    });
        }
        return pages;
    }

    @Test
    void errorPagesAreByteForByteHaproxys() throws Exception {
        try (SameConfig both =
                SameConfig.startOnLines(
                        CONFIG,
                        java.util.EnumSet.allOf(dev.lbkit.balancer.config.HaproxyLine.class))) {
            for (String[] p : pages(both)) {
                if (REASON_PHRASE_DIFFERS.containsKey(p[0])) {
                    assertThat(p[2])
                            .as(
                                    "'%s': the reason phrase still differs (else drop it from REASON_PHRASE_DIFFERS): %s",
                                    p[0], REASON_PHRASE_DIFFERS.get(p[0]))
                            .isNotEqualTo(p[1]);
                    assertThat(withoutReason(p[2]))
                            .as("lbkit's error page for '%s' is HAProxy's, code and body", p[0])
                            .isEqualTo(withoutReason(p[1]));
                    continue;
                }
                assertThat(p[2])
                        .as("lbkit's error page for '%s' is HAProxy's, status line and body", p[0])
                        .isEqualTo(p[1]);
                assertThat(p[1])
                        .as("'%s' got an error page, not a server's answer", p[0])
                        .matches("(?s)HTTP/1\\.1 [45]\\d\\d .*");
            }
        }
    }

    /**
     * Negative control: lbkit's server is rewritten to a live one that answers its own 503 with
     * another page, so the status still matches HAProxy's; the page comparison must reject it.
     */
    @Test
    @Tag(NegativeControl.TAG)
    void pageComparisonRejectsAnotherPageWithTheSameStatus() throws Exception {
        try (ScriptedServer busy =
                new ScriptedServer(
                        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n"
                                + "Connection: close\r\n\r\nbusy\n",
                        false)) {
            try (SameConfig both =
                    SameConfig.start(
                            CONFIG,
                            NegativeControl.replace(
                                    "server s1 127\\.0\\.0\\.1:\\d+",
                                    "server s1 127.0.0.1:" + busy.port()))) {
                String[] p = pages(both).get(0);
                NegativeControl.record(
                        "error-pages-503-relayed",
                        "error pages (status line + body vs HAProxy)",
                        "its only server rewritten to one that answers its own 503",
                        p[2].equals(p[1])
                                ? "NOT REJECTED"
                                : "rejected: same status line "
                                        + p[1].lines().findFirst().orElse("")
                                        + ", different body");
                assertThat(p[2].lines().findFirst())
                        .as("the control keeps the status: only the page differs")
                        .isEqualTo(p[1].lines().findFirst());
                assertThat(p[2])
                        .as("the page comparison rejects a relayed 503 posing as HAProxy's own")
                        .isNotEqualTo(p[1]);
            }
        }
    }

    /** Reads a request head up to its blank line. */
    static final class RecordingBackendHead {
        static void read(Socket s) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            int c;
            while (matched < 4 && (c = s.getInputStream().read()) >= 0) {
                matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
            }
        }
    }
}
