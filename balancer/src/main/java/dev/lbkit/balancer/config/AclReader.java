package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads {@code acl} and {@code use_backend} lines, and the conditions after {@code if} / {@code
 * unless}. lbkit evaluates the fetches people route by (path, url, a header, the method, the client
 * address, in their usual matching forms); an ACL on another fetch HAProxy knows is read, and a
 * rule that uses it is refused when lbkit runs the file ({@code -c} warns).
 */
final class AclReader {
    /** Sample fetches lbkit evaluates, with the matching method each implies. */
    private static final Map<String, AclTest.Match> PATH_LIKE =
            Map.of(
                    "",
                    AclTest.Match.STR,
                    "_beg",
                    AclTest.Match.BEG,
                    "_end",
                    AclTest.Match.END,
                    "_sub",
                    AclTest.Match.SUB,
                    "_reg",
                    AclTest.Match.REG,
                    "_dom",
                    AclTest.Match.DOM);

    /** Predefined ACLs lbkit evaluates. */
    private static final Map<String, AclTest> PREDEFINED =
            Map.ofEntries(
                    Map.entry("TRUE", AclTest.of(AclTest.Fetch.ALWAYS_TRUE)),
                    Map.entry("FALSE", AclTest.of(AclTest.Fetch.ALWAYS_FALSE)),
                    Map.entry("HTTP", AclTest.of(AclTest.Fetch.ALWAYS_TRUE)),
                    Map.entry("HTTP_1.0", AclTest.of(AclTest.Fetch.HTTP_VERSION, "1.0")),
                    Map.entry("HTTP_1.1", AclTest.of(AclTest.Fetch.HTTP_VERSION, "1.1")),
                    Map.entry("HTTP_URL_ABS", AclTest.of(AclTest.Fetch.URL_ABSOLUTE)),
                    Map.entry("HTTP_URL_SLASH", AclTest.of(AclTest.Fetch.URL_SLASH)),
                    Map.entry("HTTP_URL_STAR", AclTest.of(AclTest.Fetch.URL_STAR)),
                    Map.entry("HTTP_CONTENT", AclTest.of(AclTest.Fetch.HAS_CONTENT)),
                    Map.entry(
                            "LOCALHOST",
                            new AclTest(
                                    AclTest.Fetch.SRC,
                                    null,
                                    AclTest.Match.IP,
                                    false,
                                    List.of("127.0.0.1/8", "::1"),
                                    null,
                                    List.of(
                                            ForwardFor.Network.parse("127.0.0.1/8"),
                                            ForwardFor.Network.parse("::1")),
                                    null)),
                    Map.entry("METH_CONNECT", method("CONNECT")),
                    Map.entry("METH_DELETE", method("DELETE")),
                    Map.entry("METH_GET", method("GET", "HEAD")),
                    Map.entry("METH_HEAD", method("HEAD")),
                    Map.entry("METH_OPTIONS", method("OPTIONS")),
                    Map.entry("METH_POST", method("POST")),
                    Map.entry("METH_PUT", method("PUT")),
                    Map.entry("METH_TRACE", method("TRACE")));

    /** Predefined ACLs HAProxy has and lbkit does not evaluate. */
    private static final Set<String> PREDEFINED_UNMODELLED =
            Set.of(
                    "CONNECT",
                    "HTTP_2.0",
                    "HTTP_3.0",
                    "RDP_COOKIE",
                    "REQ_CONTENT",
                    "WAIT_END",
                    "BEFORE_RESPONSE");

    /**
     * Sample fetches HAProxy knows that lbkit does not evaluate in an ACL (a name outside this list
     * and lbkit's own gets HAProxy's "unknown fetch method" alert).
     */
    private static final Set<String> KNOWN_UNMODELLED =
            Set.of(
                    "base",
                    "base_beg",
                    "base_end",
                    "base_sub",
                    "base_reg",
                    "base32",
                    "base32+src",
                    "capture.req.hdr",
                    "capture.req.method",
                    "capture.req.uri",
                    "cook",
                    "cook_cnt",
                    "cook_val",
                    "req.cook",
                    "req.cook_cnt",
                    "req.cook_val",
                    "hdr",
                    "hdr_cnt",
                    "hdr_ip",
                    "hdr_val",
                    "hdr_len",
                    "req.hdr_cnt",
                    "req.hdr_ip",
                    "req.hdr_val",
                    "req.fhdr",
                    "req.fhdr_cnt",
                    "http_auth",
                    "http_auth_group",
                    "http_first_req",
                    "path_len",
                    "path_dir",
                    "query",
                    "req.body",
                    "req.body_param",
                    "req.body_len",
                    "req.len",
                    "req_len",
                    "req.ver",
                    "req_ver",
                    "req.payload",
                    "req.proto_http",
                    "req.rdp_cookie",
                    "req.ssl_sni",
                    "req.ssl_hello_type",
                    "req.ssl_ver",
                    "req_ssl_sni",
                    "ssl_fc",
                    "ssl_fc_sni",
                    "ssl_fc_alpn",
                    "ssl_fc_protocol",
                    "ssl_c_used",
                    "ssl_c_verify",
                    "ssl_c_s_dn",
                    "ssl_sni",
                    "src_port",
                    "dst",
                    "dst_port",
                    "dst_conn",
                    "fe_conn",
                    "be_conn",
                    "nbsrv",
                    "srv_is_up",
                    "connslots",
                    "queue",
                    "avg_queue",
                    "url_param",
                    "urlp",
                    "urlp_val",
                    "url_ip",
                    "url_port",
                    "url_len",
                    "url_dir",
                    "rand",
                    "always_true",
                    "always_false",
                    "env",
                    "int",
                    "str",
                    "bool",
                    "stopping",
                    "date",
                    "sc_http_req_rate",
                    "sc0_http_req_rate",
                    "sc1_http_req_rate",
                    "src_conn_cur",
                    "src_http_req_rate",
                    "src_conn_rate",
                    "src_get_gpc0",
                    "src_inc_gpc0",
                    "sc0_get_gpc0",
                    "method_len",
                    "uri",
                    "var",
                    "req.uri",
                    "pathq",
                    "http_req_rate",
                    "status",
                    "res.hdr",
                    "res.ver",
                    "res.cook",
                    "shdr",
                    "ssl_fc_has_crt",
                    "so_id",
                    "fe_id",
                    "be_id",
                    "fe_name",
                    "be_name",
                    "fc_http_major",
                    "srv_id",
                    "src_is_local",
                    "dst_is_local",
                    "req.hdrs",
                    "req.hdrs_bin",
                    "unique-id",
                    "wait_end",
                    "payload",
                    "payload_lv");

    private static final Set<String> MATCH_METHODS =
            Set.of(
                    "found", "bool", "int", "ip", "bin", "len", "str", "sub", "reg", "beg", "end",
                    "dir", "dom");

    private final Diagnostics diag;

    /**
     * Whether HAProxy knows a sample fetch of this name: one lbkit's ACLs evaluate or one listed as
     * known but unmodelled. {@link SampleExpression} asks it too, so a {@code balance hash} on an
     * unknown fetch gets HAProxy's alert and a known one lbkit does not evaluate is refused to run.
     */
    static boolean knownFetch(String name) {
        return KNOWN_UNMODELLED.contains(name)
                || PATH_LIKE.keySet().stream()
                        .anyMatch(
                                suffix ->
                                        name.equals("hdr" + suffix)
                                                || name.equals("req.hdr" + suffix)
                                                || name.equals("path" + suffix)
                                                || name.equals("url" + suffix));
    }

    AclReader(Diagnostics diag) {
        this.diag = diag;
    }

    private static AclTest method(String... methods) {
        return new AclTest(
                AclTest.Fetch.METHOD,
                null,
                AclTest.Match.STR,
                false,
                List.of(methods),
                null,
                null,
                null);
    }

    /** {@code acl <name> <criterion> [flags] [--] <patterns...>}. */
    void readAcl(ProxyDraft proxy, Args args) {
        if (proxy.isDefaults) {
            diag.alert("'acl' not allowed in anonymous 'defaults' section.");
            return;
        }
        String name = args.get(1);
        if (name.isEmpty() || args.get(2).isEmpty()) {
            diag.alert("'acl' expects an ACL name and a criterion.");
            return;
        }
        if (!name.matches("[A-Za-z0-9_.:-]+")) {
            diag.alert(
                    "'acl' : character '"
                            + firstBad(name)
                            + "' is not permitted in acl name '"
                            + name
                            + "'.");
            return;
        }
        AclTest test = readTest(args.rest(2), "ACL '" + name + "'");
        if (test != null) {
            proxy.acls.computeIfAbsent(name, k -> new ArrayList<>()).add(test);
        }
    }

    private static char firstBad(String name) {
        for (char c : name.toCharArray()) {
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '-')) {
                return c;
            }
        }
        return '?';
    }

    /** {@code use_backend <name> [if|unless <condition>]}. */
    void readUseBackend(ProxyDraft proxy, Args args) {
        if (proxy.isDefaults) {
            diag.alert("'use_backend' not allowed in 'defaults' section.");
            return;
        }
        if (!proxy.hasFrontend()) {
            diag.warn(
                    "'use_backend' ignored because backend '"
                            + proxy.name
                            + "' has no frontend capability.");
            return;
        }
        String backend = args.get(1);
        if (backend.isEmpty()) {
            diag.alert("'use_backend' expects a backend name.");
            return;
        }
        Condition condition = null;
        String word = args.get(2);
        if (!word.isEmpty()) {
            if (!word.equals("if") && !word.equals("unless")) {
                diag.alert(
                        "unexpected keyword '"
                                + word
                                + "' after switching rule, only 'if' and 'unless' are allowed.");
                return;
            }
            condition = readCondition(proxy, word.equals("unless"), args.rest(3), "switching rule");
            if (condition == null) {
                return;
            }
        }
        if (backend.contains("%[")) {
            proxy.useBackends.add(
                    new UseBackend(
                            backend,
                            unmodelledCondition(
                                    "a backend name built from a" + " sample ('" + backend + "')"),
                            diag.where()));
            return;
        }
        proxy.useBackends.add(new UseBackend(backend, condition, diag.where()));
    }

    private static Condition unmodelledCondition(String why) {
        return new Condition(
                false,
                List.of(List.of(new Condition.Term(why, false, List.of(AclTest.unmodelled(why))))));
    }

    /** Reads the words after {@code if} / {@code unless}; null after an alert. */
    Condition readCondition(ProxyDraft proxy, boolean unless, List<String> words, String what) {
        List<List<Condition.Term>> alternatives = new ArrayList<>();
        List<Condition.Term> group = new ArrayList<>();
        boolean negate = false;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.isEmpty()) {
                continue;
            }
            if (word.equals("||") || word.equals("or")) {
                if (!group.isEmpty()) {
                    alternatives.add(group);
                }
                group = new ArrayList<>();
                continue;
            }
            if (word.startsWith("!")) {
                negate = !negate;
                word = word.substring(1);
                if (word.isEmpty()) {
                    continue;
                }
            }
            Condition.Term term;
            if (word.equals("{")) {
                int close = words.subList(i + 1, words.size()).indexOf("}");
                if (close < 0) {
                    diag.alert(
                            "error detected while parsing "
                                    + what
                                    + " : missing closing '}' in condition.");
                    return null;
                }
                List<String> inside = words.subList(i + 1, i + 1 + close);
                if (inside.isEmpty()) {
                    diag.alert(
                            "error detected while parsing "
                                    + what
                                    + " : missing fetch method in ACL expression ''.");
                    return null;
                }
                AclTest test = readTest(inside, what);
                if (test == null) {
                    return null;
                }
                term =
                        new Condition.Term(
                                "{ " + String.join(" ", inside) + " }", negate, List.of(test));
                i += close + 1;
            } else {
                List<AclTest> tests = proxy.acls.get(word);
                if (tests == null && PREDEFINED.containsKey(word)) {
                    tests = List.of(PREDEFINED.get(word));
                } else if (tests == null && PREDEFINED_UNMODELLED.contains(word)) {
                    tests = List.of(AclTest.unmodelled("the predefined ACL '" + word + "'"));
                }
                if (tests == null) {
                    diag.alert(
                            "error detected while parsing "
                                    + what
                                    + " : no such ACL : '"
                                    + word
                                    + "'.");
                    return null;
                }
                term = new Condition.Term(word, negate, tests);
            }
            group.add(term);
            negate = false;
        }
        if (!group.isEmpty()) {
            alternatives.add(group);
        }
        return new Condition(unless, alternatives);
    }

    /** Reads {@code <criterion> [flags] [--] <patterns...>}; null after an alert. */
    private AclTest readTest(List<String> words, String what) {
        String criterion = words.get(0);
        // Converters after the fetch ("path,lower", "hdr(host),lower") are read, not evaluated.
        int comma = topLevelComma(criterion);
        String sample = comma < 0 ? criterion : criterion.substring(0, comma);
        String fetchName = sample;
        String argument = null;
        int paren = sample.indexOf('(');
        if (paren > 0) {
            if (!sample.endsWith(")")) {
                diag.alert(
                        "error detected while parsing "
                                + what
                                + " : missing closing ')' after arguments to fetch"
                                + " keyword '"
                                + criterion.substring(0, paren)
                                + "' in ACL expression '"
                                + criterion
                                + "'.");
                return null;
            }
            fetchName = sample.substring(0, paren);
            argument = sample.substring(paren + 1, sample.length() - 1);
        }
        boolean ignoreCase = false;
        String matchName = null;
        String file = null;
        int i = 1;
        for (; i < words.size(); i++) {
            String flag = words.get(i);
            if (flag.equals("--")) {
                i++;
                break;
            }
            if (!flag.startsWith("-") || flag.length() < 2) {
                break;
            }
            switch (flag) {
                case "-i" -> ignoreCase = true;
                case "-n", "-u" -> {}
                case "-m" -> {
                    matchName = i + 1 < words.size() ? words.get(++i) : "";
                    if (!MATCH_METHODS.contains(matchName)) {
                        diag.alert(
                                "error detected while parsing "
                                        + what
                                        + " : unknown matching method '"
                                        + matchName
                                        + "' when parsing ACL expression.");
                        return null;
                    }
                }
                case "-f", "-M" -> file = i + 1 < words.size() ? words.get(++i) : "";
                default -> {
                    i = words.size() + 1;
                    diag.alert(
                            "error detected while parsing "
                                    + what
                                    + " : '"
                                    + flag
                                    + "' is not a valid ACL option."
                                    + " Please use '--' before any pattern beginning with a '-'.");
                }
            }
        }
        if (i > words.size()) {
            return null;
        }
        List<String> patterns =
                words.subList(Math.min(i, words.size()), words.size()).stream()
                        .filter(w -> !w.isEmpty())
                        .toList();

        AclTest.Fetch fetch = null;
        AclTest.Match match = null;
        String header = null;
        for (Map.Entry<String, AclTest.Match> e : PATH_LIKE.entrySet()) {
            if (fetchName.equals("path" + e.getKey()) && argument == null) {
                fetch = AclTest.Fetch.PATH;
                match = e.getValue();
            } else if (fetchName.equals("url" + e.getKey()) && argument == null) {
                fetch = AclTest.Fetch.URL;
                match = e.getValue();
            } else if ((fetchName.equals("hdr" + e.getKey())
                            || fetchName.equals("req.hdr" + e.getKey()))
                    && argument != null
                    && !argument.isEmpty()
                    && !argument.contains(",")) {
                fetch = AclTest.Fetch.HDR;
                match = e.getValue();
                header = argument;
            }
        }
        if (fetchName.equals("method") && argument == null) {
            fetch = AclTest.Fetch.METHOD;
            match = AclTest.Match.STR;
        } else if (fetchName.equals("src") && argument == null) {
            fetch = AclTest.Fetch.SRC;
            match = AclTest.Match.IP;
        }
        if (fetch == null) {
            if (!knownFetch(fetchName)) {
                diag.alert(
                        "error detected while parsing "
                                + what
                                + " : unknown fetch method '"
                                + fetchName
                                + "' in ACL expression '"
                                + criterion
                                + "'.");
                return null;
            }
            return AclTest.unmodelled(
                    "the ACL criterion '"
                            + criterion
                            + "' (lbkit evaluates path, url and"
                            + " hdr(name) with their _beg, _end, _sub, _reg, _dom forms, method and src)");
        }
        if (comma >= 0) {
            return AclTest.unmodelled("the converters in '" + criterion + "'");
        }
        if (file != null) {
            return AclTest.unmodelled("patterns read from a file ('-f " + file + "')");
        }
        if (matchName != null) {
            match =
                    switch (matchName) {
                        case "str" -> AclTest.Match.STR;
                        case "beg" -> AclTest.Match.BEG;
                        case "end" -> AclTest.Match.END;
                        case "sub" -> AclTest.Match.SUB;
                        case "reg" -> AclTest.Match.REG;
                        case "dom" -> AclTest.Match.DOM;
                        case "found" -> AclTest.Match.FOUND;
                        case "ip" -> fetch == AclTest.Fetch.SRC ? AclTest.Match.IP : null;
                        default -> null;
                    };
            if (match == null || (fetch == AclTest.Fetch.SRC && match != AclTest.Match.IP)) {
                return AclTest.unmodelled("'-m " + matchName + "' on '" + criterion + "'");
            }
        }
        if (patterns.isEmpty() && match != AclTest.Match.FOUND) {
            diag.rawWarning(
                    "[WARNING] parsing acl keyword '"
                            + fetchName
                            + "' :\n  no pattern to match against were"
                            + " provided, so this ACL will never match.\n  If this is what you intended, please add '--' to"
                            + " get rid of this warning.");
        }
        List<Pattern> regexes = new ArrayList<>();
        List<ForwardFor.Network> networks = new ArrayList<>();
        for (String pattern : patterns) {
            if (match == AclTest.Match.REG) {
                try {
                    regexes.add(
                            Pattern.compile(pattern, ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
                } catch (PatternSyntaxException e) {
                    diag.alert(
                            "error detected while parsing "
                                    + what
                                    + " : regex '"
                                    + pattern
                                    + "' is invalid ("
                                    + e.getDescription()
                                    + ").");
                    return null;
                }
            } else if (match == AclTest.Match.IP) {
                ForwardFor.Network network = ForwardFor.Network.parse(pattern);
                if (network == null) {
                    diag.alert(
                            "error detected while parsing "
                                    + what
                                    + " : '"
                                    + pattern
                                    + "' is not a valid IPv4 or IPv6 address.");
                    return null;
                }
                networks.add(network);
            }
        }
        return new AclTest(fetch, header, match, ignoreCase, patterns, regexes, networks, null);
    }

    /** Where the first converter starts (a comma outside the fetch's parentheses), or -1. */
    private static int topLevelComma(String criterion) {
        int depth = 0;
        for (int i = 0; i < criterion.length(); i++) {
            char c = criterion.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
