package dev.lbkit.balancer.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One ACL test: a fetch (what to read from the request: its path, a header, its method, the client
 * address...), a way of matching, and the patterns; it holds when any value fetched matches any
 * pattern. {@code acl is_api path_beg /api /v2} is one test; several {@code acl} lines of one name
 * are several tests, any of which makes the name true.
 *
 * @param fetch what is read from the request
 * @param header the header name, for the {@code hdr} family
 * @param match how a value is compared with the patterns
 * @param ignoreCase {@code -i}
 * @param patterns the patterns as written (strings, regular expressions or networks)
 * @param unmodelled why lbkit cannot evaluate this test (HAProxy accepts it), or null; lbkit then
 *     refuses to run a rule that uses it, and {@code -c} warns
 */
public record AclTest(
        Fetch fetch,
        String header,
        Match match,
        boolean ignoreCase,
        List<String> patterns,
        List<Pattern> regexes,
        List<ForwardFor.Network> networks,
        String unmodelled) {

    /** What a test reads from the request. */
    public enum Fetch {
        PATH,
        URL,
        HDR,
        METHOD,
        SRC,
        ALWAYS_TRUE,
        ALWAYS_FALSE,
        HTTP_VERSION,
        URL_ABSOLUTE,
        URL_SLASH,
        URL_STAR,
        HAS_CONTENT,
        UNMODELLED
    }

    /** A test lbkit cannot evaluate, with the reason. */
    static AclTest unmodelled(String why) {
        return new AclTest(Fetch.UNMODELLED, null, Match.BOOL, false, List.of(), null, null, why);
    }

    /** A test with no patterns to read: always true, always false, a version... */
    static AclTest of(Fetch fetch, String... patterns) {
        return new AclTest(fetch, null, Match.BOOL, false, List.of(patterns), null, null, null);
    }

    /** How values are matched against the patterns ({@code -m}). */
    public enum Match {
        STR,
        BEG,
        END,
        SUB,
        REG,
        DOM,
        FOUND,
        IP,
        BOOL
    }

    /** What a test can read from one request; the proxy gives one per request. */
    public interface Facts {
        String method();

        /** The request-target as received. */
        String target();

        /**
         * The path of the target, without the query string; the path part of an absolute-form
         * target.
         */
        String path();

        /** Every value of the header, comma-separated values apart, in order; empty when absent. */
        List<String> headerValues(String name);

        InetAddress client();

        /** "1.0" or "1.1". */
        String version();

        /** Whether the request carries a body (a Content-Length above 0 or chunked). */
        boolean hasBody();
    }

    public AclTest {
        patterns = List.copyOf(patterns);
        regexes = regexes == null ? List.of() : List.copyOf(regexes);
        networks = networks == null ? List.of() : List.copyOf(networks);
    }

    public boolean test(Facts facts) {
        return switch (fetch) {
            case ALWAYS_TRUE -> true;
            case ALWAYS_FALSE -> false;
            case HTTP_VERSION -> patterns.contains(facts.version());
            case URL_ABSOLUTE -> facts.target().contains("://");
            case URL_SLASH -> facts.target().startsWith("/");
            case URL_STAR -> facts.target().equals("*");
            case HAS_CONTENT -> facts.hasBody();
            case PATH -> matchesAny(List.of(facts.path()));
            case URL -> matchesAny(List.of(facts.target()));
            case METHOD -> matchesAny(List.of(facts.method()));
            case HDR -> matchesAny(facts.headerValues(header));
            case SRC -> networks.stream().anyMatch(n -> inNetwork(n, facts.client()));
            case UNMODELLED ->
                    throw new IllegalStateException(
                            "lbkit cannot evaluate this ACL: " + unmodelled);
        };
    }

    private boolean matchesAny(List<String> values) {
        if (match == Match.FOUND) {
            return !values.isEmpty();
        }
        for (String value : values) {
            if (match == Match.REG) {
                for (Pattern regex : regexes) {
                    if (regex.matcher(value).find()) {
                        return true;
                    }
                }
                continue;
            }
            String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
            for (String pattern : patterns) {
                String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
                boolean hit =
                        switch (match) {
                            case STR -> v.equals(p);
                            case BEG -> v.startsWith(p);
                            case END -> v.endsWith(p);
                            case SUB -> v.contains(p);
                            case DOM -> domainMatch(v, p);
                            default -> false;
                        };
                if (hit) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code -m dom}: the pattern appears in the value as whole components, bounded on each side by
     * the value's start or end or by one of {@code / ? . :}.
     */
    static boolean domainMatch(String value, String pattern) {
        if (pattern.isEmpty()) {
            return false;
        }
        for (int from = value.indexOf(pattern);
                from >= 0;
                from = value.indexOf(pattern, from + 1)) {
            int end = from + pattern.length();
            boolean startOk = from == 0 || isDelimiter(value.charAt(from - 1));
            boolean endOk = end == value.length() || isDelimiter(value.charAt(end));
            if (startOk && endOk) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDelimiter(char c) {
        return c == '/' || c == '?' || c == '.' || c == ':';
    }

    /**
     * An IPv4 client against an IPv6 network is compared as ::ffff:a.b.c.d, and the other way
     * round.
     */
    private static boolean inNetwork(ForwardFor.Network network, InetAddress client) {
        if (network.contains(client)) {
            return true;
        }
        byte[] bytes = client.getAddress();
        try {
            if (client instanceof Inet4Address) {
                return network.contains(Address.v4Mapped(client));
            }
            boolean v4Mapped =
                    bytes.length == 16 && bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
            for (int i = 0; i < 10 && v4Mapped; i++) {
                v4Mapped = bytes[i] == 0;
            }
            if (v4Mapped) {
                byte[] v4 = new byte[4];
                System.arraycopy(bytes, 12, v4, 0, 4);
                return network.contains(InetAddress.getByAddress(v4));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
        return false;
    }
}
