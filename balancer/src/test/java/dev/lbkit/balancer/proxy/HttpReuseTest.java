package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.HttpReuse;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code http-reuse}, counted in connections a real server accepts. HAProxy 2.6 with its default
 * {@code safe} opened 20 server connections per server for 60 requests on new client connections (3
 * servers) and reused for the later requests of one keep-alive client connection (see the leastconn
 * episode's load test); lbkit must do the same, and share everything with {@code always}.
 */
class HttpReuseTest extends ProxyTestBase {
    /**
     * The expectation, written here and not asked of the code under test: with HAProxy 2.6, a first
     * request of a client connection takes an idle server connection only with aggressive and
     * always.
     */
    private static final Map<HttpReuse, Boolean> FIRST_REQUEST_SHARES =
            Map.of(
                    HttpReuse.NEVER,
                    false,
                    HttpReuse.SAFE,
                    false,
                    HttpReuse.AGGRESSIVE,
                    true,
                    HttpReuse.ALWAYS,
                    true);

    @ParameterizedTest
    @EnumSource(HttpReuse.class)
    void firstRequestsOfClientConnectionsOpenServerConnectionsUnlessReuseIsAggressiveOrAlways(
            HttpReuse mode) throws Exception {
        FakeServer server = keepAliveServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        lbkit =
                Lbkit.start(
                        TestConfigs.listen("web")
                                .httpReuse(mode)
                                .server(TestConfigs.server("s1", server.port()))
                                .config());
        int port = lbkit.frontends().get(0).ports().get(0);
        for (int i = 0; i < 10; i++) {
            try (RawHttp client = new RawHttp(port)) {
                assertThat(client.get("/new-" + i).body()).isEqualTo("ok");
            }
        }
        int afterNewConnections = server.accepted();
        try (RawHttp client = new RawHttp(port)) {
            for (int i = 0; i < 10; i++) {
                assertThat(client.get("/kept-" + i).body()).isEqualTo("ok");
            }
        }
        int afterKeepAlive = server.accepted() - afterNewConnections;
        if (FIRST_REQUEST_SHARES.get(mode)) {
            // Exactly 1: the server connection is idle again before the client sees the end of its
            // answer (it once went back only after, and a quick next client opened a second one).
            assertThat(afterNewConnections)
                    .as("http-reuse %s: one server connection serves every client connection", mode)
                    .isEqualTo(1);
            assertThat(afterKeepAlive).isZero();
        } else {
            assertThat(afterNewConnections)
                    .as(
                            "http-reuse %s: the first request of each client connection opens one",
                            mode)
                    .isEqualTo(10);
            assertThat(afterKeepAlive)
                    .as(
                            "http-reuse %s: only the keep-alive connection's first request opens one",
                            mode)
                    .isEqualTo(1);
        }
    }
}
