package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.ConfigGenerator;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Episode 03: lbkit's {@code balance source} picks the same server as HAProxy for each of 1000
 * distinct client addresses, map-based and consistent, and a server taken DOWN moves the same
 * clients on both sides.
 */
class SourceHashParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20260307L);
    private static final int CLIENTS = 1000;
    private static final int GENERATED = 10;
    private static final List<InetAddress> THOUSAND = Clients.addresses(CLIENTS);

    @Test
    void articleConfigSendsEveryClientToTheSameServerAsHaproxy() throws Exception {
        Comparison c = runOnce("episode 03 haproxy.cfg", Parity.episodeConfig(), Clients.rounds(
                CLIENTS + " clients, 127.0.1.1 to 127.0.4.250, a new connection each", THOUSAND, 1));
        Parity.assertIdentical(c);
        assertThat(c.haproxy().distribution().keySet()).as("consistent hashing with avalanche spreads clients to all three")
                .containsExactly("server1", "server2", "server3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no hash-type (map-based sdbm)           | balance source                                      | 2:1:3
            map-based                                | balance source;hash-type map-based                  | 2:1:3
            map-based, weights with a GCD of 10      | balance source;hash-type map-based                  | 20:10:30
            consistent, explicit ids 30/10/20        | balance source;hash-type consistent                 | 2:1:3:id 30:id 10:id 20
            map-based sdbm avalanche                 | balance source;hash-type map-based sdbm avalanche   | 5:3:2
            consistent sdbm (avalanche turned off)   | balance source;hash-type consistent sdbm            | 2:1:3
            consistent crc32 avalanche               | balance source;hash-type consistent crc32 avalanche | 1:2:4:1:3
            """)
    void hashTypeVariantsSendEveryClientToTheSameServerAsHaproxy(String title, String balanceLines, String servers)
            throws Exception {
        String config = config(title, balanceLines.replace(";", "\n    "), servers);
        Comparison c = runOnce(title, config, Clients.rounds(CLIENTS + " clients", THOUSAND, 1));
        Parity.assertIdentical(c);
        assertThat(c.total()).as("every client was asked").isEqualTo(CLIENTS);
    }

    @Test
    void consistentDjb2SendsNeighbouringAddressesToOneServerOnBothSides() throws Exception {
        // source ignores the function and djb2 names no avalanche, so the raw, adjacent integers are
        // looked up: they all fall between the same two ring points.
        Comparison c = runOnce("consistent djb2", config("consistent djb2", "balance source\n    hash-type consistent djb2",
                "1:1:1"), Clients.rounds(CLIENTS + " clients", THOUSAND, 1));
        Parity.assertIdentical(c);
        assertThat(c.haproxy().distribution()).as("HAProxy puts all 1000 neighbours on one server").hasSize(1);
    }

    @Test
    void generatedConfigsSendEveryClientToTheSameServerAsHaproxy() throws Exception {
        ConfigGenerator generator = new ConfigGenerator(SEED);
        String[] hashTypes = {"hash-type map-based", "hash-type consistent", "hash-type map-based wt6 avalanche",
            "hash-type consistent sdbm", "hash-type map-based crc32", "hash-type consistent djb2 avalanche"};
        System.out.printf("[lbkit] source: %d generated configs, seed %d (replay with -Dlbkit.seed=%d)%n",
                GENERATED, generator.seed(), SEED);
        List<Comparison> all = new ArrayList<>();
        for (int i = 0; i < GENERATED; i++) {
            String hashType = hashTypes[i % hashTypes.length];
            ConfigGenerator.Generated config = generator.next("source " + hashType + " #" + i,
                    "balance source\n    " + hashType);
            String victim = config.serverNames().get(generator.random().nextInt(config.serverNames().size()));
            Traffic traffic = Clients.rounds(CLIENTS + " clients, " + victim + " DOWN after 600", THOUSAND, 1)
                    .withEvent(600, "disable server be/" + victim);
            all.add(runOnce(config.name() + " weights " + config.weights(), config.config(), traffic));
        }
        int matching = all.stream().mapToInt(Comparison::matching).sum();
        int total = all.stream().mapToInt(Comparison::total).sum();
        System.out.printf("[lbkit] source: %d/%d requests on the same server over %d generated configs%n",
                matching, total, GENERATED);
        all.forEach(Parity::assertIdentical);
        assertThat(total).as("every config was run in full").isEqualTo(GENERATED * CLIENTS);
    }

    /** A one-backend config: {@code servers} is "w1:w2:...[:extra1:extra2...]", extras appended to server lines. */
    static String config(String title, String balanceLines, String servers) {
        String[] parts = servers.split(":");
        List<String> weights = new ArrayList<>();
        List<String> extras = new ArrayList<>();
        for (String part : parts) {
            (part.matches("\\d+") ? weights : extras).add(part);
        }
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < weights.size(); i++) {
            lines.append("    server s").append(i + 1).append(" 127.0.0.1:").append(5001 + i)
                    .append(" weight ").append(weights.get(i))
                    .append(i < extras.size() ? " " + extras.get(i) : "").append('\n');
        }
        return """
                # episode 03 variant: %s
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s

                frontend fe
                    bind 127.0.0.1:8080
                    default_backend be

                backend be
                    %s
                %s""".formatted(title, balanceLines, lines);
    }

    static Comparison runOnce(String title, String config, Traffic traffic) throws Exception {
        return Parity.run(title, config, SideBySide.Options.exactRun(), List.of(traffic)).get(0);
    }
}
