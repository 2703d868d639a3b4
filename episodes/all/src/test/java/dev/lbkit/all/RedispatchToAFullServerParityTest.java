package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.PacedParity;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.ShowStat;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A retry redispatched to a server at its {@code maxconn}, side by side, paced by {@code show stat}
 * ({@link PacedParity}). A consistent hash (which, unlike roundrobin, does not pass full servers
 * over) with {@code retries 1} and {@code option redispatch}; s1 refuses every connection (its
 * replica is stopped before the first request, so on both sides); s2 and s3 take one request at a
 * time, {@code maxqueue 1}. Two held requests fill s2 and s3; then a request whose key hashes to s1
 * fails to connect, and its retry goes along the ring to a full server: HAProxy queues it there, as
 * it would a new request. The next such request finds that queue full: 503, counted in the server's
 * {@code econ}. Before, lbkit took a slot on the full server at once, past its {@code maxconn}.
 *
 * <p>Compared exactly: who answered each request (or its status), the servers' and the backend's
 * queues after each request, the order each server answered in, and {@code lbtot}, {@code qmax},
 * {@code econ} at the end.
 */
class RedispatchToAFullServerParityTest {
    private static final long HOLD_MS = MaxqueueParityTest.HOLD_MS;
    private static final long GAP_MS = MaxqueueParityTest.GAP_MS;

    private static final String CONFIG =
            new SingleBackendConfig(
                            "be",
                            "s",
                            "balance url_param key\n    hash-type consistent\n    retries 1\n"
                                    + "    option redispatch\n    timeout queue 30s",
                            List.of(1, 1, 1),
                            List.of(
                                    "maxconn 1 maxqueue 1",
                                    "maxconn 1 maxqueue 1",
                                    "maxconn 1 maxqueue 1"))
                    .text();

    /** s1's replica stops: nothing listens on its port any more, for HAProxy and lbkit alike. */
    private static final Consumer<SideBySide> S1_REFUSES = sides -> sides.replicas().get(0).close();

    @Test
    void aRetryForAFullServerWaitsInItsQueueOrIsRefused() throws Exception {
        PacedParity result =
                PacedParity.runWith(
                        "redispatch to a full server, consistent url_param, s1 refuses",
                        CONFIG,
                        "be",
                        traffic(),
                        null,
                        S1_REFUSES);

        result.assertIdentical();
        assertThat(result.lbkit().answerOrder())
                .as("each server answered its requests in the same order")
                .isEqualTo(result.haproxy().answerOrder());
        List<String> haproxy = result.haproxy().states();
        assertThat(haproxy.get(2))
                .as("HAProxy queued the redispatched request at a full server")
                .contains("+1 queued");
        assertThat(result.comparison().haproxy().answers().get(3))
                .as("HAProxy refused the next one: that queue was full")
                .isEqualTo("503");
    }

    /**
     * lbkit alone, requests with a body (which lbkit forwards on a worker thread, not on its event
     * loop): the same plan, the two retries sent as POSTs. The first waits in the full server's
     * queue and is served once that server's held request ends; the second is refused at once.
     */
    @Test
    void aRetryWithABodyWaitsOrIsRefusedAlike() throws Exception {
        try (SideBySide lbkit =
                SideBySide.start(
                        "redispatch with a body", CONFIG, null, SideBySide.Options.exactRun())) {
            S1_REFUSES.accept(lbkit);
            int port = lbkit.lbkit().port();
            List<String> targets = traffic();
            java.util.concurrent.ExecutorService clients =
                    java.util.concurrent.Executors.newCachedThreadPool();
            try {
                var held1 = clients.submit(() -> post(port, targets.get(0), false));
                var held2 = clients.submit(() -> post(port, targets.get(1), false));
                awaitState(lbkit, m -> m.get("s2") == 1 && m.get("s3") == 1, "scur");
                var queued = clients.submit(() -> post(port, targets.get(2), true));
                awaitState(
                        lbkit,
                        m -> m.values().stream().mapToInt(Integer::intValue).sum() == 1,
                        "qcur");
                String refused = post(port, targets.get(3), true);

                assertThat(refused).as("the second retry finds the queue full").startsWith("503");
                assertThat(queued.get(30, java.util.concurrent.TimeUnit.SECONDS))
                        .as(
                                "the first waited, then a server answered (the replica's 404 for a POST)")
                        .containsPattern("(?i)x-served-by: app[23]");
                assertThat(held1.get(30, java.util.concurrent.TimeUnit.SECONDS)).startsWith("200");
                assertThat(held2.get(30, java.util.concurrent.TimeUnit.SECONDS)).startsWith("200");
                String csv =
                        RuntimeApiClient.admin(
                                lbkit.lbkit().side(), lbkit.lbkit().statsPort(), "show stat");
                assertThat(ShowStat.column(csv, "be", "scur").values())
                        .as("every slot given back")
                        .allMatch(n -> n == 0);
                assertThat(
                                ShowStat.column(csv, "be", "econ").values().stream()
                                        .mapToInt(Integer::intValue)
                                        .sum())
                        .as("one refusal in econ")
                        .isEqualTo(1);
            } finally {
                clients.shutdownNow();
            }
        }
    }

    /**
     * GET's target as a POST with a 5-byte body (a GET when {@code withBody} is false): status line
     * and body.
     */
    private static String post(int port, String target, boolean withBody)
            throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            String request =
                    withBody
                            ? "POST "
                                    + target
                                    + " HTTP/1.1\r\nHost: lbkit.test\r\nContent-Length: 5\r\n"
                                    + "Connection: close\r\n\r\nhello"
                            : "GET "
                                    + target
                                    + " HTTP/1.1\r\nHost: lbkit.test\r\nConnection: close\r\n\r\n";
            socket.getOutputStream()
                    .write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String answer =
                    new String(
                            socket.getInputStream().readAllBytes(),
                            java.nio.charset.StandardCharsets.ISO_8859_1);
            return answer.substring("HTTP/1.1 ".length());
        }
    }

    /** Waits until {@code column} of be's servers in {@code show stat} satisfies {@code test}. */
    private static void awaitState(
            SideBySide lbkit,
            java.util.function.Predicate<java.util.Map<String, Integer>> test,
            String column)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        java.util.Map<String, Integer> last = null;
        while (System.nanoTime() < deadline) {
            String csv =
                    RuntimeApiClient.admin(
                            lbkit.lbkit().side(), lbkit.lbkit().statsPort(), "show stat");
            last = ShowStat.column(csv, "be", column);
            if (test.test(last)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("show stat's " + column + " never got there: " + last);
    }

    /** The same comparison rejects lbkit without the servers' limits, taking a slot at once. */
    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitTakingASlotPastMaxconn() throws Exception {
        PacedParity result =
                PacedParity.runWith(
                        "NEGATIVE CONTROL redispatch to a full server, lbkit without maxconn",
                        CONFIG,
                        "be",
                        traffic(),
                        NegativeControl.replace(" maxconn 1 maxqueue 1", ""),
                        S1_REFUSES);
        NegativeControl.record(
                "redispatch-past-maxconn",
                "paced per-request comparison of a redispatched retry meeting a full server",
                "no maxconn: the retry takes a slot on the full server at once",
                result.identical()
                        ? "NOT REJECTED"
                        : "rejected at request #"
                                + result.comparison().firstDifference()
                                + ", states "
                                + (result.sameStates() ? "identical" : "differ")
                                + ", "
                                + result.comparison().summary());
        assertThat(result.identical()).as("the comparison sees the slot taken").isFalse();
    }

    /**
     * Keys b and c hash to s2 and s3 and hold them; key a hashes to s1, which refuses, twice: the
     * first retry waits in a queue, the second is refused.
     */
    static List<String> traffic() throws Exception {
        String a = HashKeys.keyOn(CONFIG, "s1");
        String b = HashKeys.keyOn(CONFIG, "s2");
        String c = HashKeys.keyOn(CONFIG, "s3");
        return List.of(
                "/?key=" + b + "&delay_ms=" + HOLD_MS,
                "/?key=" + c + "&delay_ms=" + (HOLD_MS + GAP_MS),
                "/?key=" + a + "&delay_ms=" + GAP_MS / 4,
                "/?key=" + a);
    }
}
