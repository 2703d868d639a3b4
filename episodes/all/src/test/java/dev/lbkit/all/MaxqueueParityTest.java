package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.PacedParity;
import dev.lbkit.harness.SingleBackendConfig;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server's {@code maxqueue}, side by side: servers with {@code maxconn 1} hold slow requests, the
 * next requests wait in queues, and each is sent only once {@code show stat} shows the earlier ones
 * in place ({@link PacedParity}). Compared exactly: the final server or status of each request, the
 * servers' and the backend's queues after each request, the order each server answered its
 * requests, and {@code lbtot}, {@code qmax}, {@code econ} at the end.
 *
 * <p>What HAProxy does (2.6.12 and 3.4.7 alike): a hash sends a request to its server whatever that
 * server's load; when the server is at its {@code maxconn} the request waits in the server's own
 * queue, and when that queue already holds {@code maxqueue} requests the request is answered 503 at
 * once and counted in the server's and the backend's {@code econ}. {@code option redispatch} does
 * not send it elsewhere. Roundrobin never picks a full server: requests wait in the backend's
 * queue, which has no limit, so {@code maxqueue} never applies.
 */
class MaxqueueParityTest {
    /** How long the first request holds its server; longer than sending the others takes. */
    static final long HOLD_MS = Long.getLong("lbkit.hold.ms", 4000);

    /** Time between two planned releases: far more than a busy machine's scheduling jitter. */
    static final long GAP_MS = Long.getLong("lbkit.gap.ms", 1000);

    @ParameterizedTest(name = "option redispatch {0}")
    @ValueSource(booleans = {false, true})
    void aHashedRequestForAServerWithAFullQueueGetsA503(boolean redispatch) throws Exception {
        String config = hashConfig(redispatch);
        PacedParity result =
                PacedParity.run(
                        "url_param, maxconn 1 maxqueue 2"
                                + (redispatch ? ", option redispatch" : ""),
                        config,
                        "be",
                        hashTraffic(config));

        result.assertIdentical();
        assertSameQueueOrder(result);
        assertThat(result.comparison().haproxy().answers())
                .as("HAProxy refused the requests its server's full queue could not take")
                .contains("503");
        assertThat(result.comparison().neitherServed() + result.comparison().matching())
                .as("every request: the same server, or the same refusal")
                .isEqualTo(result.comparison().total());
    }

    @Test
    void roundrobinQueuesAtTheBackendWhereMaxqueueNeverApplies() throws Exception {
        PacedParity result =
                PacedParity.run(
                        "roundrobin, maxconn 1 maxqueue 1",
                        config("balance roundrobin", "maxconn 1 maxqueue 1", false),
                        "be",
                        roundrobinTraffic());

        result.assertIdentical();
        assertSameQueueOrder(result);
        assertThat(result.comparison().matching())
                .as("no refusal: every request was served, by the same server on both sides")
                .isEqualTo(result.comparison().total());
        assertThat(result.haproxy().states().get(result.haproxy().states().size() - 1))
                .as("the backend's queue held the requests the full servers could not take")
                .endsWith("backend queue 5");
    }

    /**
     * A known difference, pinned: HAProxy's leastconn counts a server full only at {@code maxconn +
     * maxqueue} and queues requests at a busy server while its queue has room; lbkit's leastconn
     * passes a server over at its {@code maxconn} (and warns about the config). When lbkit learns
     * it, this test fails: turn it into a parity assertion.
     */
    @Test
    void leastconnWithMaxqueueQueuesAtServersInHaproxyButNotYetInLbkit() throws Exception {
        PacedParity result =
                PacedParity.run(
                        "leastconn, maxconn 1 maxqueue 1 (known difference)",
                        config("balance leastconn", "maxconn 1 maxqueue 1", false),
                        "be",
                        roundrobinTraffic());

        List<String> haproxy = result.haproxy().states();
        List<String> lbkit = result.lbkit().states();
        System.out.println(
                "[lbkit] leastconn maxconn 1 maxqueue 1, after the last request: HAProxy "
                        + haproxy.get(haproxy.size() - 1)
                        + " | lbkit "
                        + lbkit.get(lbkit.size() - 1));
        assertThat(haproxy.get(haproxy.size() - 1))
                .as("HAProxy: some requests wait in a busy server's own queue")
                .contains(" +1 queued");
        assertThat(lbkit.get(lbkit.size() - 1))
                .as("lbkit (not modelled yet): every waiting request in the backend's queue")
                .isEqualTo("s1 1, s2 1, s3 1, backend queue 5");
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitIgnoringMaxqueue() throws Exception {
        String config = hashConfig(false);
        PacedParity result =
                PacedParity.runNegativeControl(
                        "NEGATIVE CONTROL url_param maxqueue 2, lbkit without maxqueue",
                        config,
                        "be",
                        hashTraffic(config),
                        NegativeControl.replace(" maxqueue 2", ""));
        NegativeControl.record(
                "maxqueue-ignored",
                "paced per-request comparison of queued and refused requests (maxqueue)",
                "no maxqueue: a server's queue without a limit, where HAProxy refuses",
                result.identical()
                        ? "NOT REJECTED"
                        : "rejected at request #"
                                + result.comparison().firstDifference()
                                + ", "
                                + result.comparison().summary());
        assertThat(result.identical()).as("the comparison sees the missing limit").isFalse();
    }

    private static void assertSameQueueOrder(PacedParity result) {
        assertThat(result.lbkit().answerOrder())
                .as(
                        "each server answered its requests in the same order (queues first in, first out)")
                .isEqualTo(result.haproxy().answerOrder());
    }

    /**
     * Keys {@code a} and {@code b} hash to two different servers (found with lbkit's own hashing;
     * HAProxy's answers are what the test compares). Key a: one request served, two queued, then
     * refused; key b: one served and one queued on its own server, which a's overflow never
     * reaches.
     */
    static List<String> hashTraffic(String config) throws Exception {
        Map<String, String> keys = keysOnTwoServers(config);
        String a = keys.get("a");
        String b = keys.get("b");
        String first = "&delay_ms=" + HOLD_MS;
        String queued = "&delay_ms=" + GAP_MS / 4;
        return List.of(
                "/?key=" + a + first,
                "/?key=" + a + queued,
                "/?key=" + a + queued,
                "/?key=" + a + queued,
                "/?key=" + b + "&delay_ms=" + (HOLD_MS + GAP_MS),
                "/?key=" + a,
                "/?key=" + b + queued,
                "/?key=" + b + queued,
                "/?key=" + b + queued);
    }

    /**
     * Three held requests, one per server, ending a gap apart; five more wait in the backend's
     * queue, and their delays decide which server frees a slot next (T is when the first held
     * request ends; every answer on a server is at least a quarter of a gap from the next).
     */
    static List<String> roundrobinTraffic() {
        long gap = GAP_MS;
        return List.of(
                "/?delay_ms=" + HOLD_MS, // the first server, frees at T
                "/?delay_ms=" + (HOLD_MS + gap), // the second, frees at T + gap
                "/?delay_ms=" + (HOLD_MS + 2 * gap), // the third, frees at T + 2 gaps
                "/?delay_ms=" + (3 * gap / 2), // the first at T, until T + 1.5 gaps
                "/?delay_ms=" + (3 * gap / 2), // the second at T + gap, until T + 2.5 gaps
                "/?delay_ms=" + gap / 4, // the first at T + 1.5 gaps, until T + 1.75 gaps
                "/?delay_ms=" + gap, // the first again at T + 1.75 gaps: the others are busy
                "/?delay_ms=" + gap / 4); // the third at T + 2 gaps
    }

    static String hashConfig(boolean redispatch) {
        return config("balance url_param key", "maxconn 1 maxqueue 2", redispatch);
    }

    static String config(String balance, String limits, boolean redispatch) {
        String text =
                new SingleBackendConfig(
                                "be",
                                "s",
                                balance,
                                List.of(1, 1, 1),
                                List.of(limits, limits, limits))
                        .text();
        String extra = "    timeout queue 30s\n" + (redispatch ? "    option redispatch\n" : "");
        return text.replace("    timeout server 30s\n", "    timeout server 30s\n" + extra);
    }

    /** Two keys of the form k0, k1, ... that lbkit hashes to two different servers. */
    private static Map<String, String> keysOnTwoServers(String config) throws Exception {
        Backend backend =
                new Backend(
                        ConfigParser.parse(config, "maxqueue-keys.cfg").backend("be").orElseThrow(),
                        Algorithms::create);
        InetAddress client = InetAddress.getByName("127.0.0.1");
        Map<String, String> keys = new LinkedHashMap<>();
        Server firstServer = null;
        for (int i = 0; keys.size() < 2 && i < 100; i++) {
            String key = "k" + i;
            Server server = backend.pickAndTake(RequestInfo.of(client, "/?key=" + key), null);
            backend.release(server);
            if (firstServer == null) {
                firstServer = server;
                keys.put("a", key);
            } else if (server != firstServer) {
                keys.put("b", key);
            }
        }
        assertThat(keys).as("two keys on two servers among k0..k99").hasSize(2);
        return keys;
    }
}
