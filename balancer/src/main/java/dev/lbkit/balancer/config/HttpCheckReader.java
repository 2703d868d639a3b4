package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads {@code http-check send|expect|comment|...} lines into the section's {@link
 * HttpCheck.Rules}, with HAProxy 2.6's alerts for wrong ones (the same text on 3.0 and 3.4). A
 * section that writes its own rules drops those it inherited from {@code defaults}.
 */
final class HttpCheckReader {
    private final Diagnostics diag;

    HttpCheckReader(Diagnostics diag) {
        this.diag = diag;
    }

    void read(ProxyDraft proxy, Args args) {
        if (!proxy.httpCheckRulesOwn) {
            proxy.httpCheckRules = new HttpCheck.Rules();
            proxy.httpCheckRulesOwn = true;
        }
        HttpCheck.Rules rules = proxy.httpCheckRules;
        String what = args.get(1);
        switch (what) {
            case "send" -> readSend(rules, args);
            case "expect" -> readExpect(rules, args);
            case "comment" -> {
                // a label for the logs: nothing to do
                if (args.get(2).isEmpty()) {
                    diag.alert("'http-check comment' : expects a string as argument.");
                }
            }
            case "connect", "disable-on-404", "send-state" -> unmodelled(rules, what);
            default -> {
                if (what.startsWith("set-var(")
                        || what.startsWith("set-var-fmt(")
                        || what.startsWith("unset-var(")) {
                    unmodelled(rules, what);
                } else {
                    diag.alert(
                            "'http-check' only supports 'disable-on-404', 'send-state', 'comment',"
                                    + " 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)',"
                                    + " 'unset-var(*)'. but got '"
                                    + what
                                    + "'");
                }
            }
        }
    }

    private void unmodelled(HttpCheck.Rules rules, String what) {
        rules.unmodelled.add("'http-check " + what + "' at " + diag.where());
    }

    private void readSend(HttpCheck.Rules rules, Args args) {
        HttpCheck.Rules read = new HttpCheck.Rules();
        for (int i = 2; i < args.size(); i++) {
            String word = args.get(i);
            switch (word) {
                case "meth", "uri", "ver", "body", "uri-lf", "body-lf", "comment" -> {
                    String value = args.get(i + 1);
                    if (value.isEmpty()) {
                        diag.alert(
                                "'http-check send' : '"
                                        + word
                                        + "' expects a string as argument..");
                        return;
                    }
                    switch (word) {
                        case "meth" -> read.method = value;
                        case "uri" -> read.uri = value;
                        case "ver" -> read.version = value;
                        case "body" -> read.body = value;
                        case "comment" -> {
                            // a label for the logs
                        }
                        default -> unmodelled(rules, "send " + word);
                    }
                    i++;
                }
                case "hdr" -> {
                    String name = args.get(i + 1);
                    String value = args.get(i + 2);
                    if (name.isEmpty() || value.isEmpty()) {
                        diag.alert(
                                "'http-check send' : 'hdr' expects <name> and <value> as arguments.");
                        return;
                    }
                    read.headers.add(name + ": " + value);
                    i += 2;
                }
                default -> {
                    diag.alert(
                            "'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver',"
                                    + " 'hdr', 'body' or 'body-lf' but got '"
                                    + word
                                    + "' as argument..");
                    return;
                }
            }
        }
        if (++rules.sends > 1) {
            unmodelled(rules, "send (a second one: lbkit's checks send one request)");
            return;
        }
        rules.method = read.method;
        rules.uri = read.uri;
        rules.version = read.version;
        rules.body = read.body;
        rules.headers.addAll(read.headers);
    }

    private void readExpect(HttpCheck.Rules rules, Args args) {
        if (args.get(2).isEmpty()) {
            diag.alert("'http-check expect' : expects at least a matching pattern as arguments.");
            return;
        }
        boolean negated = false;
        boolean matched = false;
        HttpCheck.Expect read = null;
        // One match and its pattern, with options before or after it, as HAProxy reads them.
        for (int i = 2; i < args.size(); i++) {
            String word = args.get(i);
            if (word.equals("!")) {
                negated = true;
                continue;
            }
            if (word.startsWith("!") && word.length() > 1) {
                negated = true;
                word = word.substring(1);
            }
            switch (word) {
                case "status", "rstatus", "string", "rstring", "string-lf", "hdr", "fhdr" -> {
                    if (matched) {
                        diag.alert("'http-check expect' : only on pattern expected.");
                        return;
                    }
                    matched = true;
                    if (word.equals("string-lf") || word.equals("hdr") || word.equals("fhdr")) {
                        unmodelled(rules, "expect " + word);
                        // hdr/fhdr take "name <n> [value <v>]"; what follows is not read here
                        return;
                    }
                    String pattern = args.get(i + 1);
                    if (pattern.isEmpty()) {
                        diag.alert(
                                "'http-check expect' : '"
                                        + word
                                        + "' expects a <pattern> as argument.");
                        return;
                    }
                    read = expect(word, negated, pattern);
                    if (read == null) {
                        return;
                    }
                    i++;
                }
                case "min-recv",
                        "comment",
                        "ok-status",
                        "error-status",
                        "tout-status",
                        "on-success",
                        "on-error",
                        "status-code" -> {
                    if (args.get(i + 1).isEmpty()) {
                        diag.alert(
                                "'http-check expect' : '"
                                        + word
                                        + "' expects "
                                        + switch (word) {
                                            case "min-recv" -> "a integer";
                                            case "status-code" -> "an expression";
                                            default -> "a string";
                                        }
                                        + " as argument.");
                        return;
                    }
                    if (!word.equals("comment")) {
                        unmodelled(rules, "expect " + word);
                    }
                    i++;
                }
                default -> {
                    diag.alert(
                            "'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring',"
                                    + " '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or"
                                    + " comment but got '"
                                    + word
                                    + "' as argument..");
                    return;
                }
            }
        }
        if (read != null) {
            rules.expects.add(read);
        }
    }

    private HttpCheck.Expect expect(String kind, boolean negated, String pattern) {
        return switch (kind) {
            case "status" -> {
                List<int[]> codes = statusCodes(pattern);
                yield codes == null
                        ? null
                        : new HttpCheck.Expect(
                                negated, HttpCheck.Expect.Kind.STATUS, pattern, codes, null);
            }
            case "string" ->
                    new HttpCheck.Expect(
                            negated, HttpCheck.Expect.Kind.STRING, pattern, List.of(), null);
            default -> {
                Pattern regex;
                try {
                    regex = Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    diag.alert(
                            "'http-check expect' : regex '"
                                    + pattern
                                    + "' is invalid ("
                                    + e.getDescription()
                                    + ").");
                    yield null;
                }
                yield new HttpCheck.Expect(
                        negated,
                        kind.equals("rstatus")
                                ? HttpCheck.Expect.Kind.RSTATUS
                                : HttpCheck.Expect.Kind.RSTRING,
                        pattern,
                        List.of(),
                        regex);
            }
        };
    }

    /** "200", "200,404", "200-399": each code or range as {from, to}; null after an alert. */
    private List<int[]> statusCodes(String pattern) {
        for (char c : pattern.toCharArray()) {
            if (!Character.isDigit(c) && c != ',' && c != '-') {
                diag.alert(
                        "'http-check expect' : invalid character '"
                                + c
                                + "' in the list of status codes.");
                return null;
            }
        }
        List<int[]> codes = new ArrayList<>();
        for (String piece : pattern.split(",")) {
            if (piece.isEmpty()) {
                continue;
            }
            int dash = piece.indexOf('-');
            int from = number(dash < 0 ? piece : piece.substring(0, dash));
            int to = dash < 0 ? from : number(piece.substring(dash + 1));
            codes.add(new int[] {from, to});
        }
        return codes;
    }

    private static int number(String digits) {
        int n = 0;
        for (char c : digits.toCharArray()) {
            if (Character.isDigit(c)) {
                n = Math.min(n * 10 + (c - '0'), 100_000);
            }
        }
        return n;
    }
}
