package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.ConfigGenerator;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    private static final int GENERATED = Parity.generatedConfigs(10);

    /**
     * Connections in flight per side: source hashing is stateless per request, so order does not
     * matter.
     */
    private static final int PARALLEL = 4;

    private static final List<InetAddress> THOUSAND = Clients.addresses(CLIENTS);

    @Test
    void articleConfigSendsEveryClientToTheSameServerAsHaproxy() throws Exception {
        Comparison c =
                runOnce(
                        "episode 03 haproxy.cfg",
                        Parity.episodeConfig(),
                        Clients.rounds(
                                CLIENTS
                                        + " clients, 127.0.1.1 to 127.0.4.250, a new connection each",
                                THOUSAND,
                                1));
        Parity.assertIdentical(c);
        assertThat(c.haproxy().distribution().keySet())
                .as("consistent hashing with avalanche spreads clients to all three")
                .containsExactly("server1", "server2", "server3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            no hash-type (map-based sdbm)           | balance source                                      | 2:1:3
            map-based                                | balance source;hash-type map-based                  | 2:1:3
            map-based, weights with a GCD of 10      | balance source;hash-type map-based                  | 20:10:30
            consistent, explicit ids 30/10/20        | balance source;hash-type consistent                 | 2:1:3:id 30:id 10:id 20
            map-based sdbm avalanche                 | balance source;hash-type map-based sdbm avalanche   | 5:3:2
            consistent sdbm (avalanche turned off)   | balance source;hash-type consistent sdbm            | 2:1:3
            consistent crc32 avalanche               | balance source;hash-type consistent crc32 avalanche | 1:2:4:1:3
            """)
    void hashTypeVariantsSendEveryClientToTheSameServerAsHaproxy(
            String title, String balanceLines, String servers) throws Exception {
        String config = config(title, balanceLines.replace(";", "\n    "), servers);
        Comparison c = runOnce(title, config, Clients.rounds(CLIENTS + " clients", THOUSAND, 1));
        Parity.assertIdentical(c);
        assertThat(c.matching())
                .as("every client was served by the same server on both sides")
                .isEqualTo(CLIENTS);
    }

    @Test
    void consistentDjb2SendsNeighbouringAddressesToOneServerOnBothSides() throws Exception {
        // source ignores the function and djb2 names no avalanche, so the raw, adjacent integers
        // are
        // looked up: they all fall between the same two ring points.
        Comparison c =
                runOnce(
                        "consistent djb2",
                        config(
                                "consistent djb2",
                                "balance source\n    hash-type consistent djb2",
                                "1:1:1"),
                        Clients.rounds(CLIENTS + " clients", THOUSAND, 1));
        Parity.assertIdentical(c);
        assertThat(c.haproxy().distribution())
                .as("HAProxy puts all 1000 neighbours on one server")
                .hasSize(1);
    }

    @Test
    void generatedConfigsSendEveryClientToTheSameServerAsHaproxy() throws Exception {
        ConfigGenerator generator = new ConfigGenerator(SEED);
        String[] hashTypes = {
            "hash-type map-based",
            "hash-type consistent",
            "hash-type map-based wt6 avalanche",
            "hash-type consistent sdbm",
            "hash-type map-based crc32",
            "hash-type consistent djb2 avalanche"
        };
        System.out.printf(
                "[lbkit] source: %d generated configs, seed %d (replay with -Dlbkit.seed=%d)%n",
                GENERATED, generator.seed(), SEED);
        List<Comparison> all = new ArrayList<>();
        for (int i = 0; i < GENERATED; i++) {
            String hashType = hashTypes[i % hashTypes.length];
            ConfigGenerator.Generated config =
                    generator.next(
                            "source " + hashType + " #" + i, "balance source\n    " + hashType);
            String victim =
                    config.serverNames()
                            .get(generator.random().nextInt(config.serverNames().size()));
            Traffic traffic =
                    Clients.rounds(CLIENTS + " clients, " + victim + " DOWN after 600", THOUSAND, 1)
                            .withEvent(600, "disable server be/" + victim);
            all.add(
                    runOnce(
                            config.name() + " weights " + config.weights(),
                            config.config(),
                            traffic));
        }
        int matching = all.stream().mapToInt(Comparison::matching).sum();
        int total = all.stream().mapToInt(Comparison::total).sum();
        System.out.printf(
                "[lbkit] source: %d/%d requests on the same server over %d generated configs%n",
                matching, total, GENERATED);
        all.forEach(Parity::assertIdentical);
        assertThat(matching)
                .as(
                        "most requests were served by a server, the same on both sides (equal 503s"
                                + " or errors are not counted): the configs balanced, not just failed alike")
                .isGreaterThan(GENERATED * CLIENTS / 2);
    }

    /** How a DOWN server disturbed the clients, measured on one side. */
    record Disruption(int onDownServer, int othersMoved, boolean allBackAfterUp) {}

    @Test
    void serverDownMovesTheSameClientsOnBothSidesAndConsistentMovesOnlyItsOwn() throws Exception {
        int clients = 500;
        List<InetAddress> addresses = Clients.addresses(clients);
        List<String> table = new ArrayList<>();
        table.add(
                String.format(
                        Locale.ROOT,
                        "%-11s %-22s %-28s %-28s",
                        "hash-type",
                        "clients on s3 before",
                        "others moved (HAProxy)",
                        "others moved (lbkit)"));
        Disruption[] mapBased = new Disruption[2];
        Disruption[] consistent = new Disruption[2];
        for (String hashType : List.of("map-based", "consistent")) {
            Traffic traffic =
                    Clients.rounds(
                                    clients
                                            + " clients; s3 DOWN; the same again; s3 UP; the same again",
                                    addresses,
                                    3)
                            .withEvent(clients, "disable server be/s3")
                            .withEvent(2 * clients, "enable server be/s3");
            Comparison c =
                    runOnce(
                            "weights 1/2/4/1/3, " + hashType,
                            config(
                                    hashType,
                                    "balance source\n    hash-type " + hashType,
                                    "1:2:4:1:3"),
                            traffic);
            Disruption onHaproxy = disruption(c.haproxy().answers(), clients);
            Disruption onLbkit = disruption(c.lbkit().answers(), clients);
            table.add(
                    String.format(
                            Locale.ROOT,
                            "%-11s %-22d %-28s %-28s",
                            hashType,
                            onHaproxy.onDownServer(),
                            onHaproxy.othersMoved() + " of " + (clients - onHaproxy.onDownServer()),
                            onLbkit.othersMoved() + " of " + (clients - onLbkit.onDownServer())));
            Parity.assertIdentical(c);
            (hashType.equals("map-based") ? mapBased : consistent)[0] = onHaproxy;
            (hashType.equals("map-based") ? mapBased : consistent)[1] = onLbkit;
        }
        table.forEach(line -> System.out.println("[lbkit] " + line));
        assertThat(mapBased[1])
                .as("map-based: lbkit moves exactly HAProxy's clients")
                .isEqualTo(mapBased[0]);
        assertThat(consistent[1])
                .as("consistent: lbkit moves exactly HAProxy's clients")
                .isEqualTo(consistent[0]);
        assertThat(consistent[0].othersMoved())
                .as("consistent: only s3's own clients move")
                .isEqualTo(0);
        assertThat(mapBased[0].othersMoved())
                .as("map-based: the rebuilt map moves many of the others too")
                .isGreaterThan(clients / 4);
        assertThat(consistent[0].allBackAfterUp() && mapBased[0].allBackAfterUp())
                .as("when s3 comes back UP every client returns to its first server")
                .isTrue();
    }

    private static Disruption disruption(List<String> answers, int clients) {
        List<String> before = answers.subList(0, clients);
        List<String> down = answers.subList(clients, 2 * clients);
        List<String> up = answers.subList(2 * clients, 3 * clients);
        int onS3 = (int) before.stream().filter("s3"::equals).count();
        return new Disruption(onS3, Clients.movedNeedlessly(before, down, "s3"), up.equals(before));
    }

    /**
     * A one-backend config: {@code servers} is "w1:w2:...[:extra1:extra2...]", extras appended to
     * server lines.
     */
    static String config(String title, String balanceLines, String servers) {
        String[] parts = servers.split(":");
        List<String> weights = new ArrayList<>();
        List<String> extras = new ArrayList<>();
        for (String part : parts) {
            (part.matches("\\d+") ? weights : extras).add(part);
        }
        return "# episode 03 variant: "
                + title
                + "\n"
                + new SingleBackendConfig(
                                "be",
                                "s",
                                balanceLines,
                                weights.stream().map(Integer::valueOf).toList(),
                                extras)
                        .text();
    }

    /** Runs one config side by side, four clients in flight per side, and writes its report. */
    static Comparison runOnce(String title, String config, Traffic traffic, String... reportLines)
            throws Exception {
        try (SideBySide sides =
                SideBySide.start(title, config, Parity.haproxy(), SideBySide.Options.exactRun())) {
            Comparison c =
                    ParallelClients.compare(
                            sides, title + " — " + traffic.name(), config, traffic, PARALLEL);
            Report.write(slug(c.title()), c, List.of(reportLines));
            System.out.println(
                    "[lbkit] " + c.summary() + "  (HAProxy: " + c.haproxy().side() + ")");
            return c;
        }
    }

    private static String slug(String text) {
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
    }
}
