package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.ProxyHeader;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code balance source} for any client, IPv4 or IPv6: both balancers listen with {@code
 * accept-proxy}, and every connection, though it really comes from 127.0.0.1, opens with a PROXY
 * protocol header (version 1 or 2) naming a random client address. Both must take that address as
 * the client's and hash it the same way, request by request.
 *
 * <p>Which address family the balancer hashes matters (an IPv4 address is 4 bytes, an IPv6 one 16,
 * and an IPv4 client seen on an IPv6 listener becomes ::ffff:a.b.c.d), so the clients are a mix of
 * both families, sent with both header versions, to an IPv4 and to an IPv6 listener.
 */
class ProxyProtocolSourceParityTest {
    /** Per family and header version; four mixes make 1200 clients per config. */
    private static final int CLIENTS_PER_MIX = 300;

    private static final List<String> SERVERS = List.of("s1", "s2", "s3");

    /** Change with -Dlbkit.seed to play other clients. */
    private static final long SEED = Long.getLong("lbkit.seed", 0L);

    @Test
    void mapBasedHashingOfProxiedClientsMatchesOnAnIpv4Listener() throws Exception {
        Comparison c =
                run(
                        "map-based",
                        "127.0.0.1",
                        "",
                        "balance source\n    hash-type map-based",
                        traffic(SEED + 1));
        assertEveryClientMatchesAndTheHeaderDecides(c);
    }

    @Test
    void consistentHashingOfProxiedClientsMatchesOnAnIpv4Listener() throws Exception {
        Comparison c =
                run(
                        "consistent",
                        "127.0.0.1",
                        "",
                        "balance source\n    hash-type consistent",
                        traffic(SEED + 2));
        assertEveryClientMatchesAndTheHeaderDecides(c);
    }

    /**
     * On an IPv6 listener a directly connected IPv4 client is hashed as ::ffff:a.b.c.d; a client
     * address given by a PROXY header is hashed as the header gives it. lbkit's v4-mapping rule
     * must not reach into proxied addresses.
     */
    @Test
    void proxiedIpv4ClientsOnAnIpv6ListenerAreHashedAsTheHeaderGivesThem() throws Exception {
        Comparison c =
                run(
                        "map-based, IPv6 listener",
                        "[::ffff:127.0.0.1]",
                        " v4v6",
                        "balance source\n    hash-type map-based",
                        traffic(SEED + 3));
        assertEveryClientMatchesAndTheHeaderDecides(c);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsConsistentHashingWhereHaproxyIsMapBased() throws Exception {
        Traffic traffic = traffic(SEED + 4);
        Comparison c =
                run(
                        "NEGATIVE CONTROL map-based, lbkit given consistent",
                        "127.0.0.1",
                        "",
                        "balance source\n    hash-type map-based",
                        traffic,
                        NegativeControl.replace("hash-type map-based", "hash-type consistent"));
        NegativeControl.record(
                "episode-03-proxy-protocol-map-vs-consistent",
                "exact per-client comparison over PROXY protocol clients (episode 03)",
                "hash-type consistent where HAProxy runs map-based",
                c.identical()
                        ? "NOT REJECTED"
                        : "rejected at client #" + c.firstDifference() + ", " + c.summary());
        assertThat(c.identical())
                .as("the comparison rejects the wrong hashing:%n%s", c.explainDifference())
                .isFalse();
        assertThat(c.total() - c.matching())
                .as("many clients land elsewhere, not one by chance")
                .isGreaterThan(traffic.requests().size() / 10);
    }

    /** A connection that does not open with a PROXY header is closed unanswered by both. */
    @Test
    void aConnectionWithoutTheHeaderIsClosedUnansweredByBoth() throws Exception {
        try (Started both =
                Started.of("127.0.0.1", "", "balance source\n    hash-type map-based", s -> s)) {
            for (int port : new int[] {both.haproxyPort, both.lbkitPort}) {
                try (RawHttpClient client =
                        new RawHttpClient(new InetSocketAddress("127.0.0.1", port), null, 10_000)) {
                    assertThat(catchIo(() -> client.get("/", "127.0.0.1", List.of(), false)))
                            .as(
                                    "port %d (%s)",
                                    port,
                                    port == both.haproxyPort ? both.haproxy.describe() : "lbkit")
                            .isInstanceOf(IOException.class);
                }
            }
        }
    }

    private static void assertEveryClientMatchesAndTheHeaderDecides(Comparison c) {
        Parity.assertIdentical(c);
        Set<String> used = new HashSet<>(c.haproxy().answers());
        assertThat(used)
                .as(
                        "every connection came from 127.0.0.1, yet HAProxy spread the clients over all"
                                + " three servers: the header's address is what both hash")
                .containsExactlyInAnyOrderElementsOf(SERVERS);
    }

    /**
     * Random clients, seeded: for each of IPv4/IPv6 and header version 1/2, {@link
     * #CLIENTS_PER_MIX} addresses drawn over the whole address space (they appear only inside
     * headers; nothing is sent to them), interleaved.
     */
    static Traffic traffic(long seed) {
        Random random = new Random(seed);
        List<Traffic.Request> requests = new ArrayList<>();
        for (int i = 0; i < CLIENTS_PER_MIX; i++) {
            for (int mix = 0; mix < 4; mix++) {
                byte[] address = new byte[mix < 2 ? 4 : 16];
                random.nextBytes(address);
                int version = mix % 2 + 1;
                requests.add(
                        Traffic.Request.proxied(
                                "/",
                                ProxyHeader.of(
                                        version,
                                        addressOf(address),
                                        1024 + random.nextInt(60_000))));
            }
        }
        return new Traffic(
                4 * CLIENTS_PER_MIX + " random IPv4 and IPv6 clients over PROXY v1 and v2",
                requests,
                List.of(),
                false);
    }

    private static InetAddress addressOf(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static Comparison run(
            String title, String host, String bindOptions, String balance, Traffic traffic)
            throws Exception {
        return run(title, host, bindOptions, balance, traffic, s -> s);
    }

    private static Comparison run(
            String title,
            String host,
            String bindOptions,
            String balance,
            Traffic traffic,
            java.util.function.UnaryOperator<String> lbkitMistake)
            throws Exception {
        try (Started both = Started.of(host, bindOptions, balance, lbkitMistake)) {
            SideBySide.Endpoint onHaproxy =
                    new SideBySide.Endpoint(
                            both.haproxy.describe(), both.haproxyConfig, both.haproxyPort, 0);
            SideBySide.Endpoint onLbkit =
                    new SideBySide.Endpoint(
                            "lbkit (as HAProxy " + both.haproxy.line().text() + ")",
                            both.lbkitConfig,
                            both.lbkitPort,
                            0);
            CompletableFuture<Picks> haproxyPicks =
                    CompletableFuture.supplyAsync(
                            () -> ParallelClients.drive(onHaproxy, SERVERS, traffic, 4));
            Picks lbkitPicks = ParallelClients.drive(onLbkit, SERVERS, traffic, 4);
            Comparison c =
                    new Comparison(
                            "source over PROXY protocol, " + title + " — " + traffic.name(),
                            both.haproxyConfig,
                            traffic,
                            haproxyPicks.join(),
                            lbkitPicks);
            Report.write(Parity.slugOf(c.title()), c, List.of());
            System.out.println(
                    "[lbkit] " + c.summary() + "  (HAProxy: " + c.haproxy().side() + ")");
            return c;
        }
    }

    private static Throwable catchIo(IoCall call) {
        try {
            call.run();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private interface IoCall {
        void run() throws IOException;
    }

    /** Three replicas, HAProxy and lbkit, each balancer on its own {@code accept-proxy} bind. */
    private static final class Started implements AutoCloseable {
        private final List<AutoCloseable> running = new ArrayList<>();
        private SideBySide.HaproxyStarter haproxy;
        private String haproxyConfig;
        private String lbkitConfig;
        private int haproxyPort;
        private int lbkitPort;

        static Started of(
                String host,
                String bindOptions,
                String balance,
                java.util.function.UnaryOperator<String> lbkitMistake)
                throws Exception {
            Started s = new Started();
            try {
                List<Integer> serverPorts = new ArrayList<>();
                for (int i = 0; i < SERVERS.size(); i++) {
                    FlaskReplica replica = FlaskReplica.start(i + 1, "127.0.0.1", 0, Duration.ZERO);
                    s.running.add(replica);
                    serverPorts.add(replica.port());
                }
                s.haproxyPort = SideBySide.freePort();
                s.lbkitPort = SideBySide.freePort();
                s.haproxyConfig =
                        config(host + ":" + s.haproxyPort + bindOptions, balance, serverPorts);
                s.lbkitConfig =
                        lbkitMistake.apply(
                                config(
                                        host + ":" + s.lbkitPort + bindOptions,
                                        balance,
                                        serverPorts));
                s.haproxy = Parity.haproxy();
                s.running.add(s.haproxy.start(s.haproxyConfig));
                s.running.add(
                        Lbkit.start(
                                ConfigParser.parse(
                                        s.lbkitConfig,
                                        "proxy protocol (lbkit side)",
                                        s.haproxy.line())));
                return s;
            } catch (Exception | Error e) {
                s.close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    private static String config(String bind, String balance, List<Integer> serverPorts) {
        return """
                global
                    nbthread 1

                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s

                frontend fe
                    bind %s accept-proxy
                    default_backend be

                backend be
                    %s
                    server s1 127.0.0.1:%d weight 2
                    server s2 127.0.0.1:%d weight 1
                    server s3 127.0.0.1:%d weight 3
                """
                .formatted(
                        bind, balance, serverPorts.get(0), serverPorts.get(1), serverPorts.get(2));
    }
}
