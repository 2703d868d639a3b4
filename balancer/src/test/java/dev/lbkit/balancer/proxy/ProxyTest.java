package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The data path over real sockets: lbkit in front of small real HTTP servers on 127.0.0.1. */
class ProxyTest extends ProxyTestBase {
    private static final String NO_SERVER_BODY =
            "<html><body><h1>503 Service Unavailable</h1>\n"
                    + "No server is available to handle this request.\n</body></html>\n";
    private static final String BAD_GATEWAY_BODY =
            "<html><body><h1>502 Bad Gateway</h1>\n"
                    + "The server returned an invalid or incomplete response.\n</body></html>\n";
    private static final String GATEWAY_TIMEOUT_BODY =
            "<html><body><h1>504 Gateway Time-out</h1>\n"
                    + "The server didn't respond in time.\n</body></html>\n";

    private final List<TestRoundRobin> algorithms = new ArrayList<>();

    private TestBackend backend(String name) throws IOException {
        return closeAfter(new TestBackend(name));
    }

    /** {@link #start} with one frontend, web, in front of one server, s1 at {@code serverPort}. */
    private int startWithOneServer(int serverPort) {
        return start(
                TestConfigs.listen("web").server(TestConfigs.server("s1", serverPort)).config());
    }

    private int start(Config config) {
        lbkit =
                Lbkit.start(
                        config,
                        (section, servers) -> {
                            TestRoundRobin rr = new TestRoundRobin(servers);
                            algorithms.add(rr);
                            return rr;
                        });
        return lbkit.frontends().get(0).ports().get(0);
    }

    private static String field(RawHttp.Answer answer, String key) {
        return answer.body()
                .lines()
                .filter(l -> l.startsWith(key + "="))
                .map(l -> l.substring(key.length() + 1))
                .findFirst()
                .orElse(null);
    }

    @Test
    void balancesEveryRequestOfOneKeepAliveConnection() throws Exception {
        TestBackend s1 = backend("s1");
        TestBackend s2 = backend("s2");
        TestBackend s3 = backend("s3");
        int port =
                start(
                        TestConfigs.listen("web")
                                .server(TestConfigs.server("s1", s1.port()))
                                .server(TestConfigs.server("s2", s2.port()))
                                .server(TestConfigs.server("s3", s3.port()))
                                .config());

        List<String> answeredBy = new ArrayList<>();
        try (RawHttp client = new RawHttp(port)) {
            for (int i = 0; i < 6; i++) {
                answeredBy.add(client.get("/").header("X-Server"));
            }
        }
        assertThat(answeredBy)
                .as("each request on one keep-alive connection is balanced on its own")
                .containsExactly("s1", "s2", "s3", "s1", "s2", "s3");
        assertNothingInFlight();
    }

    @Test
    void balancesOnTheTargetExactlyAsReceived() throws Exception {
        List<String> forwardedLines = java.util.Collections.synchronizedList(new ArrayList<>());
        int echo =
                fakeServer(
                        socket -> {
                            String head = readRequestHead(socket);
                            forwardedLines.add(head.lines().findFirst().orElse(""));
                            socket.getOutputStream()
                                    .write(
                                            "HTTP/1.1 200 OK\r\nX-Server: echo\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                                    .getBytes(StandardCharsets.US_ASCII));
                        });
        int port =
                start(TestConfigs.listen("web").server(TestConfigs.server("echo", echo)).config());
        List<String> targets =
                List.of(
                        "/p?q=1&r=%20x",
                        "//a", "/a/../b", "/x%2Fy", "/a;b?c", "http://example.com/abs?x=1");
        List<String> answeredBy = new ArrayList<>();
        try (RawHttp client = new RawHttp(port)) {
            for (String target : targets) {
                answeredBy.add(client.get(target).header("X-Server"));
            }
        }
        assertThat(answeredBy)
                .as("odd but legal targets reach the server, not refused by the proxy")
                .containsOnly("echo");
        assertThat(algorithms.get(0).targets())
                .as("the algorithm sees each start-line target byte for byte")
                .containsExactlyElementsOf(targets);
        assertThat(forwardedLines)
                .as(
                        "the server gets each target byte for byte, as from HAProxy; absolute-form becomes origin-form")
                .containsExactly(
                        "GET /p?q=1&r=%20x HTTP/1.1",
                        "GET //a HTTP/1.1",
                        "GET /a/../b HTTP/1.1",
                        "GET /x%2Fy HTTP/1.1",
                        "GET /a;b?c HTTP/1.1",
                        "GET /abs?x=1 HTTP/1.1");
    }

    @Test
    void passesMethodTargetHeadersAndBodyUnchangedButDropsHopByHopHeaders() throws Exception {
        TestBackend s1 = backend("s1");
        int port = startWithOneServer(s1.port());
        RawHttp.Answer answer;
        try (RawHttp client = new RawHttp(port)) {
            answer =
                    client.send(
                            "PUT /items/7?x=%41 HTTP/1.1\r\nHost: lbkit.test\r\nX-Custom: kept value\r\n"
                                    + "Connection: keep-alive, X-Private\r\nX-Private: dropped\r\nKeep-Alive: timeout=5\r\n"
                                    + "Content-Type: application/odd; charset=x\r\nContent-Length: 11\r\n\r\nhello world");
        }
        assertThat(answer.status()).isEqualTo(200);
        assertThat(field(answer, "method")).as("method unchanged").isEqualTo("PUT");
        assertThat(field(answer, "target"))
                .as("path and query unchanged, still encoded")
                .isEqualTo("/items/7?x=%41");
        assertThat(field(answer, "body")).as("body length unchanged").isEqualTo("11");
        assertThat(field(answer, "h:x-custom"))
                .as("end-to-end header kept")
                .isEqualTo("kept value");
        assertThat(field(answer, "h:content-type"))
                .as("content type unchanged")
                .isEqualTo("application/odd; charset=x");
        assertThat(field(answer, "h:host")).as("Host unchanged").isEqualTo("lbkit.test");
        assertThat(field(answer, "h:x-private"))
                .as("a header named in Connection is hop-by-hop")
                .isNull();
        assertThat(field(answer, "h:keep-alive")).as("Keep-Alive is hop-by-hop").isNull();
        assertThat(field(answer, "h:user-agent"))
                .as("no User-Agent invented by the proxy")
                .isNull();
        assertThat(field(answer, "h:accept-encoding"))
                .as("no Accept-Encoding invented by the proxy")
                .isNull();
        assertThat(field(answer, "h:x-forwarded-for"))
                .as("no X-Forwarded-For without option forwardfor")
                .isNull();
        assertThat(answer.header("X-Secret-Hop"))
                .as("response headers named in Connection are dropped")
                .isNull();
        assertThat(answer.header("X-Server")).as("response headers pass").isEqualTo("s1");
    }

    @Test
    void addsXForwardedForWithOptionForwardfor() throws Exception {
        TestBackend s1 = backend("s1");
        int port =
                start(
                        TestConfigs.listen("web")
                                .forwardFor()
                                .server(TestConfigs.server("s1", s1.port()))
                                .config());
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer answer = client.get("/");
            assertThat(field(answer, "h:x-forwarded-for"))
                    .as("option forwardfor adds the client address")
                    .isEqualTo("127.0.0.1");
        }
    }

    @Test
    void answers503WhenNoServerIsUsable() throws Exception {
        TestBackend s1 = backend("s1");
        int port = startWithOneServer(s1.port());
        theBackend().setMaint(theBackend().servers().get(0), true);
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer answer = client.get("/");
            assertThat(answer.status()).as("no usable server gives 503").isEqualTo(503);
            assertThat(answer.body()).as("HAProxy's 503 page").isEqualTo(NO_SERVER_BODY);
            assertThat(answer.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(client.get("/").status())
                    .as("the connection stays usable after an error")
                    .isEqualTo(503);
        }
    }

    @Test
    void answers502WhenTheServerSendsGarbageOrResets() throws Exception {
        int garbage =
                fakeServer(
                        socket -> {
                            readRequestHead(socket);
                            socket.getOutputStream()
                                    .write(
                                            "this is not http\r\n\r\n"
                                                    .getBytes(StandardCharsets.US_ASCII));
                            socket.getOutputStream().flush();
                        });
        int reset =
                fakeServer(
                        socket -> {
                            readRequestHead(socket);
                            socket.setSoLinger(true, 0);
                        });
        int port =
                start(
                        TestConfigs.listen("web")
                                .server(TestConfigs.server("garbage", garbage))
                                .server(TestConfigs.server("reset", reset))
                                .config());
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer fromGarbage = client.get("/");
            assertThat(fromGarbage.status()).as("a non-HTTP answer gives 502").isEqualTo(502);
            assertThat(fromGarbage.body()).isEqualTo(BAD_GATEWAY_BODY);
        }
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer fromReset = client.get("/");
            assertThat(fromReset.status()).as("a reset before any answer gives 502").isEqualTo(502);
            assertThat(fromReset.body()).isEqualTo(BAD_GATEWAY_BODY);
        }
        assertNothingInFlight();
    }

    @Test
    void answers504WhenTheServerIsTooSlow() throws Exception {
        int slow =
                fakeServer(
                        socket -> {
                            readRequestHead(socket);
                            sleep(3000);
                        });
        int port = startWithServerTimeout300("slow", slow);
        try (RawHttp client = new RawHttp(port)) {
            assertGatewayTimeoutAfterTimeoutServer(System.nanoTime(), client.get("/"));
        }
        assertNothingInFlight();
    }

    @Test
    void answers504OnAReusedConnectionAfterTheLoopWentIdle() throws Exception {
        // An upstream loop with no deadline left stops ticking; the second request's deadline,
        // armed on the selector's thread for a pooled connection, must wake it.
        int secondStalls =
                fakeServer(
                        socket -> {
                            readRequestHead(socket);
                            socket.getOutputStream()
                                    .write(
                                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                                    .getBytes(StandardCharsets.ISO_8859_1));
                            socket.getOutputStream().flush();
                            readRequestHead(socket);
                            sleep(3000);
                        });
        int port = startWithServerTimeout300("stalls", secondStalls);
        try (RawHttp client = new RawHttp(port)) {
            assertThat(client.get("/first").body()).isEqualTo("ok");
            sleep(200); // twenty ticks with nothing in flight
            assertGatewayTimeoutAfterTimeoutServer(System.nanoTime(), client.get("/second"));
        }
        assertNothingInFlight();
    }

    @Test
    void retriesThenRedispatchesAConnectFailureToAnotherServer() throws Exception {
        int dead = deadPort();
        TestBackend alive = backend("alive");
        int port =
                start(
                        TestConfigs.listen("web")
                                .retries(2, true)
                                .server(TestConfigs.server("dead", dead))
                                .server(TestConfigs.server("alive", alive.port()))
                                .config());
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer answer = client.get("/first");
            assertThat(answer.status())
                    .as("redispatch moves the request to a working server")
                    .isEqualTo(200);
            assertThat(answer.header("X-Server")).isEqualTo("alive");
        }
        Server deadServer = theBackend().server("dead").orElseThrow();
        Server aliveServer = theBackend().server("alive").orElseThrow();
        assertThat(aliveServer.lbtot())
                .as("the redispatch went through the algorithm, avoiding the dead server")
                .isEqualTo(1);
        assertThat(deadServer.lbtot()).isEqualTo(1);
        assertNothingInFlight();
    }

    @Test
    void answers503WhenEveryRetryFailsWithoutRedispatch() throws Exception {
        int dead = deadPort();
        TestBackend alive = backend("alive");
        int port =
                start(
                        TestConfigs.listen("web")
                                .retries(2, false)
                                .server(TestConfigs.server("dead", dead))
                                .server(TestConfigs.server("alive", alive.port()))
                                .config());
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer answer = client.get("/");
            assertThat(answer.status())
                    .as("connect failures after all retries give 503, as HAProxy")
                    .isEqualTo(503);
            assertThat(answer.body()).isEqualTo(NO_SERVER_BODY);
            assertThat(client.get("/").header("X-Server"))
                    .as("the next request goes on normally")
                    .isEqualTo("alive");
        }
        assertThat(alive.requests()).isEqualTo(1);
        assertNothingInFlight();
    }

    @Test
    void streamsALargeUploadWithoutBufferingIt() throws Exception {
        TestBackend s1 = backend("s1");
        CountDownLatch serverHasFirstMegabyte = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        s1.route(
                "/upload",
                exchange -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (InputStream in = exchange.getRequestBody()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            if (received.addAndGet(n) >= 1 << 20) {
                                serverHasFirstMegabyte.countDown();
                            }
                        }
                    }
                    byte[] answer =
                            Long.toString(received.get()).getBytes(StandardCharsets.US_ASCII);
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer);
                    exchange.close();
                });
        int port = startWithOneServer(s1.port());
        long total = 200L << 20;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                                    + total
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[1 << 20];
            out.write(chunk);
            out.flush();
            // If the proxy buffered the body before forwarding, the server would never see this
            // megabyte.
            assertThat(serverHasFirstMegabyte.await(10, TimeUnit.SECONDS))
                    .as("the server gets the start of the body while the client is still sending")
                    .isTrue();
            for (long sent = chunk.length; sent < total; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            String answer =
                    new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer)
                    .as("the 200 MB arrived whole")
                    .startsWith("HTTP/1.1 200")
                    .endsWith(Long.toString(total));
        }
    }

    @Test
    void streamsALargeDownloadWithoutBufferingIt() throws Exception {
        TestBackend s1 = backend("s1");
        CountDownLatch clientHasFirstMegabyte = new CountDownLatch(1);
        long total = 100L << 20;
        s1.route(
                "/download",
                exchange -> {
                    exchange.sendResponseHeaders(200, total);
                    try (OutputStream out = exchange.getResponseBody()) {
                        byte[] chunk = new byte[1 << 20];
                        out.write(chunk);
                        out.flush();
                        try {
                            clientHasFirstMegabyte.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        for (long sent = chunk.length; sent < total; sent += chunk.length) {
                            out.write(chunk);
                        }
                    }
                });
        int port = startWithOneServer(s1.port());
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream()
                    .write(
                            "GET /download HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            long headerAndBody;
            while (read < (1 << 20) + 100) {
                int n = in.read(buffer);
                assertThat(n)
                        .as("the client gets the first megabyte before the server sends the rest")
                        .isPositive();
                read += n;
            }
            clientHasFirstMegabyte.countDown();
            socket.setSoTimeout(60_000);
            long rest = in.transferTo(OutputStream.nullOutputStream());
            headerAndBody = read + rest;
            assertThat(headerAndBody).as("all 100 MB arrive").isGreaterThan(total);
        }
    }

    /**
     * A client that asks to close gets the whole answer and then the end of the stream (no reset),
     * every time: lbkit closes such a connection itself once the answer is written, reading first
     * what the client sent meanwhile (see Frontend#closeAfterLastAnswer).
     */
    @Test
    void aClientThatAsksToCloseGetsItsWholeAnswerThenTheEnd() throws Exception {
        FakeServer s1 = keepAliveServer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        int port = startWithOneServer(s1.port());
        for (int i = 0; i < 50; i++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream()
                        .write(
                                ("GET /" + i + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                        .getBytes(StandardCharsets.US_ASCII));
                String answer =
                        new String(
                                socket.getInputStream().readAllBytes(),
                                StandardCharsets.ISO_8859_1);
                assertThat(answer)
                        .as("answer %d, read to the end of the stream", i)
                        .startsWith("HTTP/1.1 200")
                        .endsWith("\r\n\r\nhello");
            }
        }
    }

    @Test
    void everyRequestGetsAnAnswerWhileAServerIsKilled() throws Exception {
        TestBackend s1 = backend("s1");
        TestBackend s2 = new TestBackend("s2");
        TestBackend s3 = backend("s3");
        int port =
                start(
                        TestConfigs.listen("web")
                                .timeouts(500, 30000, 5000, 0)
                                .retries(3, true)
                                .server(TestConfigs.server("s1", s1.port()))
                                .server(TestConfigs.server("s2", s2.port()))
                                .server(TestConfigs.server("s3", s3.port()))
                                .config());
        int total = 1000;
        int clients = 4;
        int[] statusCounts = new int[600];
        AtomicLong done = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        AtomicLong killMs = new AtomicLong();
        List<String> cutBy = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread thread =
                    new Thread(
                            () -> {
                                RawHttp client = null;
                                try {
                                    for (int i = 0; i < total / clients; i++) {
                                        if (client == null) {
                                            client = new RawHttp(port);
                                        }
                                        RawHttp.Answer answer;
                                        long sentAt = System.nanoTime();
                                        try {
                                            answer = client.get("/r" + i);
                                            slowest.accumulateAndGet(
                                                    System.nanoTime() - sentAt, Math::max);
                                        } catch (RawHttp.CutAnswer cut) {
                                            // The server died after its head had gone out: the
                                            // answer is cut, and the connection with it.
                                            cutBy.add(cut.head().header("X-Server"));
                                            done.incrementAndGet();
                                            client.close();
                                            client = null;
                                            continue;
                                        } catch (IOException e) {
                                            failure.compareAndSet(null, e);
                                            break;
                                        }
                                        synchronized (statusCounts) {
                                            statusCounts[answer.status()]++;
                                        }
                                        if (done.incrementAndGet() == total / 3) {
                                            long killAt = System.nanoTime();
                                            s2.close();
                                            killMs.set(
                                                    TimeUnit.NANOSECONDS.toMillis(
                                                            System.nanoTime() - killAt));
                                        }
                                        if ("close".equalsIgnoreCase(answer.header("Connection"))) {
                                            client.close();
                                            client = null;
                                        }
                                    }
                                } catch (Throwable t) {
                                    failure.compareAndSet(null, t);
                                } finally {
                                    try {
                                        if (client != null) {
                                            client.close();
                                        }
                                    } catch (IOException ignored) {
                                        // closing
                                    }
                                }
                            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        int ok = statusCounts[200];
        int errors = 0;
        for (int s = 500; s < 600; s++) {
            errors += statusCounts[s];
        }
        System.out.printf(
                "killed-server run: %d answered, %d x 200, %d x 5xx (502: %d, 503: %d, 504: %d),"
                        + " %d cut by %s; slowest answer %d ms; stopping the server took %d ms%n",
                done.get(),
                ok,
                errors,
                statusCounts[502],
                statusCounts[503],
                statusCounts[504],
                cutBy.size(),
                cutBy,
                TimeUnit.NANOSECONDS.toMillis(slowest.get()),
                killMs.get());
        assertThat(failure.get()).as("no request hangs or loses its answer").isNull();
        assertThat(done.get())
                .as("every one of the %d requests got an answer", total)
                .isEqualTo(total);
        // A cut answer is HAProxy's too (ServerDiesMidAnswerTest in episodes/all compares them): it
        // can only come from the killed server, for a request it had begun to answer when it died,
        // so at most one per client.
        assertThat(cutBy)
                .as("answers cut short")
                .allMatch("s2"::equals)
                .hasSizeLessThanOrEqualTo(clients);
        assertThat(ok + errors + cutBy.size())
                .as("each answer is a 200, a 5xx, or cut by the killed server")
                .isEqualTo(total);
        assertNothingInFlight();
    }

    // --- helpers -----------------------------------------------------------------------------

    /** lbkit in front of one server, {@code name} on {@code port}, with timeout server 300 ms. */
    private int startWithServerTimeout300(String name, int port) {
        return start(
                TestConfigs.listen("web")
                        .timeouts(1000, 30000, 300, 0)
                        .server(TestConfigs.server(name, port))
                        .config());
    }

    /**
     * {@code answer} is HAProxy's 504, and came about timeout server (300 ms) after {@code
     * sentNanos}. The argument order makes the clock read before the request is sent.
     */
    private static void assertGatewayTimeoutAfterTimeoutServer(
            long sentNanos, RawHttp.Answer answer) {
        assertThat(answer.status()).as("timeout server gives 504").isEqualTo(504);
        assertThat(answer.body()).isEqualTo(GATEWAY_TIMEOUT_BODY);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos))
                .as("504 comes after about timeout server")
                .isBetween(250L, 2500L);
    }

    private int fakeServer(FakeServer.SocketAction action) throws IOException {
        return server(action).port();
    }

    private static String readRequestHead(Socket socket) throws IOException {
        return FakeServer.readRequestHead(socket);
    }

    /** A loopback port nobody listens on (bound once, then released). */
    static int deadPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
