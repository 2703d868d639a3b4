package dev.lbkit.harness.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.backends.Replicas;
import dev.lbkit.balancer.config.HaproxyLine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every kind of {@link Haproxy} must do: check configs, start, log, fail clearly, stop. */
class HaproxyLifecycleTest {

    private static final String BROKEN =
            """
            defaults
                mode http
                timeout connect 5s
                timeout client 5s
                timeout server 5s
            frontend f
                bind 127.0.0.1:%d
                default_backend b
            backend b
                balance nonsense
            """;

    @ParameterizedTest(name = "HAProxy {0}")
    @MethodSource("dev.lbkit.harness.haproxy.HaproxyForTests#kindsHere")
    void checkAcceptsTheArticlesConfigOnceItsAddressesAreLocal(Haproxy.Kind kind) {
        Haproxy haproxy = HaproxyForTests.get(kind);
        String article = ArticleConfigs.read("article/ep9-weighted-roundrobin.cfg");

        // As written, app1..app3 are compose service names that resolve nowhere else.
        CheckResult asWritten = haproxy.check(article);
        try (Replicas apps = Replicas.start(3)) {
            CheckResult local =
                    haproxy.check(
                            ArticleConfigs.localize(
                                    article, ArticleConfigs.freeLoopbackPort(), apps));

            assertThat(asWritten.output())
                    .as("compose host names do not resolve here")
                    .contains("could not resolve address 'app1'");
            assertThat(local.exitCode())
                    .as(
                            "haproxy -c accepts EP 9 with 127.0.0.1 addresses; output:%n%s",
                            local.output())
                    .isEqualTo(0);
            // 2.6 says so; 3.0 and later say nothing when all is well (seen on 3.0, 3.2, 3.4).
            if (HaproxyLine.ofVersion(haproxy.version()) == HaproxyLine.V2_6) {
                assertThat(local.output())
                        .as("HAProxy 2.6's own verdict")
                        .contains("Configuration file is valid");
            } else {
                assertThat(local.output())
                        .as("HAProxy %s: no alert, no warning", haproxy.version())
                        .doesNotContain("[ALERT]")
                        .doesNotContain("[WARNING]");
            }
        }
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @MethodSource("dev.lbkit.harness.haproxy.HaproxyForTests#kindsHere")
    void checkRejectsABrokenConfigWithFileAndLine(Haproxy.Kind kind) {
        Haproxy haproxy = HaproxyForTests.get(kind);

        CheckResult result = haproxy.check(BROKEN.formatted(ArticleConfigs.freeLoopbackPort()));

        assertThat(result.valid()).as("an unknown balance algorithm is rejected").isFalse();
        assertThat(result.output())
                .as("the alert points at the balance line")
                .contains("[ALERT]")
                .contains("haproxy.cfg:10]");
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @MethodSource("dev.lbkit.harness.haproxy.HaproxyForTests#kindsHere")
    void startFailsWithHaproxysOwnAlertWhenTheConfigIsBroken(Haproxy.Kind kind) {
        Haproxy haproxy = HaproxyForTests.get(kind);

        assertThatThrownBy(
                        () ->
                                haproxy.start(BROKEN.formatted(ArticleConfigs.freeLoopbackPort()))
                                        .close())
                .as("a config HAProxy refuses is a clear start failure carrying HAProxy's output")
                .isInstanceOf(HaproxyStartException.class)
                .hasMessageContaining("balance");
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @MethodSource("dev.lbkit.harness.haproxy.HaproxyForTests#kindsHere")
    void refusesToStartOnAPortAnotherProcessListensOn(Haproxy.Kind kind) throws IOException {
        Haproxy haproxy = HaproxyForTests.get(kind);
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String config =
                    BROKEN.formatted(squatter.getLocalPort()).replace("nonsense", "roundrobin");

            assertThatThrownBy(() -> haproxy.start(config).close())
                    .as("another listener would look like a ready HAProxy, so start refuses")
                    .isInstanceOf(HaproxyStartException.class)
                    .hasMessageContaining("another process listens there");
        }
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @MethodSource("dev.lbkit.harness.haproxy.HaproxyForTests#kindsHere")
    void servesLogsAndStopsListeningWhenClosed(Haproxy.Kind kind) throws IOException {
        Haproxy haproxy = HaproxyForTests.get(kind);
        int port = ArticleConfigs.freeLoopbackPort();
        try (Replicas apps = Replicas.start(3)) {
            String config =
                    ArticleConfigs.localize(
                            ArticleConfigs.read("article/ep9-weighted-roundrobin.cfg"), port, apps);
            RunningHaproxy running = haproxy.start(config);
            try {
                assertThat(running.listeners())
                        .as("the one bind line")
                        .containsExactly(new InetSocketAddress("127.0.0.1", port));
                try (Response response =
                        new OkHttpClient()
                                .newCall(
                                        new Request.Builder()
                                                .url("http://127.0.0.1:" + port + "/data")
                                                .build())
                                .execute()) {
                    assertThat(response.body().string())
                            .as("GET /data through HAProxy")
                            .startsWith("Data from Flask App");
                }
                awaitLogLine(running, "http_front servers/server");
            } finally {
                running.close();
            }

            assertThat(running.isRunning()).as("close stops HAProxy").isFalse();
            assertThat(accepts(port)).as("nothing listens on the bind port after close").isFalse();
        }
    }

    /**
     * The access log line is written after the response, so it may trail the client by a moment.
     */
    private static void awaitLogLine(RunningHaproxy running, String text) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!running.logs().contains(text) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(running.logs()).as("'log stdout' access lines reach logs()").contains(text);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
