package dev.lbkit.balancer.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The line formats, checked against lines HAProxy 2.6 wrote for the same kind of request. */
class LogFormatTest {

    /** A request as HAProxy logged it: 127.0.0.1:43262, fe, be/s1, 200, 128 bytes, 0/0/0/1/1. */
    private static AccessRecord served() {
        AccessRecord r = new AccessRecord();
        r.acceptMillis =
                LocalDateTime.of(2026, 11, 30, 18, 35, 1, 73_000_000)
                        .atZone(ZoneId.systemDefault())
                        .toInstant()
                        .toEpochMilli();
        r.beginNanos = 1_000_000_000L;
        r.headersNanos = r.beginNanos;
        r.pickedNanos = r.beginNanos;
        r.connectStartNanos = r.beginNanos;
        r.connectedNanos = r.beginNanos;
        r.answerNanos = r.beginNanos + 1_200_000;
        r.endNanos = r.beginNanos + 1_900_000;
        r.clientIp = "127.0.0.1";
        r.clientPort = 43262;
        r.frontend = "fe";
        r.backend = "be";
        r.server = "s1";
        r.status = 200;
        r.bytesOut = 128;
        r.activeConnections = 1;
        r.frontendConnections = 1;
        r.method = "GET";
        r.uri = "/x?a=1";
        r.version = "HTTP/1.1";
        return r;
    }

    @Test
    void httplogWritesHaproxysLine() throws Exception {
        assertThat(LogFormat.compile(LogFormat.HTTPLOG).format(served()))
                .as("option httplog")
                .isEqualTo(
                        "127.0.0.1:43262 [30/Nov/2026:18:35:01.073] fe be/s1 0/0/0/1/1 200 128 - - ---- "
                                + "1/1/0/0/0 0/0 \"GET /x?a=1 HTTP/1.1\"");
    }

    @Test
    void noServerAndRetriesReadAsHaproxyWritesThem() throws Exception {
        AccessRecord r = served();
        r.server = null;
        r.pickedNanos = -1;
        r.connectStartNanos = -1;
        r.connectedNanos = -1;
        r.answerNanos = -1;
        r.status = 503;
        r.bytesOut = 217;
        r.termination = "SC";
        assertThat(LogFormat.compile(LogFormat.HTTPLOG).format(r))
                .as("no server: -1 timers, <NOSRV>, SC--")
                .contains(" fe be/<NOSRV> 0/-1/-1/-1/1 503 217 - - SC-- ");
        AccessRecord moved = served();
        moved.retries = 1;
        moved.redispatched = true;
        assertThat(LogFormat.compile(LogFormat.HTTPLOG).format(moved))
                .as("a redispatched retry is +1")
                .contains(" 1/1/0/0/+1 0/0 ");
    }

    @Test
    void clfQuotesTextAndKeepsTheTrailingSeparator() throws Exception {
        String line = LogFormat.compile(LogFormat.CLF).format(served());
        assertThat(line)
                .as("option httplog clf, as HAProxy 2.6 wrote it (its date in GMT)")
                .matches(
                        "127\\.0\\.0\\.1 - - \\[30/Nov/2026:\\d\\d:\\d\\d:01 \\+0000\\] \"GET /x\\?a=1 HTTP/1\\.1\" 200 128 \"\" \"\" "
                                + "43262 073 \"fe\" \"be\" \"s1\" 0 0 0 1 1 ---- 1 1 0 0 0 0 0 \"\" \"\" ");
    }

    @Test
    void aSeparatorIsWrittenOnlyBetweenValues() throws Exception {
        assertThat(LogFormat.compile("%ST %hr %hs  %B|%%|%{+Q}HM").format(served()))
                .as("captures write nothing and leave no double space; %% is a percent sign")
                .isEqualTo("200 128|%|\"GET\"");
        assertThat(LogFormat.compile("%HM %HP %HU %HV %ID %{+X}ST").format(served()))
                .as("request parts, an empty unique id, a hexadecimal status")
                .isEqualTo("GET /x /x?a=1 HTTP/1.1 - 0xC8");
    }

    @Test
    void malformedFormatsAreRefusedInHaproxysWords() {
        assertThatThrownBy(() -> LogFormat.compile("%ci %zz"))
                .hasMessage(
                        "no such format variable 'zz'. If you "
                                + "wanted to emit the '%' character verbatim, you need to use '%%'.");
        assertThatThrownBy(() -> LogFormat.compile("%{+Q r"))
                .hasMessage("truncated line after '+Q r'.");
        assertThatThrownBy(() -> LogFormat.compile("%ci %"))
                .hasMessage("truncated line after '%'.");
        assertThatThrownBy(() -> LogFormat.compile("%{+Q}"))
                .hasMessage("parse argument modifier without variable name near '%{+Q}'.");
        assertThatThrownBy(() -> LogFormat.compile("%[src")).hasMessage("missing ']' after 'src'.");
        assertThatThrownBy(() -> LogFormat.compile("%[src]"))
                .as("samples are refused, saying what to use instead")
                .hasMessageContaining("lbkit does not evaluate sample expressions such as '%[src]'")
                .hasMessageContaining("%ci");
    }
}
