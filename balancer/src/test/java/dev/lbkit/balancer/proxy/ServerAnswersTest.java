package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every shape of server answer a request without a body can get, relayed over real sockets: the
 * event loop relays what arrives whole with its head and hands the rest (chunked, ended by close,
 * larger than its buffer) to a worker; both must keep HTTP's framing and give the balancer slot
 * back.
 */
class ServerAnswersTest extends ProxyTestBase {
    private int start(FakeServer server) {
        lbkit =
                Lbkit.start(
                        TestConfigs.listen("web")
                                .timeouts(1000, 30000, 2000, 0)
                                .server(TestConfigs.server("s1", server.port()))
                                .config());
        return lbkit.frontends().get(0).ports().get(0);
    }

    @Test
    void keepsOneServerConnectionForManyRequests() throws Exception {
        FakeServer server = keepAliveServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        int port = start(server);
        try (RawHttp client = new RawHttp(port)) {
            for (int i = 0; i < 50; i++) {
                assertThat(client.get("/" + i).body()).isEqualTo("ok");
            }
        }
        assertThat(server.accepted())
                .as("50 sequential requests reuse one pooled server connection")
                .isEqualTo(1);
        assertNothingInFlight();
    }

    @Test
    void relaysAChunkedAnswer() throws Exception {
        FakeServer server =
                keepAliveServer(
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        int port = start(server);
        try (RawHttp client = new RawHttp(port)) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Answer answer = client.get("/chunked");
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.body())
                        .as("chunks are decoded and relayed whole")
                        .isEqualTo("hello world");
            }
        }
        assertNothingInFlight();
    }

    @Test
    void relaysAnAnswerThatEndsWhenTheServerCloses() throws Exception {
        FakeServer server =
                server(
                        socket -> {
                            FakeServer.readRequestHead(socket);
                            OutputStream out = socket.getOutputStream();
                            out.write(
                                    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil "
                                            .getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            sleep(50);
                            out.write("the end".getBytes(StandardCharsets.US_ASCII));
                        });
        int port = start(server);
        try (RawHttp client = new RawHttp(port)) {
            assertThat(client.get("/a").body()).isEqualTo("until the end");
            assertThat(client.get("/b").body())
                    .as("the next request gets a new server connection")
                    .isEqualTo("until the end");
        }
        assertThat(server.accepted()).isEqualTo(2);
        assertNothingInFlight();
    }

    @Test
    void relaysAnAnswerLargerThanTheBufferOnTheSameConnection() throws Exception {
        String big = "x".repeat(100_000);
        FakeServer server =
                keepAliveServer(
                        "HTTP/1.1 200 OK\r\nContent-Length: " + big.length() + "\r\n\r\n" + big);
        int port = start(server);
        try (RawHttp client = new RawHttp(port)) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.get("/big").body()).hasSize(big.length()).isEqualTo(big);
            }
        }
        assertNothingInFlight();
    }

    @Test
    void aLongAnswerCutShortOrStalledCutsTheClientConnection() throws Exception {
        // The head and half of a 100 000-byte body, then the server closes; or stalls past its
        // 2-second timeout. The answer has begun, so the client's connection is cut, as HAProxy
        // does, and the balancer slot is given back.
        for (boolean stall : new boolean[] {false, true}) {
            FakeServer server =
                    server(
                            socket -> {
                                FakeServer.readRequestHead(socket);
                                OutputStream out = socket.getOutputStream();
                                out.write(
                                        "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
                                                .getBytes(StandardCharsets.US_ASCII));
                                out.write(new byte[50_000]);
                                out.flush();
                                sleep(stall ? 6_000 : 100);
                            });
            int port = start(server);
            long started = System.nanoTime();
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.setSoTimeout(15_000);
                socket.getOutputStream()
                        .write(
                                "GET /long HTTP/1.1\r\nHost: x\r\n\r\n"
                                        .getBytes(StandardCharsets.US_ASCII));
                byte[] got = socket.getInputStream().readAllBytes();
                String head = new String(got, 0, 15, StandardCharsets.US_ASCII);
                assertThat(head).isEqualTo("HTTP/1.1 200 OK");
                assertThat(got.length)
                        .as("the client got part of the body, then the end of the connection")
                        .isGreaterThan(50_000)
                        .isLessThan(100_000);
            }
            long seconds =
                    java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(
                            System.nanoTime() - started);
            assertThat(seconds)
                    .as(stall ? "cut at the server timeout (2 s)" : "cut when the server closed")
                    .isLessThan(stall ? 5 : 2);
            assertNothingInFlight();
            lbkit.close();
        }
    }

    @Test
    void skipsInterimAnswers() throws Exception {
        FakeServer server =
                keepAliveServer(
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n"
                                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal");
        int port = start(server);
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer answer = client.get("/");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("final");
        }
        assertNothingInFlight();
    }

    @Test
    void headAnd204And304AnswersHaveNoBodyAndKeepTheConnection() throws Exception {
        FakeServer server =
                server(
                        socket -> {
                            OutputStream out = socket.getOutputStream();
                            String head;
                            while (!(head = FakeServer.readRequestHead(socket)).isEmpty()) {
                                String answer;
                                if (head.startsWith("HEAD")) {
                                    answer = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
                                } else if (head.startsWith("GET /204")) {
                                    answer = "HTTP/1.1 204 No Content\r\n\r\n";
                                } else if (head.startsWith("GET /304")) {
                                    answer = "HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\n\r\n";
                                } else {
                                    answer = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
                                }
                                out.write(answer.getBytes(StandardCharsets.US_ASCII));
                                out.flush();
                            }
                        });
        int port = start(server);
        try (RawHttp client = new RawHttp(port)) {
            RawHttp.Answer head = client.sendForHead("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length"))
                    .as("HEAD keeps the length of the body it does not carry")
                    .isEqualTo("10");
            assertThat(client.get("/204").status()).isEqualTo(204);
            assertThat(client.sendForHead("GET /304 HTTP/1.1\r\nHost: t\r\n\r\n").status())
                    .isEqualTo(304);
            assertThat(client.get("/after").body())
                    .as("the client connection is still in step")
                    .isEqualTo("body");
        }
        assertThat(server.accepted())
                .as("answers without a body leave the server connection reusable")
                .isEqualTo(1);
        assertNothingInFlight();
    }

    @Test
    void answers502WhenTheAnswerHeadIsTooLargeOrCutShort() throws Exception {
        FakeServer huge =
                server(
                        socket -> {
                            FakeServer.readRequestHead(socket);
                            socket.getOutputStream()
                                    .write(
                                            ("HTTP/1.1 200 OK\r\nX-Big: "
                                                            + "b".repeat(20_000)
                                                            + "\r\n\r\n")
                                                    .getBytes(StandardCharsets.US_ASCII));
                        });
        int port = start(huge);
        try (RawHttp client = new RawHttp(port)) {
            assertThat(client.get("/").status())
                    .as("an answer head over 16 KiB gives 502, as in HAProxy")
                    .isEqualTo(502);
        }
        lbkit.close();
        FakeServer cut =
                server(
                        socket -> {
                            FakeServer.readRequestHead(socket);
                            socket.getOutputStream()
                                    .write(
                                            "HTTP/1.1 200 OK\r\nContent-Le"
                                                    .getBytes(StandardCharsets.US_ASCII));
                        });
        port = start(cut);
        try (RawHttp client = new RawHttp(port)) {
            assertThat(client.get("/").status())
                    .as("a head cut short by close gives 502")
                    .isEqualTo(502);
        }
        assertThat(cut.accepted())
                .as("a server that started answering is not asked again")
                .isEqualTo(1);
        assertNothingInFlight();
    }

    @Test
    void aPooledConnectionTheServerClosedIsNotUsedAgain() throws Exception {
        FakeServer server =
                server(
                        socket -> {
                            FakeServer.readRequestHead(socket);
                            // Keep-alive as far as HTTP says, then the server drops the idle
                            // connection anyway.
                            socket.getOutputStream()
                                    .write(
                                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                                                    .getBytes(StandardCharsets.US_ASCII));
                            socket.getOutputStream().flush();
                            sleep(100);
                        });
        int port = start(server);
        try (RawHttp client = new RawHttp(port)) {
            for (int i = 0; i < 5; i++) {
                assertThat(client.get("/" + i).status())
                        .as("request %d after the server closed the pooled connection", i)
                        .isEqualTo(200);
                sleep(300);
            }
        }
        assertThat(server.accepted()).isEqualTo(5);
        assertNothingInFlight();
    }

    @Test
    void aRequestWithABodyStillGoesThroughTheBlockingPath() throws Exception {
        List<String> heads = java.util.Collections.synchronizedList(new ArrayList<>());
        FakeServer server =
                server(
                        socket -> {
                            String head = FakeServer.readRequestHead(socket);
                            heads.add(head);
                            byte[] body = socket.getInputStream().readNBytes(5);
                            socket.getOutputStream()
                                    .write(
                                            ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                                                            + new String(
                                                                    body,
                                                                    StandardCharsets.US_ASCII))
                                                    .getBytes(StandardCharsets.US_ASCII));
                        });
        int port = start(server);
        try (RawHttp client = new RawHttp(port)) {
            assertThat(
                            client.send(
                                            "POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
                                    .body())
                    .isEqualTo("hello");
        }
        assertThat(heads.get(0))
                .startsWith("POST /p HTTP/1.1\r\n")
                .contains("Content-Length: 5\r\n");
        assertNothingInFlight();
    }
}
