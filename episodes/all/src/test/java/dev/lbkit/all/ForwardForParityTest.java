package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.ProxyHeader;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.SideBySide;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code option forwardfor} side by side: the headers a server receives from HAProxy and from
 * lbkit, compared request by request, for {@code except}, {@code header} and {@code if-none}, on
 * the frontend, the backend or both, for IPv4, IPv6 and v4-mapped clients.
 *
 * <p>One config holds every case: each case is a backend with its own frontends, one listening with
 * {@code accept-proxy} (so that any client address can be played through a PROXY header) and one on
 * an IPv6 listener reached from 127.0.0.1 (a v4-mapped client). Every backend's server is a real
 * HTTP server that answers with the forwarding headers it received.
 */
class ForwardForParityTest {
    /** The frontend's and the backend's {@code option forwardfor} line per case; "" for none. */
    private static final List<String[]> CASES =
            List.of(
                    new String[] {"option forwardfor", ""},
                    new String[] {"option forwardfor if-none", ""},
                    new String[] {"option forwardfor header X-Client", ""},
                    new String[] {"option forwardfor header X-Client if-none", ""},
                    new String[] {"option forwardfor except 127.0.0.0/8", ""},
                    new String[] {"option forwardfor except 203.0.113.0/24", ""},
                    new String[] {"option forwardfor except 203.0.113.0/255.255.255.0", ""},
                    new String[] {"option forwardfor except 2001:db8::/32", ""},
                    new String[] {"option forwardfor except ::ffff:127.0.0.0/104", ""},
                    new String[] {"option forwardfor except ::1", ""},
                    new String[] {"option forwardfor header X-F", "option forwardfor header X-B"},
                    new String[] {"option forwardfor", "option forwardfor"},
                    new String[] {"option forwardfor header X-F", "option forwardfor"},
                    new String[] {"option forwardfor", "option forwardfor except 127.0.0.0/8"},
                    new String[] {"option forwardfor except 127.0.0.0/8", "option forwardfor"},
                    new String[] {"option forwardfor if-none", "option forwardfor"},
                    new String[] {"option forwardfor", "option forwardfor if-none"},
                    new String[] {
                        "option forwardfor if-none", "option forwardfor header X-Client if-none"
                    },
                    new String[] {"", "option forwardfor except 2001:db8::/32 header X-Client"},
                    new String[] {"", ""});

    /** Clients played through the PROXY header (version 1 and 2 alternate). */
    private static final List<String> PROXIED_CLIENTS =
            List.of(
                    "127.0.0.1",
                    "203.0.113.9",
                    "198.51.100.7",
                    "2001:db8::1",
                    "::ffff:127.0.0.1",
                    "::1",
                    "2001:db8:0:0:1::5");

    /** Headers a client may already send; the server's answer lists these names' values. */
    private static final List<String> CLIENT_HEADERS =
            List.of("X-Forwarded-For: 192.0.2.1", "X-Client: 192.0.2.2");

    private static final List<String> ECHOED = List.of("x-forwarded-for", "x-client", "x-f", "x-b");

    @Test
    void theServerGetsTheSameForwardingHeadersFromBoth() throws Exception {
        Outcome outcome = run(UnaryOperator.identity());
        System.out.println(
                "[lbkit] option forwardfor: "
                        + outcome.same
                        + "/"
                        + outcome.total
                        + " requests with the same forwarding headers at the server; "
                        + outcome.distinct
                        + " distinct header sets  (HAProxy: "
                        + outcome.haproxy
                        + ")");
        assertThat(outcome.differences)
                .as("requests whose server saw other forwarding headers from lbkit")
                .isEmpty();
        assertThat(outcome.distinct)
                .as(
                        "the cases are not all alike: some add the header, some not, under"
                                + " various names and values")
                .isGreaterThan(8);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitWhenItIgnoresIfNoneAndExcept() throws Exception {
        Outcome outcome =
                run(config -> config.replace(" if-none", "").replaceAll(" except \\S+", ""));
        NegativeControl.record(
                "forwardfor-if-none-and-except-ignored",
                "per-request comparison of the forwarding headers a server receives",
                "'option forwardfor' lines without their if-none and except words",
                outcome.differences.isEmpty()
                        ? "NOT REJECTED"
                        : "rejected: " + outcome.same + "/" + outcome.total + " alike");
        assertThat(outcome.differences)
                .as("the comparison sees the missing words")
                .hasSizeGreaterThan(20);
    }

    private record Outcome(
            int total, int same, int distinct, List<String> differences, String haproxy) {}

    private static Outcome run(UnaryOperator<String> lbkitMistake) throws Exception {
        try (HeaderEcho echo = new HeaderEcho()) {
            int frontends = CASES.size() * 2;
            List<Integer> haproxyPorts = ports(frontends);
            List<Integer> lbkitPorts = ports(frontends);
            String haproxyConfig = config(haproxyPorts, echo.port());
            String lbkitConfig = lbkitMistake.apply(config(lbkitPorts, echo.port()));
            SideBySide.HaproxyStarter haproxy = Parity.haproxy();
            List<String> onHaproxy;
            List<String> onLbkit;
            try (AutoCloseable h = haproxy.start(haproxyConfig);
                    AutoCloseable l =
                            Lbkit.start(
                                    ConfigParser.parse(
                                            lbkitConfig,
                                            "forwardfor cases (lbkit side)",
                                            haproxy.line()))) {
                onHaproxy = drive(haproxyPorts);
                onLbkit = drive(lbkitPorts);
            }
            List<String> differences = new ArrayList<>();
            int same = 0;
            for (int i = 0; i < onHaproxy.size(); i++) {
                if (onHaproxy.get(i).equals(onLbkit.get(i))
                        && !onHaproxy.get(i).startsWith("error")) {
                    same++;
                } else {
                    differences.add(
                            "#"
                                    + i
                                    + ": HAProxy's server saw ["
                                    + onHaproxy.get(i)
                                    + "], lbkit's ["
                                    + onLbkit.get(i)
                                    + "]");
                }
            }
            differences.stream().limit(10).forEach(d -> System.out.println("[lbkit]   " + d));
            Set<String> headerSets = new HashSet<>();
            onHaproxy.forEach(
                    answer -> headerSets.add(answer.substring(answer.indexOf(" -> ") + 4)));
            return new Outcome(
                    onHaproxy.size(), same, headerSets.size(), differences, haproxy.describe());
        }
    }

    /**
     * For each case: every proxied client, with and without the client headers; then two direct
     * clients.
     */
    private static List<String> drive(List<Integer> ports) {
        List<String> seen = new ArrayList<>();
        for (int c = 0; c < CASES.size(); c++) {
            int proxied = ports.get(2 * c);
            int direct = ports.get(2 * c + 1);
            for (int i = 0; i < PROXIED_CLIENTS.size(); i++) {
                ProxyHeader header =
                        ProxyHeader.of(i % 2 + 1, address(PROXIED_CLIENTS.get(i)), 40000 + i);
                for (List<String> sent : List.of(List.<String>of(), CLIENT_HEADERS)) {
                    seen.add(
                            "case "
                                    + c
                                    + " "
                                    + header
                                    + " sent "
                                    + sent
                                    + " -> "
                                    + send(
                                            new RawHttpClient(
                                                    new InetSocketAddress("127.0.0.1", proxied),
                                                    null,
                                                    header,
                                                    10_000),
                                            sent));
                }
            }
            for (List<String> sent : List.of(List.<String>of(), CLIENT_HEADERS)) {
                seen.add(
                        "case "
                                + c
                                + " direct v4-mapped sent "
                                + sent
                                + " -> "
                                + send(
                                        new RawHttpClient(
                                                new InetSocketAddress("127.0.0.1", direct),
                                                null,
                                                10_000),
                                        sent));
            }
        }
        return seen;
    }

    private static String send(RawHttpClient client, List<String> headers) {
        try (client) {
            RawHttpClient.Response response = client.get("/", "example.test", headers, false);
            return response.status() == 200
                    ? response.body()
                    : "error: status " + response.status();
        } catch (IOException e) {
            return "error: " + e.getMessage();
        }
    }

    private static String config(List<Integer> ports, int serverPort) {
        StringBuilder config =
                new StringBuilder(
                        """
                global
                    nbthread 1

                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                """);
        for (int c = 0; c < CASES.size(); c++) {
            config.append("\nfrontend fp")
                    .append(c)
                    .append("\n    bind 127.0.0.1:")
                    .append(ports.get(2 * c))
                    .append(" accept-proxy\n    ")
                    .append(CASES.get(c)[0])
                    .append("\n    default_backend b")
                    .append(c)
                    .append("\n\nfrontend fd")
                    .append(c)
                    .append("\n    bind [::ffff:127.0.0.1]:")
                    .append(ports.get(2 * c + 1))
                    .append(" v4v6\n    ")
                    .append(CASES.get(c)[0])
                    .append("\n    default_backend b")
                    .append(c)
                    .append("\n\nbackend b")
                    .append(c)
                    .append("\n    ")
                    .append(CASES.get(c)[1])
                    .append("\n    server echo 127.0.0.1:")
                    .append(serverPort)
                    .append('\n');
        }
        return config.toString();
    }

    private static List<Integer> ports(int count) throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(SideBySide.freePort());
        }
        return ports;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /**
     * A real HTTP server on 127.0.0.1 answering with the forwarding headers of each request it
     * gets.
     */
    private static final class HeaderEcho implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool();

        HeaderEcho() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            StringBuilder seen = new StringBuilder();
            for (String name : ECHOED) {
                List<String> values = exchange.getRequestHeaders().get(name);
                if (values != null) {
                    seen.append(name.toLowerCase(Locale.ROOT))
                            .append('=')
                            .append(values)
                            .append(' ');
                }
            }
            byte[] body =
                    (seen.isEmpty() ? "(none)" : seen.toString().trim())
                            .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
