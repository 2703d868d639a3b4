package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code balance rdp-cookie} in an HTTP backend side by side: HAProxy never finds the Remote
 * Desktop cookie in an HTTP request, not even in a {@code Cookie: mstshash=...} header, so every
 * request takes the hash algorithms' round-robin walk (the map's, or the ring's with {@code
 * hash-type consistent}), which with unequal weights is not {@code roundrobin}'s order.
 */
class RdpCookieParityTest {
    private static final int REQUESTS = 300;
    private static final long SEED = Long.getLong("lbkit.seed", 20261130L);

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "balance rdp-cookie",
                "balance rdp-cookie(user)\n    hash-type consistent",
                "balance rdp-cookie(mstshash)\n    hash-type map-based sdbm avalanche"
            })
    void everyRequestGoesToTheSameServerAsOnHaproxy(String balance) throws Exception {
        Comparison c = run(balance, UnaryOperator.identity());
        Parity.assertIdentical(c);
        assertThat(c.matching()).as("every request was served by a server").isEqualTo(REQUESTS);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsRoundRobin() throws Exception {
        Comparison c =
                run(
                        "balance rdp-cookie",
                        NegativeControl.replace("balance rdp-cookie", "balance roundrobin"));
        NegativeControl.record(
                "episode-04-rdp-cookie-as-roundrobin",
                "exact per-request comparison of balance rdp-cookie in mode http (episode 04)",
                "balance roundrobin where HAProxy has rdp-cookie",
                c.verdict());
        assertThat(c.identical())
                .as("the comparison rejects roundrobin:%n%s", c.explainDifference())
                .isFalse();
    }

    private static Comparison run(String balance, UnaryOperator<String> lbkitMistake)
            throws Exception {
        String config =
                "global\n    nbthread 1\n\n"
                        + SingleBackendConfig.of(balance, List.of(3, 1, 2, 5)).text();
        Traffic traffic =
                traffic()
                        .withEvent(120, "disable server be/s2")
                        .withEvent(200, "enable server be/s2");
        String title = balance.replace("\n    ", ", ");
        return Parity.runExact(title, config, Parity.haproxy(), lbkitMistake, traffic);
    }

    /**
     * Seeded GETs, half of them carrying the cookie by its default name or by {@code user} (in a
     * {@code Cookie} header, alone or among others), so that a balancer hashing it would be seen.
     */
    static Traffic traffic() {
        Random random = new Random(SEED);
        return Traffic.of(
                REQUESTS + " requests, half with Cookie: mstshash/user; s2 DOWN for #120-#199",
                REQUESTS,
                i -> {
                    String user = "u" + random.nextInt(25);
                    List<String> headers =
                            switch (random.nextInt(4)) {
                                case 0 -> List.of("Cookie: mstshash=" + user);
                                case 1 -> List.of("Cookie: a=1; user=" + user);
                                case 2 -> List.of("Cookie: mstshash=" + user, "X-N: " + i);
                                default -> List.of();
                            };
                    return new Traffic.Request("/rdp/" + i, null, headers);
                });
    }
}
