package dev.lbkit.balancer.config;

import dev.lbkit.balancer.algorithm.AlgorithmProvider;
import dev.lbkit.balancer.algorithm.Algorithms;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads the words after {@code balance}: the engine recognises the algorithm's name, and the
 * episode that provides the algorithm reads its arguments ({@link AlgorithmProvider#read}),
 * refusing what HAProxy refuses in HAProxy's words. A known algorithm whose module is not on the
 * classpath is refused with the module to add.
 */
public final class BalanceReader {

    private static final String SUPPORTED =
            "balance only supports 'roundrobin', 'static-rr', 'leastconn', "
                    + "'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.";

    /**
     * The same alert since 3.0, which lists more (random and first are accepted but never listed).
     */
    private static final String SUPPORTED_SINCE_3_0 =
            "balance only supports 'roundrobin', 'static-rr', 'leastconn', "
                    + "'source', 'uri', 'url_param', 'hash', 'hdr(name)', 'rdp-cookie(name)', 'log-hash' and 'sticky' options.";

    private BalanceReader() {}

    /** Returns the balance, or null after sending the reason to {@code alert}. */
    static Balance read(List<String> words, Where where, HaproxyLine line, Consumer<String> alert) {
        Algorithm algorithm = algorithmNamed(words.get(0));
        if (algorithm == null || !algorithm.knownIn(line)) {
            alert.accept(line.compareTo(HaproxyLine.V3_0) >= 0 ? SUPPORTED_SINCE_3_0 : SUPPORTED);
            return null;
        }
        if (algorithm == Algorithm.RDP_COOKIE) {
            // Read here whether episode 04 (which runs it) is on the classpath or not: its only
            // argument is the cookie's name, which an HTTP request never gets to use.
            return rdpCookie(words.get(0), where, alert);
        }
        Optional<AlgorithmProvider> provider = Algorithms.provider(algorithm);
        if (provider.isPresent()) {
            return provider.get().read(algorithm, words, where, alert);
        }
        return switch (algorithm) {
            // HAProxy accepts these and lbkit may have no module for them (hash: episode 04 not on
            // the classpath): read their arguments here, so `lbkit -c` agrees with `haproxy -c`;
            // running them is refused at startup.
            case HASH -> hash(words, where, alert);
            case STICKY -> Balance.of(Algorithm.STICKY, where);
            // Only usable in 'mode log' backends; the reading after the file warns and uses
            // roundrobin.
            case LOG_HASH -> Balance.of(Algorithm.LOG_HASH, where);
            default -> {
                alert.accept(
                        "balance '"
                                + algorithm.keyword()
                                + "' "
                                + Algorithms.whyMissing(algorithm));
                yield null;
            }
        };
    }

    /**
     * The algorithm a {@code balance} word names, or null. Most names must match whole; HAProxy
     * recognises {@code random}, {@code hdr(} and {@code rdp-cookie} by their prefix, and the
     * algorithm's reader then checks the rest.
     */
    static Algorithm algorithmNamed(String word) {
        for (Algorithm algorithm : Algorithm.values()) {
            if (algorithm != Algorithm.HDR && algorithm.keyword().equals(word)) {
                return algorithm;
            }
        }
        if (word.startsWith("random")) {
            return Algorithm.RANDOM;
        }
        if (word.startsWith("hdr(")) {
            return Algorithm.HDR;
        }
        if (word.startsWith("rdp-cookie")) {
            return Algorithm.RDP_COOKIE;
        }
        return null;
    }

    /**
     * {@code balance hash <expr>}: the expression is kept as written in {@link Balance#name()}; it
     * is read after the whole file ({@code AfterParsing}: an unknown fetch or converter gets
     * HAProxy's alert there) and where it is evaluated ({@link SampleExpression#of}).
     */
    public static Balance hash(List<String> words, Where where, Consumer<String> alert) {
        String expression = words.size() > 1 ? words.get(1) : "";
        if (expression.isEmpty()) {
            alert.accept("balance hash requires a sample expression.");
            return null;
        }
        if (words.size() > 2) {
            alert.accept("balance hash takes no other argument (got '" + words.get(2) + "').");
            return null;
        }
        return new Balance(Algorithm.HASH, false, 0, 0, false, 2, expression, false, false, where);
    }

    private static Balance rdpCookie(String name, Where where, Consumer<String> alert) {
        String cookie;
        if (name.equals("rdp-cookie")) {
            cookie = "mstshash";
        } else {
            int close = name.indexOf(')');
            if (name.charAt(10) != '(' || close <= 11) {
                alert.accept("balance rdp-cookie : missing cookie name.");
                return null;
            }
            cookie = name.substring(11, close);
        }
        return new Balance(
                Algorithm.RDP_COOKIE, false, 0, 0, false, 2, cookie, false, false, where);
    }
}
