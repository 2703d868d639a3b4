package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import java.io.IOException;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A server that dies in the middle of its answer, after the head: HAProxy has already passed the
 * head on, so it cannot answer 502 any more; it forwards the head and what came of the body, then
 * closes the client's connection. lbkit must do the same, not hold the head back, not answer an
 * error page, and not wait for a timeout. This is what {@link FaultsUnderLoadTest}'s killed server
 * now and then does to a request in flight, and why that test allows answers cut short there.
 */
class ServerDiesMidAnswerTest {
    private static final String CONFIG =
            """
            global
                stats socket ipv4@127.0.0.1:{STATS} level admin
            defaults
                mode http
                timeout connect 1s
                timeout client 2s
                timeout server 2s
            listen web
                bind 127.0.0.1:{BIND}
                retries 0
                server s1 127.0.0.1:{DYING}
            """;

    /** Cut after the head, or after 10 of 100 bytes; closed with a FIN, or with a reset. */
    private static final String[][] CUTS = {
        {"head only, FIN", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "fin"},
        {
            "head and 10 of 100 bytes, FIN",
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789",
            "fin"
        },
        {"head only, reset", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", "reset"},
        {
            "head and 10 of 100 bytes, reset",
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789",
            "reset"
        },
    };

    /**
     * A known difference, checked to still be there: a chunked answer cut after a whole chunk. Both
     * forward the chunk and close, but HAProxy passes on the CRLF that ends the chunk's data, where
     * lbkit's Jetty writes it only in front of the next chunk, so lbkit's client gets two bytes
     * less. Either way the client has a chunked body without its last chunk: broken, and seen as
     * broken.
     */
    private static final String CHUNKED_CUT =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n";

    /** Far below {@code timeout server} (2 s): the cut is seen at once, not waited out. */
    private static final long PROMPT_MS = 1000;

    @Test
    void bothForwardTheHeadAndWhatCameThenClose() throws Exception {
        for (String[] cut : CUTS) {
            try (ScriptedServer dying = new ScriptedServer(cut[1], cut[2].equals("reset"));
                    SameConfig both = SameConfig.start(config(dying.port()))) {
                both.haproxyOrSkip("the cut answer comparison");
                RawExchange.Outcome haproxy = ask(both.haproxyPort());
                RawExchange.Outcome lbkit = ask(both.lbkitPort());
                System.out.printf(
                        "[lbkit] server dies mid-answer, %s: HAProxy %s | lbkit %s%n",
                        cut[0], seen(haproxy), seen(lbkit));
                assertThat(seen(haproxy))
                        .as("%s: HAProxy forwards the head and closes at once", cut[0])
                        .startsWith("200 ")
                        .endsWith("closed promptly");
                assertThat(seen(lbkit)).as("%s: lbkit as HAProxy", cut[0]).isEqualTo(seen(haproxy));
            }
        }
    }

    @Test
    void aChunkedAnswerCutAfterAChunkLosesItsLastTwoBytesOnLbkit() throws Exception {
        try (ScriptedServer dying = new ScriptedServer(CHUNKED_CUT, false);
                SameConfig both = SameConfig.start(config(dying.port()))) {
            both.haproxyOrSkip("the cut answer comparison");
            String haproxy = seen(ask(both.haproxyPort()));
            String lbkit = seen(ask(both.lbkitPort()));
            System.out.printf(
                    "[lbkit] server dies mid-answer, chunked: HAProxy %s | lbkit %s%n",
                    haproxy, lbkit);
            assertThat(haproxy)
                    .as("HAProxy forwards the whole chunk, its CRLF too, and closes")
                    .isEqualTo("200 transfer-encoding=chunked body=10 bytes, closed promptly");
            assertThat(lbkit)
                    .as("the known difference (drop CHUNKED_CUT's note if this fails)")
                    .isEqualTo("200 transfer-encoding=chunked body=8 bytes, closed promptly");
        }
    }

    /**
     * Negative control: lbkit's server is rewritten to one that sends the whole answer; the
     * comparison must tell the complete answer from HAProxy's cut one.
     */
    @Test
    @Tag(NegativeControl.TAG)
    void theComparisonRejectsAnAnswerThatWasNotCut() throws Exception {
        String[] cut = CUTS[1];
        String whole = cut[1] + "0123456789".repeat(9);
        try (ScriptedServer dying = new ScriptedServer(cut[1], false);
                ScriptedServer complete = new ScriptedServer(whole, false);
                SameConfig both =
                        SameConfig.start(
                                config(dying.port()),
                                NegativeControl.replace(
                                        "server s1 127\\.0\\.0\\.1:\\d+",
                                        "server s1 127.0.0.1:" + complete.port()))) {
            both.haproxyOrSkip("the cut answer comparison");
            String haproxy = seen(ask(both.haproxyPort()));
            String lbkit = seen(ask(both.lbkitPort()));
            NegativeControl.record(
                    "server-dies-mid-answer",
                    "what the client gets when the server dies after its answer's head",
                    "its server rewritten to one that sends the whole answer",
                    lbkit.equals(haproxy)
                            ? "NOT REJECTED"
                            : "rejected: HAProxy " + haproxy + ", lbkit " + lbkit);
            assertThat(lbkit).as("the comparison sees the whole answer").isNotEqualTo(haproxy);
        }
    }

    private static String config(int dyingPort) {
        return CONFIG.replace("{DYING}", Integer.toString(dyingPort));
    }

    private static RawExchange.Outcome ask(int port) throws IOException {
        return RawExchange.send(port, "GET /cut HTTP/1.1\r\nHost: a\r\n\r\n", false, 3000);
    }

    /**
     * What the client saw: the status, the header names and values (names in lower case: HAProxy
     * writes them so, and clients must ignore their case), the body bytes, and whether the
     * connection was closed well before {@code timeout server}.
     */
    static String seen(RawExchange.Outcome outcome) {
        String text = outcome.text();
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return "no head: " + text.replace("\r\n", "|");
        }
        String[] head = text.substring(0, headEnd).split("\r\n");
        StringBuilder out = new StringBuilder();
        out.append(head[0].split(" ", 3).length > 1 ? head[0].split(" ", 3)[1] : head[0]);
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            out.append(' ')
                    .append(head[i].substring(0, colon).toLowerCase(Locale.ROOT))
                    .append('=')
                    .append(head[i].substring(colon + 1).trim());
        }
        out.append(" body=").append(text.length() - headEnd - 4).append(" bytes, ");
        out.append(
                outcome.closed() && outcome.millis() < PROMPT_MS
                        ? "closed promptly"
                        : outcome.closed() ? "closed after " + outcome.millis() + " ms" : "open");
        return out.toString();
    }
}
