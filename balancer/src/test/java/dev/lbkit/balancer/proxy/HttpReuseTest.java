package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.HttpReuse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code http-reuse}, counted in connections a real server accepts. HAProxy 2.6 with its default
 * {@code safe} opened 20 server connections per server for 60 requests on new client connections
 * (3 servers) and reused for the later requests of one keep-alive client connection (see the
 * leastconn episode's load test); lbkit must do the same, and share everything with {@code always}.
 */
class HttpReuseTest extends ProxyTestBase {
    @ParameterizedTest
    @EnumSource(HttpReuse.class)
    void firstRequestsOfClientConnectionsOpenServerConnectionsUnlessReuseIsAggressiveOrAlways(HttpReuse mode)
            throws Exception {
        FakeServer server = keepAliveServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        lbkit = Lbkit.start(TestConfigs.listen("web").httpReuse(mode)
                .server(TestConfigs.server("s1", server.port())).config());
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
        if (mode.sharesForFirstRequest()) {
            assertThat(afterNewConnections).as("http-reuse %s: one server connection serves every client connection", mode)
                    .isEqualTo(1);
            assertThat(afterKeepAlive).isZero();
        } else {
            assertThat(afterNewConnections).as("http-reuse %s: the first request of each client connection opens one", mode)
                    .isEqualTo(10);
            assertThat(afterKeepAlive).as("http-reuse %s: only the keep-alive connection's first request opens one", mode)
                    .isEqualTo(1);
        }
    }
}
