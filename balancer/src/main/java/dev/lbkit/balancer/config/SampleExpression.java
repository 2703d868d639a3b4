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
        String text, Fetch fetch, String argument, List<Converter> converters, String unmodelled) {

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

    /**
     * A converter lbkit applies: {@code lower} and {@code upper} (ASCII letters only, as
     * HAProxy's), {@code field(index,delimiters)} and {@code word(index,delimiters)}.
     *
     * @param kind which converter
     * @param index for field and word: 1 is the first, -1 the last
     * @param delimiters for field and word: each byte is a delimiter
     */
    public record Converter(Kind kind, int index, String delimiters) {
        /** The converters lbkit applies. */
        public enum Kind {
            LOWER,
            UPPER,
            FIELD,
            WORD
        }

        public static final Converter LOWER = new Converter(Kind.LOWER, 0, null);
        public static final Converter UPPER = new Converter(Kind.UPPER, 0, null);
    }

    /** What lbkit evaluates, said in the alerts that refuse the rest. */
    public static final String EVALUATED =
            "path, pathq, url, base, query, req.hdr(name), req.fhdr(name), req.cook(name),"
                    + " url_param(name), src and method, with the converters lower, upper,"
                    + " field(index,delimiters) and word(index,delimiters)";

    /**
     * Converters HAProxy has that lbkit does not apply: an expression using one is read and refused
     * to run; a name outside this list and lbkit's own gets HAProxy's "unknown converter" alert.
     */
    private static final Set<String> KNOWN_CONVERTERS =
            Set.of(
                    "add",
                    "and",
                    "base2",
                    "base64",
                    "be2dec",
                    "be2hex",
                    "bool",
                    "bytes",
                    "concat",
                    "cpl",
                    "crc32",
                    "crc32c",
                    "cut_crlf",
                    "debug",
                    "digest",
                    "div",
                    "djb2",
                    "even",
                    "field",
                    "fix_is_valid",
                    "fix_tag_value",
                    "hex",
                    "hex2i",
                    "hmac",
                    "htonl",
                    "http_date",
                    "in_table",
                    "ipmask",
                    "json",
                    "json_query",
                    "language",
                    "length",
                    "lower",
                    "ltime",
                    "ltrim",
                    "map",
                    "map_beg",
                    "map_dir",
                    "map_dom",
                    "map_end",
                    "map_int",
                    "map_ip",
                    "map_reg",
                    "map_str",
                    "map_sub",
                    "mod",
                    "mqtt_field_value",
                    "mqtt_is_valid",
                    "mul",
                    "nbsrv",
                    "neg",
                    "not",
                    "odd",
                    "or",
                    "protobuf",
                    "regsub",
                    "rtrim",
                    "sdbm",
                    "secure_memcmp",
                    "set-var",
                    "sha1",
                    "sha2",
                    "strcmp",
                    "sub",
                    "table_gpc0",
                    "ub64dec",
                    "ub64enc",
                    "ungrpc",
                    "unset-var",
                    "upper",
                    "url_dec",
                    "utime",
                    "word",
                    "wt6",
                    "xor",
                    "xxh3",
                    "xxh32",
                    "xxh64",
                    "b64dec",
                    "host_only",
                    "port_only",
                    "jwt_header_query",
                    "jwt_payload_query",
                    "jwt_verify",
                    "aes_gcm_dec",
                    "aes_gcm_enc",
                    "capture-req",
                    "capture-res",
                    "param",
                    "iif",
                    "when",
                    "add_item",
                    "table_http_req_rate",
                    "table_conn_cur",
                    "table_trackers",
                    "srv_queue",
                    "url_enc",
                    "x509_v_err_str");

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
            Converter converter;
            switch (name) {
                case "lower", "upper" -> {
                    if (open >= 0) {
                        alert.accept(
                                failed
                                        + "invalid arg 1 in converter '"
                                        + name
                                        + "' : expected ')' before '"
                                        + part.substring(open + 1)
                                        + "'.");
                        return null;
                    }
                    converter = name.equals("lower") ? Converter.LOWER : Converter.UPPER;
                }
                case "field", "word" -> {
                    String[] why = new String[1];
                    converter = fieldOrWord(name, part, open, failed, alert, why);
                    if (converter == null && why[0] == null) {
                        return null;
                    }
                    if (converter == null && unmodelled == null) {
                        unmodelled = why[0];
                    }
                }
                default -> {
                    if (!KNOWN_CONVERTERS.contains(name)) {
                        alert.accept(failed + "unknown converter '" + name + "'.");
                        return null;
                    }
                    converter = null;
                    if (unmodelled == null) {
                        unmodelled = "the converter '" + name + "'";
                    }
                }
            }
            if (fetch == Fetch.SRC && unmodelled == null) {
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

    /**
     * {@code field(index,delimiters)} or {@code word(index,delimiters)}; null after an alert
     * (HAProxy refuses it), or with {@code why[0]} set when HAProxy accepts it and lbkit does not
     * apply it (a third argument, the count; quoted or escaped delimiters).
     */
    private static Converter fieldOrWord(
            String name,
            String part,
            int open,
            String failed,
            Consumer<String> alert,
            String[] why) {
        String prefix = failed + "invalid arg";
        if (open < 0) {
            alert.accept(
                    prefix
                            + " 1 in converter '"
                            + name
                            + "' : expected type 'integer' at position 1, but got nothing.");
            return null;
        }
        if (!part.endsWith(")")) {
            alert.accept(
                    failed + "missing closing ')' after arguments to converter '" + name + "'.");
            return null;
        }
        String[] args = part.substring(open + 1, part.length() - 1).split(",", -1);
        if (!args[0].matches("-?[0-9]+")) {
            alert.accept(
                    prefix
                            + " 1 in converter '"
                            + name
                            + "' : failed to parse '"
                            + args[0]
                            + "' as type 'integer' at position 1.");
            return null;
        }
        if (args.length < 2) {
            alert.accept(
                    prefix
                            + " 2 in converter '"
                            + name
                            + "' : missing arguments (got 1/2), type 'string' expected.");
            return null;
        }
        int index = Integer.parseInt(args[0]);
        if (index == 0) {
            alert.accept(prefix + "s in converter '" + name + "' : Unexpected value 0 for index.");
            return null;
        }
        if (args[1].isEmpty()) {
            alert.accept(prefix + "s in converter '" + name + "' : Empty separators list.");
            return null;
        }
        if (args.length > 2) {
            why[0] =
                    "'" + part + "' (lbkit applies " + name + " with an index and delimiters only)";
            return null;
        }
        if (args[1].contains("\\") || args[1].contains("'") || args[1].contains("\"")) {
            why[0] =
                    "'"
                            + part
                            + "' (lbkit reads plain delimiters only, not quoted or escaped ones)";
            return null;
        }
        return new Converter(
                name.equals("field") ? Converter.Kind.FIELD : Converter.Kind.WORD, index, args[1]);
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
