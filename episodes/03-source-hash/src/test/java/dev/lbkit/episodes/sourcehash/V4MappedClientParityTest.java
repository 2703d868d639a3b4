package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An IPv4 client accepted on an IPv6 listener is ::ffff:a.b.c.d to HAProxy, and {@code balance
 * source} hashes that address (0x0000FFFF XOR the IPv4 integer), not the plain IPv4 one. The
 * listener here is {@code [::ffff:127.0.0.1]}: IPv6 to both balancers, yet reachable at 127.0.0.1.
 *
 * <p>SideBySide rewrites every bind to 127.0.0.1, which would hide the case, so this test starts
 * the replicas and both balancers itself, each on its own IPv6 bind.
 */
class V4MappedClientParityTest {
    private static final int CLIENTS = 1000;
    private static final List<String> SERVERS = List.of("s1", "s2", "s3");

    @Test
    void ipv4ClientsOnAnIpv6ListenerAreHashedAsV4MappedAddresses() throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        try {
            List<Integer> serverPorts = new ArrayList<>();
            for (int i = 0; i < SERVERS.size(); i++) {
                FlaskReplica replica = FlaskReplica.start(i + 1, "127.0.0.1", 0, Duration.ZERO);
                running.add(replica);
                serverPorts.add(replica.port());
            }
            int haproxyPort = SideBySide.freePort();
            int lbkitPort = SideBySide.freePort();
            String haproxyConfig = config(haproxyPort, serverPorts);
            String lbkitConfig = config(lbkitPort, serverPorts);
            SideBySide.HaproxyStarter haproxy = Parity.haproxy();
            running.add(haproxy.start(haproxyConfig));
            running.add(
                    Lbkit.start(
                            ConfigParser.parse(
                                    lbkitConfig, "v4-mapped (lbkit side)", haproxy.line())));

            Traffic traffic =
                    Clients.rounds(
                            CLIENTS + " IPv4 clients on [::ffff:127.0.0.1]",
                            Clients.addresses(CLIENTS),
                            1);
            SideBySide.Endpoint onHaproxy =
                    new SideBySide.Endpoint(haproxy.describe(), haproxyConfig, haproxyPort, 0);
            SideBySide.Endpoint onLbkit =
                    new SideBySide.Endpoint(
                            "lbkit (as HAProxy " + haproxy.line().text() + ")",
                            lbkitConfig,
                            lbkitPort,
                            0);
            CompletableFuture<Picks> haproxyPicks =
                    CompletableFuture.supplyAsync(
                            () -> ParallelClients.drive(onHaproxy, SERVERS, traffic, 4));
            Picks lbkitPicks = ParallelClients.drive(onLbkit, SERVERS, traffic, 4);
            Comparison c =
                    new Comparison(
                            "map-based 2/1/3 on an IPv6 listener — " + traffic.name(),
                            haproxyConfig,
                            traffic,
                            haproxyPicks.join(),
                            lbkitPicks);
            Report.write("v4-mapped-clients-on-an-ipv6-listener", c, List.of());
            System.out.println(
                    "[lbkit] " + c.summary() + "  (HAProxy: " + c.haproxy().side() + ")");
            Parity.assertIdentical(c);

            int plainIpv4Agrees = 0;
            String[] map = {"s1", "s3", "s1", "s3", "s2", "s3"};
            for (int i = 0; i < CLIENTS; i++) {
                long plainKey =
                        Integer.toUnsignedLong(
                                dev.lbkit.episodes.sourcehash.HashKeys.source(
                                        traffic.requests().get(i).source()));
                plainIpv4Agrees +=
                        map[(int) (plainKey % map.length)].equals(c.haproxy().answers().get(i))
                                ? 1
                                : 0;
            }
            assertThat(plainIpv4Agrees)
                    .as("the plain IPv4 key would put clients elsewhere: the case is real")
                    .isLessThan(CLIENTS / 2);
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    private static String config(int bindPort, List<Integer> serverPorts) {
        return """
                global
                    nbthread 1

                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s

                frontend fe
                    bind [::ffff:127.0.0.1]:%d v4v6
                    default_backend be

                backend be
                    balance source
                    hash-type map-based
                    server s1 127.0.0.1:%d weight 2
                    server s2 127.0.0.1:%d weight 1
                    server s3 127.0.0.1:%d weight 3
                """
                .formatted(bindPort, serverPorts.get(0), serverPorts.get(1), serverPorts.get(2));
    }
}
