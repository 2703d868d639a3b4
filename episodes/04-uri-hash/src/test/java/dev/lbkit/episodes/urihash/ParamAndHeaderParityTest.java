package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code balance url_param} and {@code balance hdr(name)} side by side: the key is a query
 * parameter or a header, and a request without one (about one in five here) falls back to a
 * round-robin walk, so the exact sequence also checks where that walk stands after keyed requests,
 * and after a server goes DOWN and comes back.
 */
class ParamAndHeaderParityTest {
    private static final int REQUESTS = 500;
    private static final long SEED = Long.getLong("lbkit.seed", 20261130L);

    record Variant(String name, String balanceLines, boolean byHeader) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Variant> variants() {
        return Stream.of(
                new Variant("url_param map-based", "balance url_param uid", false),
                new Variant(
                        "url_param consistent",
                        "balance url_param uid\n    hash-type consistent",
                        false),
                new Variant(
                        "url_param check_post (GETs)", "balance url_param uid check_post", false),
                new Variant(
                        "url_param djb2 avalanche",
                        "balance url_param uid\n    hash-type map-based djb2 avalanche",
                        false),
                new Variant("hdr map-based", "balance hdr(X-Key)", true),
                new Variant("hdr consistent", "balance hdr(X-Key)\n    hash-type consistent", true),
                new Variant("hdr use_domain_only", "balance hdr(X-Key) use_domain_only", true),
                new Variant(
                        "hdr use_domain_only consistent wt6",
                        "balance hdr(X-Key) use_domain_only\n" + "    hash-type consistent wt6",
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyRequestGoesToTheSameServerAsOnHaproxy(Variant variant) throws Exception {
        Comparison c = run(variant, s -> s);
        Parity.assertIdentical(c);
        assertThat(c.matching()).as("every request was served by a server").isEqualTo(REQUESTS);
        assertThat(c.haproxy().distribution())
                .as("all four servers took requests: the keys spread")
                .hasSize(4);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsHashingAnotherHeader() throws Exception {
        Variant variant =
                new Variant(
                        "NEGATIVE CONTROL hdr, lbkit hashes another header",
                        "balance hdr(X-Key)",
                        true);
        Comparison c = run(variant, NegativeControl.replace("hdr\\(X-Key\\)", "hdr(X-Other)"));
        NegativeControl.record(
                "episode-04-hdr-other-header",
                "exact per-request comparison of balance hdr (episode 04)",
                "balance hdr(X-Other) where HAProxy hashes X-Key",
                c.verdict());
        assertThat(c.identical())
                .as("the comparison rejects the wrong key:%n%s", c.explainDifference())
                .isFalse();
        assertThat(c.total() - c.matching())
                .as("many requests land elsewhere")
                .isGreaterThan(REQUESTS / 5);
    }

    private static Comparison run(
            Variant variant, java.util.function.UnaryOperator<String> lbkitMistake)
            throws Exception {
        String config =
                "global\n    nbthread 1\n\n"
                        + SingleBackendConfig.of(variant.balanceLines(), List.of(3, 1, 2, 5))
                                .text();
        Traffic traffic =
                traffic(variant.byHeader())
                        .withEvent(200, "disable server be/s4")
                        .withEvent(350, "enable server be/s4");
        Comparison c;
        try (SideBySide sides =
                SideBySide.startNegativeControl(
                        variant.name(),
                        config,
                        Parity.haproxy(),
                        SideBySide.Options.exactRun(),
                        lbkitMistake)) {
            c = sides.run(variant.name() + " — " + traffic.name(), traffic);
        }
        Report.write(Parity.slugOf(c.title()), c, List.of());
        System.out.println("[lbkit] " + c.summary() + "  (HAProxy: " + c.haproxy().side() + ")");
        return c;
    }

    /**
     * {@link #REQUESTS} requests, seeded: keys from a small pool (so keys repeat) or fresh; about
     * one in five without a key, a few with an empty one; domain-like values with ports and dots
     * for {@code use_domain_only}; other parameters before and after {@code uid}.
     */
    static Traffic traffic(boolean byHeader) {
        Random random = new Random(SEED);
        String[] domains = {
            "www.example.com",
            "api.example.com:8443",
            "example.org",
            "a.b.c.example.net",
            "localhost",
            "shop.example.co.uk",
            "EXAMPLE.com",
            "www.example.com."
        };
        return Traffic.of(
                REQUESTS + " requests, a fifth without a key; s4 DOWN for #200-#349",
                REQUESTS,
                i -> {
                    int kind = random.nextInt(20);
                    String key =
                            kind < 4
                                    ? null
                                    : kind == 4
                                            ? ""
                                            : kind < 10
                                                    ? domains[random.nextInt(domains.length)]
                                                    : kind < 15
                                                            ? "user" + random.nextInt(40)
                                                            : Long.toHexString(random.nextLong());
                    if (byHeader) {
                        return new Traffic.Request(
                                "/item/" + i,
                                null,
                                key == null
                                        ? List.of("X-Other: o" + i)
                                        : List.of("X-Other: o" + i, "X-Key: " + key));
                    }
                    String target =
                            key == null
                                    ? "/item/" + i + "?other=" + i
                                    : random.nextBoolean()
                                            ? "/item?uid=" + key.replace(":", "%3A") + "&x=" + i
                                            : "/item?a=1&uid=" + key.replace(":", "%3A");
                    return Traffic.Request.get(target);
                });
    }
}
