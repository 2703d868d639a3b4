package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.PacedParity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A persistence cookie names a server that is at its {@code maxconn} and whose own queue already
 * holds its {@code maxqueue}, side by side, paced by {@code show stat} ({@link PacedParity}).
 *
 * <p>What HAProxy does (measured on 2.6.12 first, then held by this test on every line): without
 * {@code option redispatch} the request is refused at once, a 503 counted in that server's {@code
 * econ}. With the option (and on 2.6 whatever its interval: {@code option redispatch 0} there only
 * stops a hashing algorithm's retries from moving; from 3.0 it turns the option off), the request
 * is balanced as if it carried no cookie, the algorithm passing the cookie's server over where it
 * can: roundrobin sends it to the next server with a free slot, or to the backend's queue when
 * every server is full; a map-based hash gives the same server again, whose queue is still full
 * (refused); a consistent hash goes on along its ring. The answer then sets the cookie of the
 * server that served it.
 *
 * <p>Compared exactly: who answered each request (or its status), the servers' and the backend's
 * queues after each request, the order each server answered in, and {@code lbtot}, {@code qmax},
 * {@code econ} at the end.
 */
class CookieFullQueueParityTest {
    private static final long HOLD_MS = MaxqueueParityTest.HOLD_MS;
    private static final long GAP_MS = MaxqueueParityTest.GAP_MS;

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "balance roundrobin|option redispatch",
                "balance roundrobin|",
                "balance url_param key|option redispatch",
                "balance url_param key\n    hash-type consistent|option redispatch"
            })
    void aCookieForAServerWithAFullQueue(String variant) throws Exception {
        String balance = variant.substring(0, variant.indexOf('|'));
        String redispatch = variant.substring(variant.indexOf('|') + 1);
        String config = config(balance, redispatch);
        PacedParity result =
                PacedParity.run(
                        "cookie for a full queue, "
                                + balance.replace("\n    ", ", ")
                                + (redispatch.isEmpty()
                                        ? ", no option redispatch"
                                        : ", " + redispatch),
                        config,
                        "be",
                        traffic(config));

        result.assertIdentical();
        assertThat(result.lbkit().answerOrder())
                .as(
                        "each server answered its requests in the same order (queues first in, first out)")
                .isEqualTo(result.haproxy().answerOrder());
        // What the run must have exercised: request #2 carries s1's cookie while s1 is full and its
        // queue holds #1.
        String third = result.comparison().haproxy().answers().get(2);
        if (redispatch.isEmpty() || balance.equals("balance url_param key")) {
            assertThat(third)
                    .as("HAProxy refused the request its cookie's full queue could not take")
                    .isEqualTo("503");
        } else {
            assertThat(third)
                    .as("HAProxy balanced the request away from its cookie's full server")
                    .isIn("s2", "s3");
        }
    }

    /**
     * {@code option redispatch 0} as each line reads it: HAProxy 2.6 keeps the option on (the
     * request is balanced away from its cookie's full server), 3.0 and later turn it off (refused).
     */
    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void optionRedispatchZeroAsEachLineReadsIt(HaproxyLine line) throws Exception {
        String config = config("balance roundrobin", "option redispatch 0");
        PacedParity result =
                PacedParity.run(
                        "cookie for a full queue, option redispatch 0, HAProxy " + line.text(),
                        config,
                        "be",
                        traffic(config),
                        SideBySide.HaproxyStarter.of(HaproxyLines.get(line)));

        result.assertIdentical();
        String third = result.comparison().haproxy().answers().get(2);
        if (line.compareTo(HaproxyLine.V3_0) < 0) {
            assertThat(third).as("HAProxy %s: the option is on", line.text()).isIn("s2", "s3");
        } else {
            assertThat(third).as("HAProxy %s: the option is off", line.text()).isEqualTo("503");
        }
    }

    /**
     * The comparison above rejects lbkit reading {@code option redispatch 0} as the other family of
     * lines does: as 3.0 against 2.6 (off where it is on), as 2.6 against 3.4 (on where it is off).
     */
    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V2_6", "V3_4"})
    @Tag(NegativeControl.TAG)
    void theComparisonRejectsRedispatchZeroReadAsTheOtherLine(HaproxyLine line) throws Exception {
        HaproxyLine wrong =
                line.compareTo(HaproxyLine.V3_0) < 0 ? HaproxyLine.V3_0 : HaproxyLine.V2_6;
        String config = config("balance roundrobin", "option redispatch 0");
        PacedParity result =
                PacedParity.runNegativeControl(
                        "NEGATIVE CONTROL cookie for a full queue, option redispatch 0, lbkit as "
                                + wrong.text()
                                + " against "
                                + line.text(),
                        config,
                        "be",
                        traffic(config),
                        SideBySide.HaproxyStarter.of(HaproxyLines.get(line)).withLbkitAs(wrong));
        NegativeControl.record(
                "redispatch-zero-line-" + line.text(),
                "paced per-request comparison of a cookie's full server, option redispatch 0",
                "option redispatch 0 read as HAProxy "
                        + wrong.text()
                        + " reads it, against "
                        + line.text(),
                result.verdict());
        assertThat(result.identical()).as("the comparison sees the other line's reading").isFalse();
    }

    /**
     * The same comparison rejects lbkit refusing where HAProxy redispatches: lbkit is run without
     * {@code option redispatch}, which is what it did for this case before it was modelled.
     */
    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitWithoutRedispatch() throws Exception {
        String config = config("balance roundrobin", "option redispatch");
        PacedParity result =
                PacedParity.runNegativeControl(
                        "NEGATIVE CONTROL cookie for a full queue, lbkit without option redispatch",
                        config,
                        "be",
                        traffic(config),
                        NegativeControl.replace("    option redispatch\\n", ""));
        NegativeControl.record(
                "cookie-full-queue-refused",
                "paced per-request comparison of a cookie's full server (maxqueue, redispatch)",
                "a request whose cookie names a server with a full queue refused (503) as without"
                        + " option redispatch",
                result.verdict());
        assertThat(result.identical()).as("the comparison sees the 503s").isFalse();
    }

    /**
     * Eight requests, each held at its server long enough to be in flight when the last is sent:
     * four with s1's cookie (s1 takes the first, its queue the second; the third and fourth find
     * both full), one more for s1, two with s2's cookie, one without a cookie. Key a hashes to s1,
     * key b to s2 (for a hash; the other algorithms ignore it).
     */
    static List<String> traffic(String config) throws Exception {
        String a = HashKeys.keyOn(config, "s1");
        String b = HashKeys.keyOn(config, "s2");
        String s1 = "Cookie: SRV=s1";
        String s2 = "Cookie: SRV=s2";
        long quick = GAP_MS / 4;
        return List.of(
                PacedParity.withHeaders("/?key=" + a + "&delay_ms=" + HOLD_MS, s1),
                PacedParity.withHeaders("/?key=" + a + "&delay_ms=" + quick, s1),
                PacedParity.withHeaders("/?key=" + a + "&delay_ms=" + (HOLD_MS + GAP_MS), s1),
                PacedParity.withHeaders("/?key=" + b + "&delay_ms=" + (HOLD_MS + 2 * GAP_MS), s1),
                PacedParity.withHeaders("/?key=" + a + "&delay_ms=" + quick, s1),
                PacedParity.withHeaders("/?key=" + b + "&delay_ms=" + GAP_MS, s2),
                PacedParity.withHeaders("/?key=" + b + "&delay_ms=" + quick, s2),
                "/?key=" + a + "&delay_ms=" + quick);
    }

    static String config(String balance, String redispatch) {
        String limits = "maxconn 1 maxqueue 1";
        String text =
                new SingleBackendConfig(
                                "be",
                                "s",
                                balance
                                        + "\n    cookie SRV insert indirect nocache"
                                        + (redispatch.isEmpty() ? "" : "\n    " + redispatch),
                                List.of(1, 1, 1),
                                List.of(
                                        "cookie s1 " + limits,
                                        "cookie s2 " + limits,
                                        "cookie s3 " + limits))
                        .text();
        return text.replace(
                "    timeout server 30s\n", "    timeout server 30s\n    timeout queue 30s\n");
    }
}
