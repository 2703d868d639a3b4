package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.PacedParity;
import dev.lbkit.harness.SideBySide;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server's {@code maxqueue} without a HAProxy: where a request goes once the server it must go to
 * has a full queue. The side-by-side proof is {@link MaxqueueParityTest}.
 */
class MaxqueueTest {

    @Test
    void aHashedRequestForAServerWithAFullQueueIsRefusedAtOnce() throws Exception {
        Backend backend = backend("balance uri", "maxconn 1 maxqueue 2", "option redispatch");
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            outcomes.add(outcome(backend.pickTakeOrQueue(request("/a"), s -> {}, 0)));
        }

        assertThat(outcomes)
                .as("one served, maxqueue 2 waiting, then refused even with option redispatch")
                .containsExactly(outcomes.get(0), "queued", "queued", "refused", "refused");
        Server s1 = backend.server(outcomes.get(0)).orElseThrow();
        assertThat(s1.queued()).as("s1's queue holds maxqueue requests").isEqualTo(2);
        assertThat(s1.refusedQueueFull()).as("s1's econ counts the refusals").isEqualTo(2);
        assertThat(backend.refusedQueueFull()).as("so does the backend's").isEqualTo(2);
        assertThat(s1.lbtot()).as("every pick of s1 counts in lbtot, refused or not").isEqualTo(5);
    }

    /**
     * A cookie for a server whose queue is full: refused without {@code option redispatch}; with
     * it, balanced as if it had no cookie, avoiding that server, and the pick counts in lbtot only
     * when it changes the server. Against HAProxy: {@link CookieFullQueueParityTest}.
     */
    @Test
    void aCookieForAFullQueueIsRefusedOrRedispatchedAsTheOptionSays() throws Exception {
        for (String option : List.of("", "option redispatch", "option redispatch 0")) {
            Backend backend =
                    backend(
                            "balance roundrobin\n    cookie SRV insert indirect nocache",
                            "maxconn 1 maxqueue 1",
                            option,
                            true);
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                outcomes.add(outcome(backend.pickTakeOrQueue(cookie("s1"), s -> {}, 0)));
            }
            Server s1 = backend.server("s1").orElseThrow();
            Server s2 = backend.server("s2").orElseThrow();
            if (option.isEmpty()) {
                assertThat(outcomes)
                        .as("no option: refused")
                        .containsExactly("s1", "queued", "refused");
                assertThat(s1.refusedQueueFull()).as("s1's econ").isEqualTo(1);
            } else {
                assertThat(outcomes)
                        .as(option + ": balanced away from s1")
                        .containsExactly("s1", "queued", "s2");
                assertThat(s1.refusedQueueFull()).as(option + ": no econ").isZero();
                assertThat(s2.lbtot()).as(option + ": the algorithm's pick counts").isEqualTo(1);
            }
            assertThat(s1.lbtot()).as("a cookie's server is not the algorithm's pick").isZero();
        }
    }

    /** A map hash gives the cookie's full server again: refused, and not counted in its lbtot. */
    @Test
    void aHashThatGivesTheCookiesFullServerAgainRefusesAndCountsNoPick() throws Exception {
        Backend backend =
                backend(
                        "balance uri\n    cookie SRV insert indirect nocache",
                        "maxconn 1 maxqueue 1",
                        "option redispatch",
                        true);
        Server hashed = backend.pickTakeOrQueue(request("/a"), s -> {}, 0).server();
        assertThat(hashed.lbtot()).isEqualTo(1);
        RequestInfo forHashed =
                new RequestInfo(
                        InetAddress.getByName("127.0.0.1"),
                        "/a",
                        name -> name.equalsIgnoreCase("Cookie") ? "SRV=" + hashed.name() : null);
        assertThat(outcome(backend.pickTakeOrQueue(forHashed, s -> {}, 0))).isEqualTo("queued");
        assertThat(outcome(backend.pickTakeOrQueue(forHashed, s -> {}, 0))).isEqualTo("refused");
        assertThat(hashed.lbtot()).as("the redispatch came back to the same server").isEqualTo(1);
        assertThat(hashed.refusedQueueFull()).isEqualTo(1);
    }

    /**
     * A retry redispatched off a server gives its slot back first (a request waiting for that
     * server takes it), then waits at a full server as a new request would, or is refused by its
     * full queue; before, it took a slot past the server's {@code maxconn}. Against HAProxy: {@link
     * RedispatchToAFullServerParityTest}.
     */
    @Test
    void aRedispatchedRetryWaitsAtAFullServerOrIsRefused() throws Exception {
        Backend backend =
                backend(
                        "balance uri\n    hash-type consistent",
                        "maxconn 1 maxqueue 1",
                        "option redispatch");
        Server s1 = backend.server("s1").orElseThrow();
        String toS1 = pathTo(backend, s1);
        List<Server> served = new ArrayList<>();
        for (Server server : backend.servers()) {
            served.add(
                    backend.pickTakeOrQueue(request(pathTo(backend, server)), s -> {}, 0).server());
        }
        assertThat(served)
                .as("one request on each server")
                .containsExactlyElementsOf(backend.servers());
        List<Server> dequeued = new ArrayList<>();
        assertThat(outcome(backend.pickTakeOrQueue(request(toS1), dequeued::add, 0)))
                .as("a request waits for s1")
                .isEqualTo("queued");

        Backend.Pick moved = backend.redispatch(request(toS1), s1, s -> {}, 0);

        assertThat(dequeued)
                .as("s1's slot, given back, goes to the request waiting for it")
                .containsExactly(s1);
        assertThat(outcome(moved))
                .as("the retry waits at the next, full, server")
                .isEqualTo("queued");
        assertThat(queues(backend))
                .as("one server's own queue holds it, past none's maxconn")
                .isIn("0 1 0 | 0", "0 0 1 | 0");
        assertThat(backend.servers()).allMatch(server -> server.served() == 1);
        assertThat(outcome(backend.redispatch(request(toS1), s1, s -> {}, 0)))
                .as("the next one finds that queue full")
                .isEqualTo("refused");
    }

    @Test
    void aFreedSlotMakesRoomInTheQueueAgain() throws Exception {
        Backend backend = backend("balance uri", "maxconn 1 maxqueue 1", "");
        List<Server> dequeued = new ArrayList<>();
        Server s1 = backend.pickTakeOrQueue(request("/a"), dequeued::add, 0).server();
        assertThat(s1).as("the first request is served").isNotNull();
        assertThat(outcome(backend.pickTakeOrQueue(request("/a"), dequeued::add, 0)))
                .isEqualTo("queued");
        assertThat(outcome(backend.pickTakeOrQueue(request("/a"), dequeued::add, 0)))
                .isEqualTo("refused");

        backend.release(s1);

        assertThat(dequeued).as("the waiting request takes the freed slot").containsExactly(s1);
        assertThat(outcome(backend.pickTakeOrQueue(request("/a"), dequeued::add, 0)))
                .as("the queue has room again")
                .isEqualTo("queued");
    }

    @Test
    void roundrobinNeverMeetsMaxqueueTheBackendQueueHasNoLimit() throws Exception {
        Backend backend = backend("balance roundrobin", "maxconn 1 maxqueue 1", "");
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            outcomes.add(outcome(backend.pickTakeOrQueue(request("/"), s -> {}, 0)));
        }

        assertThat(outcomes)
                .as("full servers are passed over: the rest wait in the backend's queue")
                .containsExactly("s1", "s2", "s3", "queued", "queued", "queued");
        assertThat(backend.backendQueued()).isEqualTo(3);
        assertThat(backend.refusedQueueFull()).isZero();
    }

    @Test
    void leastconnQueuesAtABusyServerUntilMaxconnPlusMaxqueue() throws Exception {
        Backend backend = backend("balance leastconn", "maxconn 1 maxqueue 2", "");
        List<String> servedFirst = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servedFirst.add(outcome(backend.pickTakeOrQueue(request("/"), s -> {}, 0)));
        }
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            backend.pickTakeOrQueue(request("/"), s -> {}, 0);
            queues.add(queues(backend));
        }

        assertThat(servedFirst).containsExactly("s1", "s2", "s3");
        assertThat(queues)
                .as(
                        "a busy server keeps its place while its queue fills (2.6): s1 s1 s2 s2 s3"
                                + " s3, then the backend's queue")
                .containsExactly(
                        "1 0 0 | 0",
                        "2 0 0 | 0",
                        "2 1 0 | 0",
                        "2 2 0 | 0",
                        "2 2 1 | 0",
                        "2 2 2 | 0",
                        "2 2 2 | 1");
        assertThat(backend.refusedQueueFull()).as("leastconn never sends to a full queue").isZero();
    }

    @Test
    void leastconnWithMaxqueueIsActedOnSoNoWarningIsGiven() throws Exception {
        Config config =
                ConfigParser.parse(
                        String.join(
                                "\n",
                                "defaults",
                                "    mode http",
                                "    timeout connect 5s",
                                "    timeout client 30s",
                                "    timeout server 30s",
                                "backend be",
                                "    balance leastconn",
                                "    server s1 127.0.0.1:9001 maxconn 1 maxqueue 1",
                                ""),
                        "leastconn-maxqueue.cfg");
        assertThat(config.warnings())
                .as("leastconn acts on maxqueue: nothing to warn about")
                .noneMatch(w -> w.contains("maxqueue"));
    }

    /** The servers' queues in declaration order, then the backend's. */
    private static String queues(Backend backend) {
        synchronized (backend.lock()) {
            StringBuilder line = new StringBuilder();
            for (Server server : backend.servers()) {
                line.append(server.queued()).append(' ');
            }
            return line.append("| ").append(backend.backendQueued()).toString();
        }
    }

    /**
     * lbkit alone, over HTTP: the access log line of a refused request names the server whose queue
     * was full, with {@code SQ} and no queue or connect time, as HAProxy 2.6.12 logs it ({@code
     * be/s1 0/-1/-1/-1/0 503 217 - - SQ--}).
     */
    @Test
    void aRefusedRequestIsLoggedWithItsServerAndSQ() throws Exception {
        String config =
                MaxqueueParityTest.config("balance url_param key", "maxconn 1 maxqueue 1", false)
                        .replace(
                                "defaults\n",
                                "global\n    log stdout format raw local0\n\n"
                                        + "defaults\n    log global\n    option httplog\n");
        try (SideBySide lbkit =
                SideBySide.start("maxqueue log", config, null, SideBySide.Options.exactRun())) {
            PacedParity.Side side =
                    PacedParity.drive(
                            lbkit,
                            lbkit.lbkit(),
                            "be",
                            List.of("/?key=k&delay_ms=300", "/?key=k&delay_ms=300", "/?key=k"));

            assertThat(side.picks().answers().get(2)).as("the third is refused").isEqualTo("503");
            String server = side.picks().answers().get(0);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!lbkit.lbkitLog().contains(" 503 ") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(lbkit.lbkitLog().lines().filter(l -> l.contains(" 503 ")).toList())
                    .as("logged with the full server, SQ, no queue or connect time")
                    .singleElement()
                    .asString()
                    .contains(" be/" + server + " ")
                    .contains("/-1/-1/-1/")
                    .contains(" SQ-- ");
        }
    }

    /**
     * With requests waiting in the backend's queue, roundrobin queues a newcomer behind them
     * without turning the rotation. Three full servers: r3 finds them full (the pick passes all
     * three, which then restart the window from its start, s3 first); r4 must queue without such a
     * pass. Once s2 and s3 are free again and s1 serves r4, the next request goes to s3, the head
     * of that window. A pick for r4 would have passed the three once more, leaving s1 first and s1
     * full, and sent the request to s2. Against HAProxy 2.6, 3.0 and 3.4 this is QueueParityTest's
     * roundrobin case with {@code -Dlbkit.seed=300999}.
     */
    @Test
    void roundrobinQueuesBehindAWaitingQueueWithoutTurningTheRotation() throws Exception {
        Backend backend = backend("balance roundrobin", "maxconn 1", "");
        List<Server> served = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            served.add(backend.pickTakeOrQueue(request("/"), s -> {}, 0).server());
        }
        assertThat(served).extracting(Server::name).containsExactly("s1", "s2", "s3");
        List<Server> dequeued = new ArrayList<>();
        assertThat(outcome(backend.pickTakeOrQueue(request("/"), dequeued::add, 0)))
                .isEqualTo("queued");
        assertThat(outcome(backend.pickTakeOrQueue(request("/"), dequeued::add, 0)))
                .isEqualTo("queued");
        Server s1 = served.get(0);
        backend.release(s1); // r3 takes s1
        backend.release(s1); // r4 takes s1
        assertThat(dequeued).extracting(Server::name).containsExactly("s1", "s1");
        backend.release(served.get(1));
        backend.release(served.get(2));

        assertThat(outcome(backend.pickTakeOrQueue(request("/"), s -> {}, 0)))
                .as("s1 serves r4; s3 heads the window r3's pass left")
                .isEqualTo("s3");
    }

    /** HAProxy 2.6.12 and 3.4.7: QueueOfADisabledServerParityTest, without option redispatch. */
    @Test
    void aServerInMaintenanceStillServesItsOwnQueue() throws Exception {
        Backend backend = backend("balance uri", "maxconn 1", "");
        Server held = backend.pickTakeOrQueue(request("/a"), s -> {}, 0).server();
        List<Server> dequeued = new ArrayList<>();
        assertThat(outcome(backend.pickTakeOrQueue(request("/a"), dequeued::add, 0)))
                .isEqualTo("queued");
        assertThat(outcome(backend.pickTakeOrQueue(request("/a"), dequeued::add, 0)))
                .isEqualTo("queued");
        backend.setAdminState(held, true, false);
        assertThat(dequeued).as("without option redispatch the queue stays").isEmpty();

        backend.release(held);

        assertThat(dequeued)
                .as("the server, in maintenance, serves the oldest request of its own queue")
                .containsExactly(held);
        assertThat(held.queued()).isEqualTo(1);
    }

    /** HAProxy 2.6.12 and 3.4.7: QueueOfADisabledServerParityTest, with option redispatch. */
    @Test
    void withRedispatchADisabledServersQueueIsBalancedAgain() throws Exception {
        HeldAndWaiting w = heldAndTwoWaiting("option redispatch", HaproxyLine.V2_6);
        Server held = w.held();
        List<Server> dequeued = w.dequeued();

        w.backend().setAdminState(held, true, false);

        awaitSome(dequeued);
        assertThat(dequeued).as("the oldest waiting request got another server").hasSize(1);
        Server other = dequeued.get(0);
        assertThat(other).isNotEqualTo(held);
        assertThat(held.queued()).as("the disabled server's queue is empty").isZero();
        assertThat(other.queued())
                .as("the next one waits at the server its key now goes to")
                .isEqualTo(1);
        assertThat(other.lbtot()).as("both picks count in its lbtot").isEqualTo(2);
    }

    /** HAProxy 3.0.11, 3.2.26 and 3.4.7: QueueOfADisabledServerParityTest. */
    @Test
    void from30AServerPutInMaintenanceGivesItsQueueUpWithoutRedispatchAndTakesItAllWithIt()
            throws Exception {
        for (boolean redispatch : new boolean[] {false, true}) {
            HeldAndWaiting w =
                    heldAndTwoWaiting(redispatch ? "option redispatch" : "", HaproxyLine.V3_4);
            Server held = w.held();
            List<Server> dequeued = w.dequeued();

            w.backend().setAdminState(held, true, false);

            awaitSome(dequeued);
            Thread.sleep(50);
            if (redispatch) {
                assertThat(dequeued)
                        .as("with option redispatch both go to the server in maintenance at once")
                        .containsExactly(held, held);
                assertThat(held.served()).as("beyond its maxconn 1").isEqualTo(3);
            } else {
                assertThat(dequeued)
                        .as("without it, the oldest goes to the server its key now takes")
                        .hasSize(1)
                        .doesNotContain(held);
                assertThat(dequeued.get(0).queued()).as("the other waits there").isEqualTo(1);
            }
            assertThat(held.queued()).isZero();
        }
    }

    /** HAProxy 3.0.11, 3.2.26 and 3.4.7: QueueOfADisabledServerParityTest, drained. */
    @Test
    void from30ADrainedServerKeepsItsQueueWithoutRedispatchAndTakesItAllWithIt() throws Exception {
        for (boolean redispatch : new boolean[] {false, true}) {
            HeldAndWaiting w =
                    heldAndTwoWaiting(redispatch ? "option redispatch" : "", HaproxyLine.V3_4);
            Server held = w.held();
            List<Server> dequeued = w.dequeued();

            w.backend().setAdminState(held, false, true);

            if (redispatch) {
                awaitSome(dequeued);
                Thread.sleep(50);
                assertThat(dequeued).containsExactly(held, held);
                assertThat(held.queued()).isZero();
            } else {
                Thread.sleep(50);
                assertThat(dequeued).as("the queue stays at the drained server").isEmpty();
                assertThat(held.queued()).isEqualTo(2);
            }
        }
    }

    /** HAProxy 2.6.12, 3.0.11 and 3.4.7: QueueOfADisabledServerParityTest, maxconn raised. */
    @Test
    void aRaisedMaxconnServesTheWaitingRequestsAtOnce() throws Exception {
        HeldAndWaiting w = heldAndTwoWaiting("", HaproxyLine.V2_6);
        Server held = w.held();
        List<Server> dequeued = w.dequeued();

        w.backend().setMaxconn(held, 2);

        awaitSome(dequeued);
        Thread.sleep(50);
        assertThat(dequeued)
                .as("one slot more: the oldest waiting request takes it")
                .containsExactly(held);
        assertThat(held.queued()).isEqualTo(1);
        w.backend().setMaxconn(held, 0);
        Thread.sleep(50);
        assertThat(dequeued).as("no limit: the other one too").containsExactly(held, held);
        assertThat(held.served()).isEqualTo(3);
    }

    /** A backend, its server for {@code /a}, and the servers handed to the requests waiting. */
    private record HeldAndWaiting(Backend backend, Server held, List<Server> dequeued) {}

    /**
     * {@code balance uri} with {@code maxconn 1}, behaving as {@code line}: the server for {@code
     * /a} holds one request and two more wait in its queue.
     */
    private static HeldAndWaiting heldAndTwoWaiting(String option, HaproxyLine line)
            throws Exception {
        Backend backend = backend("balance uri", "maxconn 1", option, line);
        Server held = backend.pickTakeOrQueue(request("/a"), s -> {}, 0).server();
        List<Server> dequeued = new java.util.concurrent.CopyOnWriteArrayList<>();
        backend.pickTakeOrQueue(request("/a"), dequeued::add, 0);
        backend.pickTakeOrQueue(request("/a"), dequeued::add, 0);
        return new HeldAndWaiting(backend, held, dequeued);
    }

    /** Waits (5 s at most) until the queue timer's thread has handed some server out. */
    private static void awaitSome(List<Server> dequeued) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (dequeued.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static String outcome(Backend.Pick pick) {
        if (pick.queueFull()) {
            return "refused";
        }
        return pick.queued() ? "queued" : pick.server() == null ? "none" : pick.server().name();
    }

    /** A path of the form /p0, /p1, ... that the backend's algorithm sends to {@code server}. */
    private static String pathTo(Backend backend, Server server) throws Exception {
        for (int i = 0; i < 500; i++) {
            String path = "/p" + i;
            Server picked = backend.pickAndTake(request(path), null);
            backend.release(picked);
            if (picked == server) {
                return path;
            }
        }
        throw new IllegalStateException("no path /p0../p499 goes to " + server.name());
    }

    /** A request for / whose persistence cookie names {@code server}. */
    private static RequestInfo cookie(String server) throws Exception {
        return new RequestInfo(
                InetAddress.getByName("127.0.0.1"),
                "/",
                name -> name.equalsIgnoreCase("Cookie") ? "SRV=" + server : null);
    }

    private static RequestInfo request(String path) throws Exception {
        return RequestInfo.of(InetAddress.getByName("127.0.0.1"), path);
    }

    /** Three servers s1, s2, s3, each with {@code limits}. */
    private static Backend backend(String balance, String limits, String option) throws Exception {
        return backend(balance, limits, option, false);
    }

    /** As {@link #backend(String, String, String)}, with {@code cookie <its name>} when asked. */
    private static Backend backend(String balance, String limits, String option, boolean cookies)
            throws Exception {
        StringBuilder text =
                new StringBuilder(
                        String.join(
                                "\n",
                                "defaults",
                                "    mode http",
                                "    timeout connect 5s",
                                "    timeout client 30s",
                                "    timeout server 30s",
                                "backend be",
                                "    " + balance,
                                "    " + option,
                                ""));
        for (int i = 1; i <= 3; i++) {
            text.append(
                    "    server s%d 127.0.0.1:900%d %s%s%n"
                            .formatted(i, i, cookies ? "cookie s" + i + " " : "", limits));
        }
        Config config = ConfigParser.parse(text.toString(), "maxqueue.cfg");
        return new Backend(config.backend("be").orElseThrow(), Algorithms::create);
    }

    /** As {@link #backend(String, String, String)}, behaving as HAProxy {@code line}. */
    private static Backend backend(String balance, String limits, String option, HaproxyLine line)
            throws Exception {
        Backend as26 = backend(balance, limits, option);
        return new Backend(as26.section(), Algorithms::create, line);
    }
}
