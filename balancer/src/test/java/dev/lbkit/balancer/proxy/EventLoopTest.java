package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.Global;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.io.EndPoint;
import org.junit.jupiter.api.Test;

/**
 * Which threads carry a request. By default a request's server connection lives on an upstream loop
 * with a thread of its own; with {@code -Dlbkit.upstreamLoops=selectors}, as in HAProxy, where one
 * thread handles both sides of a stream, on the selector that reads its client connection. Setting
 * up or seeing out a client connection starts no thread, and a high nbthread starts.
 */
class EventLoopTest extends ProxyTestBase {
    private static final int CLIENTS = 64;

    @Test
    void withSelectorLoopsServerConnectionsRunOnTheFrontendsSelectors() throws Exception {
        assertThat(newUpstreamLoopThreadsAfterTwentyRequests("selectors"))
                .as("no upstream loop with a thread of its own was needed")
                .isEmpty();
    }

    @Test
    void byDefaultServerConnectionsRunOnLoopsOfTheirOwn() throws Exception {
        // The option really is another mode: by default the same requests start the loops.
        assertThat(newUpstreamLoopThreadsAfterTwentyRequests(null))
                .as("the upstream loops' threads, started for the requests")
                .isNotEmpty();
    }

    @Test
    void byDefaultEachSelectorHandsItsRequestsToALoopOfItsOwn() throws Exception {
        // nbthread 2: two selectors and two loops. A client connection's server connections all go
        // on the loop paired with its selector, so an exchange always passes between the same two
        // threads; the other selector's connections go on the other loop.
        Frontend frontend = startWithNbthread("pairs", 2);
        int port = frontend.ports().get(0);
        List<RawHttp> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                clients.add(new RawHttp(port));
            }
            // Jetty deals new connections to its selectors in turn; the first requests go in
            // another order (even clients first), so taking the loops in turn per request would
            // give one selector both loops.
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < clients.size(); i++) {
                    RawHttp client = clients.get((2 * i) % 8 + (i < 4 ? 0 : 1));
                    assertThat(client.get("/" + round).body()).isEqualTo("ok");
                }
            }
            Map<Object, Set<UpstreamLoop>> loopsBySelector = new HashMap<>();
            for (EndPoint endPoint : frontend.clientEndPoints()) {
                ClientEndPoint client = (ClientEndPoint) endPoint;
                assertThat(client.upstreamLoop())
                        .as("the loop of a client connection that sent requests")
                        .isInstanceOf(UpstreamLoop.ThreadLoop.class);
                loopsBySelector
                        .computeIfAbsent(client.managedSelector(), k -> new HashSet<>())
                        .add(client.upstreamLoop());
            }
            assertThat(loopsBySelector)
                    .as("Jetty spreads 8 connections over both selectors")
                    .hasSize(2);
            assertThat(loopsBySelector.values())
                    .as("one loop per selector")
                    .allSatisfy(loops -> assertThat(loops).hasSize(1));
            assertThat(loopsBySelector.values().stream().flatMap(Set::stream).distinct().count())
                    .as("the two selectors' loops are two")
                    .isEqualTo(2);
        } finally {
            for (RawHttp client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aHighNbthreadStartsAndAnswers() throws Exception {
        // 250 threads (HAProxy 3.2 allows 1024): as many selectors, each holding a thread of the
        // frontend's pool for good. With a pool of 200 threads Jetty refused to start.
        int port = startWithNbthread("many", 250).ports().get(0);
        try (RawHttp client = new RawHttp(port)) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.get("/" + i).body()).isEqualTo("ok");
            }
        }
    }

    /** Starts lbkit with {@code nbthread} in front of one server answering "ok"; its frontend. */
    private Frontend startWithNbthread(String name, int nbthread) throws Exception {
        FakeServer server = keepAliveServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        TestConfigs.Listen listen =
                TestConfigs.listen(name).server(TestConfigs.server("s1", server.port()));
        lbkit =
                Lbkit.start(
                        new Config(
                                new Global(nbthread, 0, List.of()),
                                List.of(listen.section()),
                                List.of()));
        return lbkit.frontends().get(0);
    }

    /**
     * Starts lbkit with {@code -Dlbkit.upstreamLoops=mode} (none when null), sends 20 requests on
     * one connection, checks each answer, and gives the names of the upstream-loop threads started
     * meanwhile.
     */
    private List<String> newUpstreamLoopThreadsAfterTwentyRequests(String mode) throws Exception {
        FakeServer server = keepAliveServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        if (mode != null) {
            System.setProperty("lbkit.upstreamLoops", mode);
        }
        try {
            lbkit =
                    Lbkit.start(
                            TestConfigs.listen("loops")
                                    .server(TestConfigs.server("s1", server.port()))
                                    .config());
        } finally {
            System.clearProperty("lbkit.upstreamLoops");
        }
        int port = lbkit.frontends().get(0).ports().get(0);
        try (RawHttp client = new RawHttp(port)) {
            for (int i = 0; i < 20; i++) {
                assertThat(client.get("/" + i).body()).isEqualTo("ok");
            }
        }
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread))
                .map(Thread::getName)
                .filter(name -> name.matches("lbkit-upstream-[0-9]+"))
                .toList();
    }

    @Test
    void aBurstOfClientConnectionsStartsNoThreadPerConnection() throws Exception {
        FakeServer server = keepAliveServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        int port = startInFrontOf("burst", server);
        int before = threadsNamed("lbkit-burst-").size();
        List<RawHttp> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new RawHttp(port));
            }
            for (RawHttp client : clients) {
                client.sendOnly("GET /burst HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            for (RawHttp client : clients) {
                assertThat(client.read().body()).isEqualTo("ok");
            }
        } finally {
            for (RawHttp client : clients) {
                client.close();
            }
        }
        int after = threadsNamed("lbkit-burst-").size();
        System.out.println(
                "[lbkit] frontend threads: "
                        + before
                        + " before "
                        + CLIENTS
                        + " clients connected at once, "
                        + after
                        + " after");
        // Jetty's pool keeps a few threads. With its tasks for new and closed connections run on
        // the
        // pool, this test saw 9 threads started (52 under wrk's 64 connections); run at once, none.
        assertThat(after - before)
                .as("threads started for %d connections opened at once", CLIENTS)
                .isLessThanOrEqualTo(2);
    }

    private static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .toList();
    }
}
