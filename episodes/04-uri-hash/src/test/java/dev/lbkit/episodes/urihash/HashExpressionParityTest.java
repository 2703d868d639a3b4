package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.episodes.sourcehash.Clients;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code balance hash <expr>} side by side, request by request: each fetch lbkit evaluates and the
 * converters lower, upper, field and word, under map-based and consistent hashing with several hash
 * functions. The traffic carries each sample in its awkward forms: missing (round robin), present
 * but empty (hashed as ""), a header twice or with commas, a cookie twice or in two lines, mixed
 * case for {@code lower}; a server goes DOWN and comes back in the middle. {@code -Dlbkit.seed}
 * plays other traffic.
 */
class HashExpressionParityTest {
    private static final int REQUESTS = 300;
    private static final long SEED = Long.getLong("lbkit.seed", 20261130L);
    private static final List<InetAddress> CLIENTS = Clients.addresses(200);

    record Variant(String expression, String hashType) {
        String balanceLines() {
            return "balance hash " + expression + "\n    hash-type " + hashType;
        }

        @Override
        public String toString() {
            return "hash " + expression + " / " + hashType;
        }
    }

    static Stream<Variant> variants() {
        return Stream.of(
                new Variant("req.hdr(x-user),lower", "map-based"),
                new Variant("req.hdr(x-user),lower", "consistent"),
                new Variant("hdr(x-user)", "consistent djb2 avalanche"),
                new Variant("req.fhdr(x-user),upper", "map-based wt6"),
                new Variant("req.cook(sid)", "map-based djb2"),
                new Variant("cook(sid)", "consistent wt6"),
                new Variant("url_param(uid)", "consistent crc32"),
                new Variant("urlp(uid)", "map-based sdbm avalanche"),
                new Variant("path", "map-based djb2 avalanche"),
                new Variant("pathq", "consistent"),
                new Variant("url", "map-based crc32"),
                new Variant("base", "consistent sdbm avalanche"),
                new Variant("query", "map-based"),
                new Variant("method", "consistent djb2"),
                new Variant("src", "map-based"),
                new Variant("src", "consistent wt6 avalanche"),
                new Variant("path,field(3,/)", "map-based djb2"),
                new Variant("path,word(2,/),upper", "consistent"),
                new Variant("req.hdr(x-user),field(-1,-),lower", "consistent crc32 avalanche"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyRequestGoesToTheSameServerAsOnHaproxy(Variant variant) throws Exception {
        Comparison c = run(variant.toString(), variant.balanceLines(), s -> s);
        Parity.assertIdentical(c);
        assertThat(c.matching()).as("every request was served by a server").isEqualTo(REQUESTS);
        assertThat(c.haproxy().distribution())
                .as("three servers or more took requests: the samples spread (method has 7 values)")
                .hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsHashingAnotherExpression() throws Exception {
        Comparison c =
                run(
                        "NEGATIVE CONTROL hash, lbkit hashes the header without lower",
                        new Variant("req.hdr(x-user),lower", "map-based").balanceLines(),
                        NegativeControl.replace("req\\.hdr\\(x-user\\),lower", "req.hdr(x-user)"));
        NegativeControl.record(
                "episode-04-hash-expression-other-expression",
                "exact per-request comparison of balance hash <expr> (episode 04)",
                "balance hash req.hdr(x-user) where HAProxy hashes req.hdr(x-user),lower",
                c.verdict());
        assertThat(c.identical())
                .as("the comparison rejects the wrong expression:%n%s", c.explainDifference())
                .isFalse();
        assertThat(c.total() - c.matching())
                .as("many requests land elsewhere")
                .isGreaterThan(REQUESTS / 10);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsTheWrongHashType() throws Exception {
        Comparison c =
                run(
                        "NEGATIVE CONTROL hash, lbkit uses map-based where HAProxy is consistent",
                        new Variant("req.cook(sid)", "consistent").balanceLines(),
                        NegativeControl.replace("hash-type consistent", "hash-type map-based"));
        NegativeControl.record(
                "episode-04-hash-expression-wrong-hash-type",
                "exact per-request comparison of balance hash <expr> (episode 04)",
                "hash-type map-based where HAProxy has consistent",
                c.verdict());
        assertThat(c.identical())
                .as("the comparison rejects the wrong hash-type:%n%s", c.explainDifference())
                .isFalse();
        assertThat(c.total() - c.matching())
                .as("many requests land elsewhere")
                .isGreaterThan(REQUESTS / 5);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsTheOtherLinesWordRule() throws Exception {
        SideBySide.HaproxyStarter haproxy = Parity.haproxy();
        // 2.6.12 hashes an empty sample for a word past the end, 3.0 and later go round robin;
        // 3.2 stands for "later" here because 3.0's ring points differ too
        HaproxyLine wrong =
                haproxy.line().compareTo(HaproxyLine.V3_0) < 0
                        ? HaproxyLine.V3_2
                        : HaproxyLine.V2_6;
        Comparison c =
                run(
                        "NEGATIVE CONTROL hash, lbkit balances word as " + wrong.text(),
                        new Variant("path,word(2,/),upper", "map-based").balanceLines(),
                        s -> s,
                        haproxy.withLbkitAs(wrong));
        NegativeControl.record(
                "episode-04-hash-expression-word-other-line",
                "exact per-request comparison of balance hash <expr> (episode 04)",
                "the word rule of HAProxy " + wrong.text() + " against " + haproxy.describe(),
                c.verdict());
        assertThat(c.identical())
                .as("the comparison rejects the other line's word rule:%n%s", c.explainDifference())
                .isFalse();
    }

    private static Comparison run(
            String title, String balanceLines, UnaryOperator<String> lbkitMistake)
            throws Exception {
        return run(title, balanceLines, lbkitMistake, Parity.haproxy());
    }

    private static Comparison run(
            String title,
            String balanceLines,
            UnaryOperator<String> lbkitMistake,
            SideBySide.HaproxyStarter haproxy)
            throws Exception {
        String config =
                "global\n    nbthread 1\n\n"
                        + SingleBackendConfig.of(balanceLines, List.of(3, 1, 2, 5)).text();
        Traffic traffic =
                traffic()
                        .withEvent(150, "disable server be/s4")
                        .withEvent(230, "enable server be/s4");
        return Parity.runExact(title, config, haproxy, lbkitMistake, traffic);
    }

    /**
     * {@link #REQUESTS} seeded requests from 200 client addresses, each with every sample some
     * expression reads, each sample drawn on its own: missing about one time in six, empty now and
     * then, else from a small pool (so values repeat) in mixed case.
     */
    static Traffic traffic() {
        Random random = new Random(SEED);
        String[] users = {"ann", "Ann", "BOB", "bob", "carol", "Dave", "eve", "Frank", "g", "H-1"};
        String[] methods = {"GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
        String[] hosts = {"shop.example", "api.example:8443", "EXAMPLE.org", "localhost"};
        return Traffic.of(
                REQUESTS
                        + " requests, samples missing, empty, repeated or split; s4 DOWN for"
                        + " #150-#229",
                REQUESTS,
                i -> {
                    List<String> headers = new ArrayList<>();
                    // Always a Host: without one, each side would get its own address and port
                    headers.add("Host: " + hosts[random.nextInt(hosts.length)]);
                    String user = users[random.nextInt(users.length)];
                    switch (random.nextInt(12)) {
                        case 0, 1 -> {} // no X-User: round robin
                        case 2 -> headers.add("X-User:");
                        case 3 -> headers.add("X-User: " + user + ", " + users[i % users.length]);
                        case 4 -> {
                            headers.add("X-User: " + users[i % users.length]);
                            headers.add("X-User: " + user);
                        }
                        case 5 -> headers.add("X-User: " + user + ",");
                        default -> headers.add("X-User: " + user);
                    }
                    String sid = "s" + random.nextInt(30);
                    switch (random.nextInt(12)) {
                        case 0, 1 -> {} // no cookie: round robin
                        case 2 -> headers.add("Cookie: sid=");
                        case 3 -> headers.add("Cookie: theme=dark; sid=");
                        case 4 -> headers.add("Cookie: sid=" + sid + "; sid=s" + (i % 7));
                        case 5 -> {
                            headers.add("Cookie: sid=" + sid);
                            headers.add("Cookie: lang=en; sid=s" + (i % 5));
                        }
                        case 6 -> headers.add("Cookie: lang=fr; SID=x; sid=" + sid);
                        default -> headers.add("Cookie: sid=" + sid + "; theme=dark");
                    }
                    String dir = users[random.nextInt(users.length)];
                    // field(3,/) and word(2,/) run past the end of "/" and "/dir"
                    String path =
                            switch (random.nextInt(8)) {
                                case 0 -> "/";
                                case 1 -> "/" + dir;
                                case 2 -> "/" + dir + "//item" + i % 17;
                                case 3 -> "/" + dir + "/item" + i % 17 + "/x" + i % 3;
                                default -> "/" + dir + "/item" + i % 17;
                            };
                    String uid = "u" + random.nextInt(40);
                    String query =
                            switch (random.nextInt(10)) {
                                case 0, 1 -> ""; // no query: no url_param, no query
                                case 2 -> "?";
                                case 3 -> "?uid=";
                                case 4 -> "?uidx=1&other=" + i;
                                case 5 -> "?a=1;uid=" + uid;
                                case 6 -> "?uid=" + uid + "&uid=u0";
                                default -> "?a=" + i % 3 + "&uid=" + uid;
                            };
                    String method = methods[random.nextInt(methods.length)];
                    InetAddress client = CLIENTS.get(random.nextInt(CLIENTS.size()));
                    return new Traffic.Request(path + query, client, headers, null, method);
                });
    }
}
