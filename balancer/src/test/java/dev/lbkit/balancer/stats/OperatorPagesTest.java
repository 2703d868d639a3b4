package dev.lbkit.balancer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.proxy.TestRoundRobin;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The statistics page and the Prometheus exporter over real sockets, lbkit alone (the HAProxy
 * comparison is in episodes/all).
 */
class OperatorPagesTest {
    private HttpServer app;
    private Lbkit lbkit;
    private int web;
    private int stats;
    private final HttpClient client =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() throws Exception {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        app.createContext(
                "/",
                exchange -> {
                    byte[] body = "ok\n".getBytes(StandardCharsets.US_ASCII);
                    exchange.sendResponseHeaders(
                            exchange.getRequestURI().getPath().equals("/missing") ? 404 : 200,
                            body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        app.start();
        web = freePort();
        stats = freePort();
        String config =
                """
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 5s
                    timeout server 5s
                frontend fe
                    bind 127.0.0.1:%d
                    http-request use-service prometheus-exporter if { path /metrics }
                    stats uri /admin/stats
                    stats refresh 7s
                    stats admin if LOCALHOST
                    default_backend be
                backend be
                    server s1 127.0.0.1:%d
                    server s2 127.0.0.1:%d weight 3
                listen stats
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /
                    stats auth admin:secret
                """
                        .formatted(
                                web, app.getAddress().getPort(), app.getAddress().getPort(), stats);
        lbkit =
                Lbkit.start(
                        ConfigParser.parse(config, "stats.cfg"),
                        (section, servers) -> new TestRoundRobin(servers, false));
    }

    @AfterEach
    void stop() {
        if (lbkit != null) {
            lbkit.close();
        }
        app.stop(0);
    }

    @Test
    void csvCountsAnswersPerServerAndTheAdminFormDrainsThroughTheRuntimeApi() throws Exception {
        for (String path : new String[] {"/", "/", "/missing", "/"}) {
            get(web, path, null);
        }
        HttpResponse<String> csv = get(web, "/admin/stats;csv", null);
        assertThat(csv.headers().firstValue("Content-Type"))
                .as("CSV is plain text")
                .hasValue("text/plain");
        assertThat(csv.body())
                .as("the page's CSV is show stat's without the final empty line")
                .startsWith("# pxname,svname")
                .doesNotEndWith("\n\n");
        assertThat(
                        Integer.parseInt(column(csv.body(), "be", "s1", "hrsp_2xx"))
                                + Integer.parseInt(column(csv.body(), "be", "s2", "hrsp_2xx")))
                .as("three 200s from the servers")
                .isEqualTo(3);
        assertThat(
                        Integer.parseInt(column(csv.body(), "be", "s1", "hrsp_4xx"))
                                + Integer.parseInt(column(csv.body(), "be", "s2", "hrsp_4xx")))
                .as("one 404")
                .isEqualTo(1);
        assertThat(column(csv.body(), "fe", "FRONTEND", "req_tot"))
                .as("the CSV request itself counts")
                .isEqualTo("5");

        HttpResponse<String> html = get(web, "/admin/stats", null);
        assertThat(html.headers().firstValue("Refresh")).as("stats refresh 7s").hasValue("7");
        assertThat(html.body())
                .contains("data-row=\"s1\"", "data-row=\"s2\"", "<form method=\"post\"");
        assertThat(get(web, "/admin/stats;norefresh", null).headers().firstValue("Refresh"))
                .isEmpty();

        HttpResponse<String> drain =
                client.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + web + "/admin/stats"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("b=be&s=s1&action=drain"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(drain.statusCode()).isEqualTo(303);
        assertThat(drain.headers().firstValue("Location")).hasValue("/admin/stats;st=DONE");
        assertThat(column(get(web, "/admin/stats;csv", null).body(), "be", "s1", "status"))
                .isEqualTo("DRAIN");

        HttpResponse<String> unknown =
                client.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + web + "/admin/stats"))
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "b=be&s=nope&action=maint"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.headers().firstValue("Location")).hasValue("/admin/stats;st=ERRP");
    }

    @Test
    void metricsUseHaproxysNamesAndLabels() throws Exception {
        get(web, "/", null);
        get(web, "/missing", null);
        HttpResponse<String> metrics = get(web, "/metrics", null);
        assertThat(metrics.headers().firstValue("Content-Type").orElse(""))
                .startsWith("text/plain; version=0.0.4");
        assertThat(metrics.body())
                .contains(
                        "haproxy_server_http_responses_total{proxy=\"be\",server=\"s1\",code=\"2xx\"} 1",
                        "haproxy_server_http_responses_total{proxy=\"be\",server=\"s2\",code=\"4xx\"} 1",
                        "haproxy_server_weight{proxy=\"be\",server=\"s2\"} 3",
                        "haproxy_frontend_http_requests_total{proxy=\"fe\"} 3");
    }

    @Test
    void statsAuthAsksForBasicCredentials() throws Exception {
        HttpResponse<String> refused = get(stats, "/", null);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate"))
                .hasValue("Basic realm=\"HAProxy Statistics\"");
        String good =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8));
        assertThat(get(stats, "/", good).statusCode()).isEqualTo(200);
        assertThat(get(stats, "/anything;csv", good).body()).contains("stats,BACKEND");
    }

    @Test
    void aConditionLbkitCannotEvaluateIsRefusedBeforeListening() throws Exception {
        String config =
                """
                defaults
                    mode http
                listen st
                    bind 127.0.0.1:%d
                    stats admin if { req.ver 1.1 }
                """
                        .formatted(freePort());
        assertThatThrownBy(
                        () ->
                                Lbkit.start(
                                        ConfigParser.parse(config, "admin.cfg"),
                                        (section, servers) -> new TestRoundRobin(servers, false)))
                .hasMessageContaining("stats admin if { req.ver 1.1 }")
                .hasMessageContaining("admin.cfg:5")
                .hasMessageContaining("the ACL criterion 'req.ver'")
                .hasMessageContaining("LOCALHOST");
    }

    private HttpResponse<String> get(int port, String target, String authorization)
            throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String column(String csv, String proxy, String row, String name) {
        String[] header = csv.lines().findFirst().orElseThrow().substring(2).split(",", -1);
        int at = java.util.Arrays.asList(header).indexOf(name);
        return csv.lines()
                .map(l -> l.split(",", -1))
                .filter(f -> f[0].equals(proxy) && f[1].equals(row))
                .map(f -> f[at])
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("no row " + proxy + "/" + row + " in\n" + csv));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket =
                new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
