package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A sample expression as {@code balance hash <expr>} takes it: one fetch, then converters after
 * commas, e.g. {@code req.hdr(x-user),lower}. lbkit evaluates the fetches people hash by ({@link
 * Fetch}) and the converters {@code lower} and {@code upper}; an expression HAProxy accepts with
 * anything else is read, marked {@link #unmodelled()}, and refused when lbkit runs the file ({@code
 * -c} warns). A fetch or converter HAProxy does not know gets HAProxy's alert.
 *
 * @param text the expression as written
 * @param fetch what is read from the request, or null when unmodelled
 * @param argument the fetch's argument (a header, cookie or parameter name), or null
 * @param converters the converters, in order
 * @param unmodelled why lbkit cannot evaluate the expression, or null
 */
public record SampleExpression(
        String text,
        Fetch fetch,
        String argument,
        List<Converter> converters,
        String unmodelled) {

    /** The fetches lbkit evaluates, with the names HAProxy gives them. */
    public enum Fetch {
        /** The path: from the first '/' of the target up to '?'. */
        PATH(false, "path"),
        /** The path and the query: from the first '/' of the target to its end. */
        PATHQ(false, "pathq"),
        /** The target as stored (absolute-form included). */
        URL(false, "url"),
        /** The first Host header's value followed by the path; the path alone without a Host. */
        BASE(false, "base"),
        /** What follows the first '?'; missing without one. */
        QUERY(false, "query"),
        /** The last comma-separated element of the header's last occurrence. */
        HDR(true, "req.hdr", "hdr"),
        /** The header's last occurrence, whole. */
        FHDR(true, "req.fhdr"),
        /** The cookie's last value over every Cookie line. */
        COOK(true, "req.cook", "cook"),
        /** The first value of the query parameter. */
        URL_PARAM(true, "url_param", "urlp"),
        /** The client address as binary: 4 bytes for IPv4, 16 for IPv6. */
        SRC(false, "src"),
        /** The method as received. */
        METHOD(false, "method");

        private final boolean takesName;
        private final List<String> names;

        Fetch(boolean takesName, String... names) {
            this.takesName = takesName;
            this.names = List.of(names);
        }

        static Fetch named(String name) {
            for (Fetch fetch : values()) {
                if (fetch.names.contains(name)) {
                    return fetch;
                }
            }
            return null;
        }
    }

    /** The converters lbkit applies (ASCII letters only, as HAProxy's). */
    public enum Converter {
        LOWER,
        UPPER
    }

    /** What lbkit evaluates, said in the alerts that refuse the rest. */
    public static final String EVALUATED =
            "path, pathq, url, base, query, req.hdr(name), req.fhdr(name), req.cook(name),"
                    + " url_param(name), src and method, with the converters lower and upper";

    /**
     * Converters HAProxy has that lbkit does not apply: an expression using one is read and refused
     * to run; a name outside this list and lbkit's own gets HAProxy's "unknown converter" alert.
     */
    private static final Set<String> KNOWN_CONVERTERS =
            Set.of(
                    "add", "and", "base2", "base64", "be2dec", "be2hex", "bool", "bytes",
                    "concat", "cpl", "crc32", "crc32c", "cut_crlf", "debug", "digest", "div",
                    "djb2", "even", "field", "fix_is_valid", "fix_tag_value", "hex", "hex2i",
                    "hmac", "htonl", "http_date", "in_table", "ipmask", "json", "json_query",
                    "language", "length", "lower", "ltime", "ltrim", "map", "map_beg",
                    "map_dir", "map_dom", "map_end", "map_int", "map_ip", "map_reg", "map_str",
                    "map_sub", "mod", "mqtt_field_value", "mqtt_is_valid", "mul", "nbsrv",
                    "neg", "not", "odd", "or", "protobuf", "regsub", "rtrim", "sdbm", "secure_memcmp",
                    "set-var", "sha1", "sha2", "strcmp", "sub", "table_gpc0", "ub64dec",
                    "ub64enc", "ungrpc", "unset-var", "upper", "url_dec", "utime", "word",
                    "wt6", "xor", "xxh3", "xxh32", "xxh64", "b64dec", "host_only", "port_only",
                    "jwt_header_query", "jwt_payload_query", "jwt_verify", "aes_gcm_dec",
                    "aes_gcm_enc", "capture-req", "capture-res", "param", "iif", "when", "add_item",
                    "table_http_req_rate", "table_conn_cur", "table_trackers", "srv_queue",
                    "url_enc", "x509_v_err_str");

    public SampleExpression {
        converters = List.copyOf(converters);
    }

    /** Whether lbkit can evaluate this expression. */
    public boolean modelled() {
        return unmodelled == null;
    }

    /**
     * Reads {@code text}; null after sending HAProxy's reason to {@code alert} (an unknown fetch or
     * converter, a missing ')', arguments where none are taken).
     */
    public static SampleExpression read(String text, Consumer<String> alert) {
        String failed = "failed to parse 'balance hash' expression '" + text + "' in : ";
        List<String> parts = splitAtTopLevelCommas(text);
        String first = parts.get(0);
        int paren = first.indexOf('(');
        String fetchName = paren < 0 ? first : first.substring(0, paren);
        String argument = null;
        if (paren >= 0) {
            if (!first.endsWith(")")) {
                alert.accept(failed + "fetch method '" + fetchName + "' : expected ')'.");
                return null;
            }
            argument = first.substring(paren + 1, first.length() - 1);
        }
        Fetch fetch = Fetch.named(fetchName);
        if (fetch == null && !AclReader.knownFetch(fetchName)) {
            alert.accept(failed + "unknown fetch method '" + fetchName + "'.");
            return null;
        }
        if (fetch != null && !fetch.takesName && argument != null) {
            alert.accept(
                    failed
                            + "fetch method '"
                            + fetchName
                            + "' : expected ')' before '"
                            + argument
                            + ")'.");
            return null;
        }
        List<Converter> converters = new ArrayList<>();
        String unmodelled = null;
        if (fetch == null) {
            unmodelled = "the fetch '" + fetchName + "'";
        } else if (fetch.takesName
                && (argument == null || argument.isEmpty() || argument.contains(","))) {
            unmodelled = "'" + first + "' (lbkit reads " + fetchName + " with one name only)";
        }
        for (String part : parts.subList(1, parts.size())) {
            int open = part.indexOf('(');
            String name = open < 0 ? part : part.substring(0, open);
            Converter converter =
                    switch (name) {
                        case "lower" -> Converter.LOWER;
                        case "upper" -> Converter.UPPER;
                        default -> null;
                    };
            if (converter == null && !KNOWN_CONVERTERS.contains(name)) {
                alert.accept(failed + "unknown converter '" + name + "'.");
                return null;
            }
            if (converter != null && open >= 0) {
                alert.accept(
                        failed
                                + "invalid arg 1 in converter '"
                                + name
                                + "' : expected ')' before '"
                                + part.substring(open + 1)
                                + "'.");
                return null;
            }
            if (converter == null && unmodelled == null) {
                unmodelled = "the converter '" + name + "'";
            } else if (fetch == Fetch.SRC && unmodelled == null) {
                // src is an address, turned into text before a converter: lbkit hashes its bytes
                unmodelled = "a converter after src";
            }
            converters.add(converter);
        }
        if (unmodelled != null) {
            return new SampleExpression(text, null, null, List.of(), unmodelled);
        }
        return new SampleExpression(text, fetch, argument, converters, null);
    }

    /** Reads an expression already accepted by {@link #read}, e.g. a {@link Balance}'s. */
    public static SampleExpression of(String text) {
        return read(
                text,
                why -> {
                    throw new IllegalArgumentException(why);
                });
    }

    /**
     * Why lbkit refuses to run {@code balance}, naming the file and line, the expression and what
     * to do; null when it can run it (or it is not a {@code balance hash}).
     */
    public static String refusal(Balance balance) {
        if (balance.algorithm() != Algorithm.HASH) {
            return null;
        }
        SampleExpression expression = of(balance.name());
        if (expression.modelled()) {
            return null;
        }
        return "parsing ["
                + balance.where()
                + "] : 'balance hash "
                + expression.text()
                + "' uses "
                + expression.unmodelled()
                + ", which lbkit cannot evaluate yet. Hash one of "
                + EVALUATED
                + ", or use balance uri, url_param or hdr(name).";
    }

    /** Splits at commas outside parentheses: {@code req.hdr(a,1),lower} has two parts. */
    private static List<String> splitAtTopLevelCommas(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }
}
