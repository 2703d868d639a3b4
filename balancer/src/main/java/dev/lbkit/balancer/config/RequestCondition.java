package dev.lbkit.balancer.config;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code if <cond>} or {@code unless <cond>} of a rule, in the few forms lbkit evaluates: the
 * predefined ACLs {@code TRUE}, {@code FALSE} and {@code LOCALHOST}, and an anonymous ACL on the
 * path, {@code { path /metrics }} or {@code { path_beg /metrics }}. Any other condition HAProxy
 * would accept is read (so {@code ./lbkit -c} agrees with {@code haproxy -c}) and kept as {@link
 * Kind#NOT_MODELLED}; lbkit refuses to run a rule that has one.
 *
 * @param kind what the condition tests
 * @param argument the path for {@link Kind#PATH} and {@link Kind#PATH_BEG}, else ""
 * @param negated true for {@code unless}
 * @param text the condition as written, for messages
 */
public record RequestCondition(Kind kind, String argument, boolean negated, String text) {

    public enum Kind {
        ALWAYS,
        NEVER,
        LOCALHOST,
        PATH,
        PATH_BEG,
        NOT_MODELLED
    }

    /** A rule without a condition applies to every request. */
    public static final RequestCondition NONE = new RequestCondition(Kind.ALWAYS, "", false, "");

    /** ACL names HAProxy 2.6 predefines (usable without an {@code acl} line). */
    private static final Set<String> PREDEFINED_ACLS =
            Set.of(
                    "TRUE",
                    "FALSE",
                    "LOCALHOST",
                    "HTTP",
                    "HTTP_1.0",
                    "HTTP_1.1",
                    "HTTP_2.0",
                    "HTTP_CONTENT",
                    "HTTP_URL_ABS",
                    "HTTP_URL_SLASH",
                    "HTTP_URL_STAR",
                    "METH_CONNECT",
                    "METH_DELETE",
                    "METH_GET",
                    "METH_HEAD",
                    "METH_OPTIONS",
                    "METH_POST",
                    "METH_PUT",
                    "METH_TRACE",
                    "RDP_COOKIE",
                    "REQ_CONTENT",
                    "WAIT_END");

    /**
     * Sample fetches and ACL keywords lbkit knows by name: an anonymous ACL on one of these is read
     * (and not modelled unless it is {@code path} or {@code path_beg}); any other name is refused,
     * as HAProxy refuses an unknown fetch method.
     */
    private static final Set<String> KNOWN_FETCHES =
            Set.of(
                    "path",
                    "path_beg",
                    "path_end",
                    "path_sub",
                    "path_reg",
                    "path_dir",
                    "path_dom",
                    "path_len",
                    "url",
                    "url_beg",
                    "url_end",
                    "url_sub",
                    "url_reg",
                    "url_dir",
                    "url_dom",
                    "url_len",
                    "url_param",
                    "urlp",
                    "base",
                    "base_beg",
                    "base_end",
                    "base_sub",
                    "base_reg",
                    "query",
                    "method",
                    "src",
                    "dst",
                    "src_port",
                    "dst_port",
                    "hdr",
                    "hdr_beg",
                    "hdr_end",
                    "hdr_sub",
                    "hdr_reg",
                    "hdr_dom",
                    "hdr_cnt",
                    "hdr_len",
                    "hdr_ip",
                    "hdr_val",
                    "req.hdr",
                    "req.fhdr",
                    "req.hdr_cnt",
                    "req.cook",
                    "cook",
                    "req.ver",
                    "req_ver",
                    "var",
                    "http_auth",
                    "nbsrv",
                    "always_true",
                    "always_false",
                    "ssl_fc",
                    "ssl_fc_sni",
                    "req.ssl_sni",
                    "fc_http_major",
                    "capture.req.uri",
                    "capture.req.method",
                    "req.body",
                    "req.len",
                    "req_len",
                    "status",
                    "int",
                    "str",
                    "env",
                    "be_id",
                    "fe_id",
                    "fe_name",
                    "be_name");

    /** Whether lbkit can evaluate this condition. */
    public boolean modelled() {
        return kind != Kind.NOT_MODELLED;
    }

    /**
     * Whether a request matches, from its path and whether its client is on this machine ({@code
     * LOCALHOST} is HAProxy's {@code src 127.0.0.1/8 ::1}).
     */
    public boolean matches(String path, boolean localClient) {
        boolean result =
                switch (kind) {
                    case ALWAYS -> true;
                    case NEVER, NOT_MODELLED -> false;
                    case LOCALHOST -> localClient;
                    case PATH -> path.equals(argument);
                    case PATH_BEG -> path.startsWith(argument);
                };
        return negated != result;
    }

    /** The condition as written, {@code if <cond>} or {@code unless <cond>}, or "" for none. */
    public String asWritten() {
        return text.isEmpty() ? "" : (negated ? "unless " : "if ") + text;
    }

    /**
     * Reads {@code words} (everything after {@code if} or {@code unless}). Calls {@code alert} with
     * HAProxy's reason (without the rule's name) and returns null when HAProxy would refuse the
     * condition.
     */
    static RequestCondition read(
            List<String> words, boolean negated, Set<String> declaredAcls, Consumer<String> alert) {
        String text = String.join(" ", words);
        if (words.isEmpty()) {
            // HAProxy takes an empty condition as always true.
            return new RequestCondition(Kind.ALWAYS, "", negated, text);
        }
        if (words.size() == 1 && !words.get(0).equals("{")) {
            String name = words.get(0);
            switch (name) {
                case "TRUE" -> {
                    return new RequestCondition(Kind.ALWAYS, "", negated, text);
                }
                case "FALSE" -> {
                    return new RequestCondition(Kind.NEVER, "", negated, text);
                }
                case "LOCALHOST" -> {
                    return new RequestCondition(Kind.LOCALHOST, "", negated, text);
                }
                default -> {
                    if (!PREDEFINED_ACLS.contains(name) && !declaredAcls.contains(name)) {
                        alert.accept("no such ACL : '" + name + "'");
                        return null;
                    }
                    return new RequestCondition(Kind.NOT_MODELLED, "", negated, text);
                }
            }
        }
        if (words.get(0).equals("{")) {
            String fetch = words.size() > 1 ? words.get(1) : "";
            String bare = fetch.contains("(") ? fetch.substring(0, fetch.indexOf('(')) : fetch;
            bare = bare.contains(",") ? bare.substring(0, bare.indexOf(',')) : bare;
            if (!bare.isEmpty() && !bare.equals("}") && !KNOWN_FETCHES.contains(bare)) {
                alert.accept(
                        "unknown fetch method '" + bare + "' in ACL expression '" + fetch + "'");
                return null;
            }
            boolean oneValue = words.size() == 4 && words.get(3).equals("}");
            if (oneValue && fetch.equals("path")) {
                return new RequestCondition(Kind.PATH, words.get(2), negated, text);
            }
            if (oneValue && fetch.equals("path_beg")) {
                return new RequestCondition(Kind.PATH_BEG, words.get(2), negated, text);
            }
        }
        return new RequestCondition(Kind.NOT_MODELLED, "", negated, text);
    }
}
