package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Episode 04: for every {@code balance uri} option and hash function, lbkit sends each distinct URI
 * to the same server as a real HAProxy — origin-form and absolute-form — and a server going DOWN
 * under consistent hashing moves only its own URIs, on both sides.
 */
class UriHashParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20260404L);
    private static final int URIS = 560;
    private static final List<String> ORIGIN_FORM = UriCorpus.originForm(URIS, SEED);
    private static final String ARTICLE_FRONTEND = "http://" + UriCorpus.ABSOLUTE_AUTHORITY;

    /** The article's three servers, as in haproxy.cfg. */
    private static final String ARTICLE_SERVERS =
            """
                server server1 127.0.0.1:5001 check
                server server2 127.0.0.1:5002 check
                server server3 127.0.0.1:5003 check
            """;

    /** Unequal weights and an explicit id, so the map and the ring are not the trivial ones. */
    private static final String WEIGHTED_SERVERS =
            """
                server server1 127.0.0.1:5001 weight 3 check
                server server2 127.0.0.1:5002 weight 1 id 7 check
                server server3 127.0.0.1:5003 weight 2 check
                server server4 127.0.0.1:5004 weight 5 check
            """;

    /** The rows of the table in the lesson: one per variant, in run order. */
    private static final List<String> TABLE = new ArrayList<>();

    /**
     * One way of hashing URIs.
     *
     * @param balance the {@code balance} line
     * @param hashType the {@code hash-type} line, or "" for none (map-based sdbm)
     * @param absolute null: origin-form targets; else the scheme and authority put in front of
     *     them, e.g. {@code http://127.0.0.1:8080} for {@code GET http://127.0.0.1:8080/a/b?x=1}
     *     (with that Host)
     * @param keepAlive true: all requests on one keep-alive connection, false: a new connection
     *     each
     */
    record Variant(
            String name,
            String balance,
            String hashType,
            boolean weighted,
            String absolute,
            boolean keepAlive) {
        @Override
        public String toString() {
            return name;
        }

        String config() {
            String base = Parity.episodeConfig();
            String backend = base.substring(base.indexOf("\nbackend servers"));
            String replaced =
                    "\nbackend servers\n    "
                            + balance
                            + "\n"
                            + (hashType.isEmpty() ? "" : "    " + hashType + "\n")
                            + (weighted ? WEIGHTED_SERVERS : ARTICLE_SERVERS);
            return base.replace(backend, replaced);
        }

        String describe() {
            return "`"
                    + balance
                    + "`"
                    + (hashType.isEmpty() ? "" : " + `" + hashType + "`")
                    + (weighted ? ", weights 3/1/2/5" : "")
                    + (absolute != null ? ", `GET " + absolute + "/...`" : "")
                    + (keepAlive ? ", keep-alive" : "");
        }
    }

    static Stream<Variant> variants() {
        return Stream.of(
                new Variant("map-based default", "balance uri", "", false, null, false),
                new Variant(
                        "consistent (article)",
                        "balance uri",
                        "hash-type consistent",
                        false,
                        null,
                        false),
                new Variant("whole", "balance uri whole", "", true, null, true),
                new Variant("len 12", "balance uri len 12", "", true, null, true),
                new Variant("depth 2", "balance uri depth 2", "", true, null, true),
                new Variant(
                        "whole + consistent",
                        "balance uri whole",
                        "hash-type consistent",
                        true,
                        null,
                        true),
                new Variant("djb2", "balance uri", "hash-type map-based djb2", true, null, true),
                new Variant("wt6", "balance uri", "hash-type map-based wt6", true, null, true),
                new Variant("crc32", "balance uri", "hash-type map-based crc32", true, null, true),
                new Variant(
                        "crc32 avalanche",
                        "balance uri",
                        "hash-type consistent crc32 avalanche",
                        true,
                        null,
                        true),
                new Variant(
                        "consistent sdbm (no avalanche)",
                        "balance uri",
                        "hash-type consistent sdbm",
                        true,
                        null,
                        true),
                new Variant(
                        "map-based sdbm avalanche",
                        "balance uri",
                        "hash-type map-based sdbm avalanche",
                        true,
                        null,
                        true),
                new Variant(
                        "depth 3 + consistent djb2",
                        "balance uri depth 3",
                        "hash-type consistent djb2",
                        true,
                        null,
                        true),
                new Variant(
                        "depth 1 len 20 whole",
                        "balance uri depth 1 len 20 whole",
                        "",
                        true,
                        null,
                        true),
                new Variant(
                        "path-only whole (origin-form)",
                        "balance uri path-only whole",
                        "hash-type consistent wt6 avalanche",
                        true,
                        null,
                        true),
                new Variant(
                        "absolute-form default", "balance uri", "", true, ARTICLE_FRONTEND, false),
                new Variant(
                        "absolute-form path-only",
                        "balance uri path-only",
                        "hash-type consistent",
                        true,
                        ARTICLE_FRONTEND,
                        true),
                new Variant(
                        "absolute-form depth 3",
                        "balance uri depth 3",
                        "hash-type consistent",
                        true,
                        ARTICLE_FRONTEND,
                        true),
                new Variant(
                        "absolute-form len 12",
                        "balance uri len 12",
                        "",
                        true,
                        ARTICLE_FRONTEND,
                        true),
                new Variant(
                        "absolute-form :80 (dropped)",
                        "balance uri whole",
                        "",
                        true,
                        "http://127.0.0.1:80",
                        true),
                new Variant(
                        "absolute-form :443 (dropped)",
                        "balance uri",
                        "hash-type consistent",
                        true,
                        "HTTPS://127.0.0.1:443",
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyUriGoesToTheSameServerAsOnHaproxy(Variant variant) throws Exception {
        String config = variant.config();
        String title = "uri " + variant.name();
        Comparison comparison;
        try (SideBySide sides =
                SideBySide.start(title, config, Parity.haproxy(), SideBySide.Options.exactRun())) {
            if (variant.absolute() != null) {
                comparison =
                        AbsoluteFormRequests.run(
                                sides,
                                title,
                                config,
                                UriCorpus.absoluteForm(ORIGIN_FORM, variant.absolute()),
                                variant.absolute().substring(variant.absolute().indexOf("://") + 3),
                                variant.keepAlive());
            } else {
                Traffic traffic =
                        Traffic.of(
                                URIS + " distinct URIs",
                                URIS,
                                i -> Traffic.Request.get(ORIGIN_FORM.get(i)));
                comparison =
                        sides.run(
                                title,
                                variant.keepAlive() ? traffic.keepAliveConnection() : traffic);
            }
        }
        Report.write(slug(title), comparison, List.of());
        System.out.println(
                "[lbkit] "
                        + comparison.summary()
                        + "  (HAProxy: "
                        + comparison.haproxy().side()
                        + ")");
        TABLE.add(
                String.format(
                        Locale.ROOT,
                        "| %s | %s | %d/%d | %s |",
                        variant.name(),
                        variant.describe(),
                        comparison.matching(),
                        comparison.total(),
                        spread(comparison.haproxy().distribution())));

        Parity.assertIdentical(comparison);
        assertThat(comparison.matching())
                .as(
                        "every URI was served by a server, the same on both sides (a status"
                                + " or an error on both sides is not counted)")
                .isEqualTo(URIS);
        assertThat(comparison.haproxy().answers())
                .as("every answer came from a server, not an error page")
                .allMatch(answer -> answer.startsWith("server"));
    }

    @Test
    void aServerDownUnderConsistentHashingMovesOnlyItsOwnUris() throws Exception {
        List<String> picks = downAndUp("consistent", "hash-type consistent");
        List<String> before = picks.subList(0, URIS);
        List<String> during = picks.subList(URIS, 2 * URIS);
        List<String> after = picks.subList(2 * URIS, 3 * URIS);
        long onServer2 = before.stream().filter("server2"::equals).count();
        long othersMoved =
                IntStream.range(0, URIS)
                        .filter(
                                i ->
                                        !before.get(i).equals("server2")
                                                && !before.get(i).equals(during.get(i)))
                        .count();
        System.out.printf(
                "[lbkit] consistent, server2 DOWN: %d of %d URIs were on server2 and moved;"
                        + " %d of the other %d moved%n",
                onServer2, URIS, othersMoved, URIS - onServer2);

        assertThat(onServer2)
                .as("server2 had a share of the URIs before going DOWN")
                .isGreaterThan(URIS / 10);
        assertThat(during).as("nothing goes to the DOWN server").doesNotContain("server2");
        assertThat(othersMoved).as("on the ring, only the DOWN server's URIs move").isZero();
        assertThat(after).as("coming back UP, every URI returns to where it was").isEqualTo(before);
    }

    @Test
    void aServerDownUnderMapBasedHashingMovesOtherUrisToo() throws Exception {
        List<String> picks = downAndUp("map-based", "");
        List<String> before = picks.subList(0, URIS);
        List<String> during = picks.subList(URIS, 2 * URIS);
        long onServer2 = before.stream().filter("server2"::equals).count();
        long othersMoved =
                IntStream.range(0, URIS)
                        .filter(
                                i ->
                                        !before.get(i).equals("server2")
                                                && !before.get(i).equals(during.get(i)))
                        .count();
        System.out.printf(
                "[lbkit] map-based, server2 DOWN: %d of %d URIs were on server2;"
                        + " %d of the other %d moved too%n",
                onServer2, URIS, othersMoved, URIS - onServer2);

        assertThat(othersMoved)
                .as("the map is rebuilt with fewer slots, so URIs of healthy servers move too")
                .isGreaterThan((URIS - onServer2) / 4);
        assertThat(picks.subList(2 * URIS, 3 * URIS))
                .as("the rebuilt map after UP is the original one")
                .isEqualTo(before);
    }

    /**
     * All URIs, then all again with server2 disabled, then all again with it enabled; HAProxy's
     * picks.
     */
    private static List<String> downAndUp(String name, String hashType) throws Exception {
        Variant variant =
                new Variant(name + " DOWN/UP", "balance uri", hashType, false, null, false);
        Traffic traffic =
                Traffic.of(
                                URIS + " URIs, again with server2 DOWN, again after UP",
                                3 * URIS,
                                i -> Traffic.Request.get(ORIGIN_FORM.get(i % URIS)))
                        .withEvent(URIS, "disable server servers/server2")
                        .withEvent(2 * URIS, "enable server servers/server2")
                        .keepAliveConnection();
        Comparison comparison =
                Parity.run(
                                "uri " + variant.name(),
                                variant.config(),
                                SideBySide.Options.exactRun(),
                                List.of(traffic))
                        .get(0);
        TABLE.add(
                String.format(
                        Locale.ROOT,
                        "| %s | %s, server2 disabled then enabled | %d/%d | %s |",
                        variant.name(),
                        variant.describe(),
                        comparison.matching(),
                        comparison.total(),
                        spread(comparison.haproxy().distribution())));
        Parity.assertIdentical(comparison);
        return comparison.haproxy().answers();
    }

    @AfterAll
    static void printTable() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("| variant | config | same server | HAProxy's spread |");
        lines.add("|---|---|---|---|");
        lines.addAll(TABLE);
        String table = String.join(System.lineSeparator(), lines);
        System.out.println(
                "[lbkit] uri-hash variants (seed " + SEED + "):" + System.lineSeparator() + table);
        Path dir = Path.of("target", "lbkit-reports");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("uri-hash-variants.md"), table + System.lineSeparator());
    }

    private static String spread(Map<String, Integer> distribution) {
        return distribution.entrySet().stream()
                .map(e -> e.getKey().replace("server", "s") + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String slug(String text) {
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
    }
}
