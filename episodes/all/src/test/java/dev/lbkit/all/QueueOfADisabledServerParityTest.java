package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.PacedParity;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A server taken out of service ({@code disable server}, {@code set server ... state drain}, {@code
 * set server ... health down|stopping}) or given a higher {@code maxconn} ({@code set maxconn
 * server}) while requests wait for it, side by side and paced by {@code show stat} ({@link
 * PacedParity}): requests waiting in the server's own queue (a hash sent them there), with and
 * without {@code option redispatch}, and requests waiting in the backend's queue while a busy
 * server is disabled (roundrobin). Compared exactly: the server or status of each request, the
 * queues after each request and after the command, each server's answer order, and the counters at
 * the end.
 *
 * <p>What HAProxy does with the requests waiting in the server's own queue differs by line: 2.6.12
 * keeps them there without {@code option redispatch} (the server, disabled or drained, serves them
 * as its slot frees) and balances them again with it; 3.0.11, 3.2.26 and 3.4.7 send them all to the
 * server at once, past its {@code maxconn}, with the option, and without it balance a disabled
 * server's queue again and leave a drained one's. A server forced DOWN or stopping is treated as a
 * drained one, on every line. The backend's queue is never given to a server in maintenance. A
 * higher {@code maxconn} serves the oldest waiting requests at once.
 */
class QueueOfADisabledServerParityTest {
    private static final long HOLD_MS = MaxqueueParityTest.HOLD_MS;
    private static final long GAP_MS = MaxqueueParityTest.GAP_MS;

    @ParameterizedTest(name = "''{0}'', option redispatch {1}")
    @CsvSource({
        "disable server be/%s, false",
        "disable server be/%s, true",
        "set server be/%s state drain, false",
        "set server be/%s state drain, true",
        "set server be/%s health down, false",
        "set server be/%s health down, true",
        "set server be/%s health stopping, false",
        "set server be/%s health stopping, true",
        "set maxconn server be/%s 2, false"
    })
    void requestsQueuedAtAServerThatIsDisabled(String command, boolean redispatch)
            throws Exception {
        String config = MaxqueueParityTest.config("balance url_param key", "maxconn 1", redispatch);
        PacedParity result =
                PacedParity.run(
                        "url_param, maxconn 1, two requests queued at a server, then '"
                                + command.replace("be/%s", "it")
                                + "'"
                                + (redispatch ? ", option redispatch" : ""),
                        config,
                        "be",
                        hashTraffic(config, command));
        result.assertIdentical();
        assertThat(result.sameAnswerOrder())
                .as("each server answered its requests in the same order on both sides")
                .isTrue();
        assertThat(result.comparison().haproxy().answers().get(3))
                .as("HAProxy took the command")
                .isEqualTo(PacedParity.COMMAND_ANSWER + "\"\\n\"");
    }

    @Test
    void requestsInTheBackendQueueWhileABusyServerIsDisabled() throws Exception {
        PacedParity result =
                PacedParity.run(
                        "roundrobin, maxconn 1, a busy server disabled with two requests waiting",
                        roundrobinConfig(),
                        "be",
                        roundrobinTraffic());
        result.assertIdentical();
        assertThat(result.sameAnswerOrder())
                .as("each server answered its requests in the same order on both sides")
                .isTrue();
    }

    /** The same comparison rejects an lbkit whose s1 has no {@code maxconn}. */
    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitWithoutTheServersLimit() throws Exception {
        PacedParity result =
                PacedParity.runNegativeControl(
                        "negative control: roundrobin, a busy server disabled, s1 without maxconn",
                        roundrobinConfig(),
                        "be",
                        roundrobinTraffic(),
                        NegativeControl.replace(
                                "(server s1 127\\.0\\.0\\.1:\\d+ weight 1) maxconn 1", "$1"));
        NegativeControl.record(
                "disabled-server-queue",
                "QueueOfADisabledServerParityTest (paced, queues and answer order)",
                "no maxconn on s1",
                result.identical() ? "NOT REJECTED" : "rejected: " + result.comparison().summary());
        assertThat(result.identical()).as("the comparison sees the missing limit").isFalse();
    }

    static String roundrobinConfig() {
        return MaxqueueParityTest.config("balance roundrobin", "maxconn 1", false);
    }

    /**
     * Three held requests, one per server, ending a gap apart; two more wait in the backend's
     * queue; then the first server, still busy, is disabled.
     */
    static List<String> roundrobinTraffic() {
        return List.of(
                "/?delay_ms=" + HOLD_MS,
                "/?delay_ms=" + (HOLD_MS + GAP_MS),
                "/?delay_ms=" + (HOLD_MS + 2 * GAP_MS),
                "/?delay_ms=" + (GAP_MS / 2),
                "/?delay_ms=" + (GAP_MS / 2),
                PacedParity.COMMAND + "disable server be/s1");
    }

    /**
     * Key {@code a}'s server holds one request and queues two; then {@code command} (its {@code %s}
     * the server's name) takes it out. Its name comes from lbkit's own hashing; HAProxy's answers
     * are what the test compares.
     */
    static List<String> hashTraffic(String config, String command) throws Exception {
        Backend backend = HashKeys.backend(config);
        Server server =
                backend.pickAndTake(
                        RequestInfo.of(InetAddress.getByName("127.0.0.1"), "/?key=a"), null);
        backend.release(server);
        return List.of(
                "/?key=a&delay_ms=" + HOLD_MS,
                "/?key=a&delay_ms=" + (HOLD_MS / 2),
                "/?key=a&delay_ms=" + (HOLD_MS / 2 + GAP_MS),
                PacedParity.COMMAND + command.formatted(server.name()));
    }
}
