package dev.lbkit.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FlaskReplicaTest {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void answersRootLikeTheArticlesFlaskApp() throws Exception {
        try (FlaskReplica app2 = FlaskReplica.start(2, "127.0.0.1", 0, Duration.ZERO)) {
            HttpResponse<String> response = get(app2.url() + "/");

            assertThat(response.statusCode()).as("GET / succeeds").isEqualTo(200);
            assertThat(response.body())
                    .as("GET / body, exactly as app2.py returns it")
                    .isEqualTo("Hello from Flask App 2!");
            // Jetty writes "text/html;charset=utf-8" where Flask writes "text/html; charset=utf-8":
            // same value.
            assertThat(response.headers().firstValue("Content-Type").orElse("").replace(" ", ""))
                    .as("Flask serves a str as utf-8 html")
                    .isEqualToIgnoringCase("text/html;charset=utf-8");
            assertThat(response.headers().firstValue("X-Served-By"))
                    .as("the replica names itself")
                    .hasValue("app2");
        }
    }

    @Test
    void answersDataLikeTheArticlesFlaskApp() throws Exception {
        try (FlaskReplica app3 = FlaskReplica.start(3, "127.0.0.1", 0, Duration.ZERO)) {
            HttpResponse<String> response = get(app3.url() + "/data");

            assertThat(response.statusCode()).as("GET /data succeeds").isEqualTo(200);
            assertThat(response.body()).as("GET /data body").isEqualTo("Data from Flask App 3!");
            assertThat(response.headers().firstValue("X-Served-By"))
                    .as("the replica names itself")
                    .hasValue("app3");
        }
    }

    @Test
    void unknownPathIsNotFoundButStillNamesTheReplica() throws Exception {
        try (FlaskReplica app1 = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ZERO)) {
            HttpResponse<String> response = get(app1.url() + "/no/such/page?x=1");

            assertThat(response.statusCode())
                    .as("an unknown path is a 404, as in Flask")
                    .isEqualTo(404);
            assertThat(response.headers().firstValue("X-Served-By"))
                    .as("a 404 names its replica too")
                    .hasValue("app1");
            assertThat(response.body()).as("Flask-like 404 page").contains("Not Found");
        }
    }

    @Test
    void anyAppNumberWorksNotOnlyTheArticlesThree() throws Exception {
        try (FlaskReplica app12 = FlaskReplica.start(12, "127.0.0.1", 0, Duration.ZERO)) {
            HttpResponse<String> response = get(app12.url() + "/");

            assertThat(response.body())
                    .as("app 12 answers with its own number")
                    .isEqualTo("Hello from Flask App 12!");
            assertThat(response.headers().firstValue("X-Served-By"))
                    .as("header of app 12")
                    .hasValue("app12");
        }
    }

    @Test
    void defaultPortsAreTheArticles() {
        assertThat(
                        List.of(
                                FlaskReplica.defaultPort(1),
                                FlaskReplica.defaultPort(2),
                                FlaskReplica.defaultPort(3)))
                .as("apps 1-3 listen on 5001-5003 in the article")
                .containsExactly(5001, 5002, 5003);
    }

    @Test
    void appDelayHoldsEveryRequest() throws Exception {
        try (FlaskReplica slow = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ofMillis(400))) {
            long elapsedMs = timeMs(() -> get(slow.url() + "/"));

            assertThat(elapsedMs)
                    .as("a 400 ms app delay holds the answer at least 400 ms")
                    .isGreaterThanOrEqualTo(400);
        }
    }

    @Test
    void delayParamOverridesTheAppDelayForOneRequest() throws Exception {
        try (FlaskReplica slow = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ofSeconds(5));
                FlaskReplica fast = FlaskReplica.start(2, "127.0.0.1", 0, Duration.ZERO)) {
            long unheldMs = timeMs(() -> get(slow.url() + "/?delay_ms=0"));
            long heldMs = timeMs(() -> get(fast.url() + "/data?delay_ms=300"));

            assertThat(unheldMs).as("delay_ms=0 cancels the app's 5 s delay").isLessThan(2_000);
            assertThat(heldMs)
                    .as("delay_ms=300 delays an undelayed app")
                    .isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void badDelayParamIsAClearBadRequest() throws Exception {
        try (FlaskReplica app1 = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ZERO)) {
            HttpResponse<String> response = get(app1.url() + "/?delay_ms=soon");

            assertThat(response.statusCode())
                    .as("a non-numeric delay is the client's mistake")
                    .isEqualTo(400);
            assertThat(response.body())
                    .as("the answer says what is allowed")
                    .contains("delay_ms must be a whole number");
        }
    }

    @Test
    void delayedRequestsAreServedInParallelByManyThreads() throws Exception {
        int concurrent = 220;
        // Long enough that a loaded CI machine's overhead (1.9 s seen at 1.5 s delays) stays well
        // under the extra round a too-small pool would need.
        long delayMs = 3_000;
        try (FlaskReplica app1 = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ZERO)) {
            long elapsedMs =
                    timeMs(
                            () -> {
                                List<CompletableFuture<HttpResponse<String>>> inFlight =
                                        new ArrayList<>();
                                for (int i = 0; i < concurrent; i++) {
                                    inFlight.add(
                                            CLIENT.sendAsync(
                                                    request(app1.url() + "/?delay_ms=" + delayMs),
                                                    HttpResponse.BodyHandlers.ofString()));
                                }
                                for (CompletableFuture<HttpResponse<String>> response : inFlight) {
                                    assertThat(response.join().statusCode())
                                            .as("every delayed request succeeds")
                                            .isEqualTo(200);
                                }
                                return null;
                            });

            // Jetty's default pool (200 threads, some taken by selectors) would need two rounds: >=
            // 3 s.
            assertThat(elapsedMs)
                    .as(
                            "%d requests sleeping %d ms run side by side, not in rounds",
                            concurrent, delayMs)
                    .isLessThan(2 * delayMs - 100);
        }
    }

    /**
     * Javalin 7 builds a replica's servlet settings on the first request without a lock; two first
     * requests at once could both build them, and one failed with a 500 (a NullPointerException in
     * Javalin, seen in CI when HAProxy and lbkit sent their first request to the same replica
     * together). A replica is warmed up before {@link FlaskReplica#start} returns.
     */
    @Test
    void isWarmedUpBeforeItIsHandedOut() {
        try (FlaskReplica app = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ZERO)) {
            assertThat(app.javalin().unsafe.jsonMapper.isInitialized())
                    .as("Javalin's first-request settings are built before start returns")
                    .isTrue();
        }
    }

    @Test
    void firstRequestsArrivingTogetherAllSucceed() throws Exception {
        int replicas = 40;
        int together = 4;
        for (int r = 0; r < replicas; r++) {
            try (FlaskReplica app = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ZERO)) {
                List<Socket> sockets = new ArrayList<>();
                ExecutorService senders = Executors.newFixedThreadPool(together);
                try {
                    for (int i = 0; i < together; i++) {
                        sockets.add(new Socket("127.0.0.1", app.port()));
                    }
                    CyclicBarrier barrier = new CyclicBarrier(together);
                    List<CompletableFuture<String>> answers = new ArrayList<>();
                    for (Socket socket : sockets) {
                        answers.add(
                                CompletableFuture.supplyAsync(
                                        () -> statusLine(socket, barrier), senders));
                    }
                    for (CompletableFuture<String> answer : answers) {
                        assertThat(answer.get(10, TimeUnit.SECONDS))
                                .as("replica #%d's first requests, %d at once", r, together)
                                .startsWith("HTTP/1.1 200");
                    }
                } finally {
                    senders.shutdownNow();
                    for (Socket socket : sockets) {
                        socket.close();
                    }
                }
            }
        }
    }

    private static String statusLine(Socket socket, CyclicBarrier barrier) {
        try {
            barrier.await();
            socket.getOutputStream()
                    .write(
                            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(
                            new InputStreamReader(
                                    socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rejectsAppNumbersBelowOne() {
        assertThatThrownBy(() -> FlaskReplica.start(0, "127.0.0.1", 0, Duration.ZERO))
                .as("apps are numbered from 1, like app1.py")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 or more");
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(request(url), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static long timeMs(Call call) throws Exception {
        long start = System.nanoTime();
        call.run();
        return (System.nanoTime() - start) / 1_000_000;
    }
}
