package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the lines that make a proxy serve operators itself: {@code stats ...} (the statistics page)
 * and {@code http-request use-service ...} (the Prometheus exporter), with HAProxy 2.6's alerts
 * (checked against {@code haproxy -c}). Other {@code http-request} actions stay accepted and
 * ignored, as before.
 */
final class OperatorPagesReader {

    /** {@code stats} sub-keywords that turn the page on but change nothing lbkit draws. */
    private static final Set<String> NOT_MODELLED =
            Set.of(
                    "hide-version",
                    "show-node",
                    "show-desc",
                    "show-legends",
                    "scope",
                    "http-request",
                    "bind-process",
                    "show-modules");

    private static final String STATS_KEYWORDS =
            "expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable',"
                    + " 'hide-version', 'show-node', 'show-desc' or 'show-legends'.";

    /** A proxy's {@code stats} lines while they are being read. */
    static final class StatsDraft {
        String uri = StatsPage.DEFAULT_URI;
        int refreshSeconds;
        Condition admin;
        Where adminWhere;
        String realm;
        final List<String> users = new ArrayList<>();
        Where where;

        StatsDraft copy() {
            StatsDraft copy = new StatsDraft();
            copy.uri = uri;
            copy.refreshSeconds = refreshSeconds;
            copy.admin = admin;
            copy.adminWhere = adminWhere;
            copy.realm = realm;
            copy.users.addAll(users);
            copy.where = where;
            return copy;
        }

        StatsPage toPage() {
            String shownRealm = realm != null ? realm : StatsPage.DEFAULT_REALM;
            return new StatsPage(uri, refreshSeconds, admin, shownRealm, users, where, adminWhere);
        }
    }

    /**
     * HAProxy 2.6's {@code http-request} actions (Debian's build), in the order its alert lists
     * them; a name ending in {@code (*)} takes an argument in parentheses ({@code set-var(txn.x)}).
     */
    private static final List<String> HTTP_REQUEST_ACTIONS =
            List.of(
                    "wait-for-handshake",
                    "ot-group",
                    "set-log-level",
                    "set-nice",
                    "use-service",
                    "sc-inc-gpc(*)",
                    "sc-inc-gpc0(*)",
                    "sc-inc-gpc1(*)",
                    "sc-set-gpt(*)",
                    "sc-set-gpt0(*)",
                    "send-spoe-group",
                    "do-resolve(*)",
                    "cache-use",
                    "add-acl(*)",
                    "add-header",
                    "allow",
                    "auth",
                    "capture",
                    "del-acl(*)",
                    "del-header",
                    "del-map(*)",
                    "deny",
                    "disable-l7-retry",
                    "early-hint",
                    "normalize-uri",
                    "redirect",
                    "reject",
                    "replace-header",
                    "replace-path",
                    "replace-pathq",
                    "replace-uri",
                    "replace-value",
                    "return",
                    "set-header",
                    "set-map(*)",
                    "set-method",
                    "set-path",
                    "set-pathq",
                    "set-query",
                    "set-uri",
                    "strict-mode",
                    "tarpit",
                    "track-sc(*)",
                    "set-timeout",
                    "wait-for-body",
                    "set-var-fmt(*)",
                    "set-var(*)",
                    "unset-var(*)",
                    "set-dst",
                    "set-dst-port",
                    "set-mark",
                    "set-src",
                    "set-src-port",
                    "set-tos",
                    "silent-drop",
                    "set-priority-class",
                    "set-priority-offset");

    private final Diagnostics diag;

    /** Reads the {@code if} / {@code unless} conditions, as for {@code use_backend}. */
    private final AclReader acls;

    OperatorPagesReader(Diagnostics diag, AclReader acls) {
        this.diag = diag;
        this.acls = acls;
    }

    /** A {@code stats} line of a proxy or defaults section. */
    void readStats(ProxyDraft proxy, Args args) {
        String what = args.get(1);
        if (what.isEmpty()) {
            diag.rawAlert(
                    "[ALERT] parsing ["
                            + diag.where()
                            + "]: missing keyword in 'stats', "
                            + STATS_KEYWORDS);
            return;
        }
        if (!Keywords.PROXY_STATS.contains(what)) {
            diag.rawAlert(
                    "[ALERT] parsing ["
                            + diag.where()
                            + "]: unknown stats parameter '"
                            + what
                            + "', "
                            + STATS_KEYWORDS);
            return;
        }
        StatsDraft stats = proxy.stats != null ? proxy.stats : new StatsDraft();
        String value = args.get(2);
        switch (what) {
            case "enable" -> {
                // Nothing more: any stats line turns the page on.
            }
            case "uri" -> {
                if (value.isEmpty()) {
                    diag.alert("'uri' needs an URI prefix.");
                    return;
                }
                stats.uri = value;
            }
            case "realm" -> {
                if (value.isEmpty()) {
                    diag.alert("'realm' needs an realm name.");
                    return;
                }
                stats.realm = value;
            }
            case "auth" -> {
                if (value.isEmpty()) {
                    diag.alert("'auth' needs a user:password account.");
                    return;
                }
                stats.users.add(value);
            }
            case "refresh" -> {
                Integer seconds = refreshSeconds(value);
                if (seconds == null) {
                    return;
                }
                stats.refreshSeconds = seconds;
            }
            case "admin" -> {
                String word = args.get(2);
                if (!word.equals("if") && !word.equals("unless")) {
                    diag.alert(
                            "'stats admin' requires either 'if' or 'unless' followed by a condition.");
                    return;
                }
                Condition condition =
                        acls.readCondition(
                                proxy, word.equals("unless"), args.rest(3), "a 'stats admin' rule");
                if (condition == null) {
                    return;
                }
                stats.admin = condition;
                stats.adminWhere = diag.where();
            }
            default -> {
                if (what.equals("scope") && value.isEmpty()) {
                    diag.alert("'scope' needs a proxy name.");
                    return;
                }
                if (NOT_MODELLED.contains(what)) {
                    diag.warn(
                            "'stats "
                                    + what
                                    + "' is accepted but lbkit's statistics page does not model it.");
                }
            }
        }
        if (stats.where == null) {
            stats.where = diag.where();
        }
        proxy.stats = stats;
    }

    /**
     * {@code stats refresh <delay>}: seconds when no unit is given. Returns null after HAProxy's
     * alert when the delay is not a time.
     */
    private Integer refreshSeconds(String text) {
        String digits = text;
        int end = 0;
        while (end < digits.length() && Character.isDigit(digits.charAt(end))) {
            end++;
        }
        String unit = text.substring(end);
        if (end == 0
                || !(unit.isEmpty() || List.of("us", "ms", "s", "m", "h", "d").contains(unit))) {
            String bad = end < text.length() ? String.valueOf(text.charAt(end)) : "";
            diag.rawAlert(
                    "[ALERT] parsing ["
                            + diag.where()
                            + "]: unexpected character '"
                            + bad
                            + "' in argument to stats refresh interval.");
            return null;
        }
        if (unit.isEmpty()) {
            unit = "s";
        }
        HaproxyTime.Value value = HaproxyTime.parse(text.substring(0, end) + unit);
        return (int) Math.min(Integer.MAX_VALUE, value.millis() / 1000);
    }

    /** How many words a header action takes before its condition: exactly, or at least. */
    private record Arity(int words, boolean atLeast) {
        String text() {
            return (atLeast ? "at least " : "exactly ")
                    + words
                    + (words == 1 ? " argument" : " arguments");
        }
    }

    private static final java.util.Map<String, Arity> HEADER_ACTIONS =
            java.util.Map.of(
                    "set-header", new Arity(2, false),
                    "add-header", new Arity(2, false),
                    "replace-header", new Arity(3, false),
                    "replace-value", new Arity(3, false),
                    "del-header", new Arity(1, true));

    /**
     * HAProxy 2.6's alerts for a header action with the wrong number of words (checked with {@code
     * haproxy -c}): too few, or a word where {@code if}/{@code unless} should come. The action
     * itself stays ignored by lbkit.
     */
    private boolean headerActionRefused(ProxyDraft proxy, Args args, String action) {
        Arity arity = HEADER_ACTIONS.get(action);
        if (arity == null || proxy.isDefaults) {
            return false;
        }
        int words = 0;
        while (words < arity.words()
                && !args.get(2 + words).isEmpty()
                && !(arity.atLeast() && isConditionWord(args.get(2 + words)))) {
            words++;
        }
        if (words < arity.words()) {
            diag.alert(
                    "error detected in "
                            + proxy.typeWord()
                            + " '"
                            + proxy.name
                            + "' while parsing 'http-request "
                            + action
                            + "' rule : expects "
                            + arity.text()
                            + ".");
            return true;
        }
        String next = args.get(2 + arity.words());
        if (!next.isEmpty() && !isConditionWord(next)) {
            diag.rawAlert(
                    "[ALERT] parsing ["
                            + diag.where()
                            + "]: 'http-request "
                            + action
                            + "' expects either 'if' or 'unless' followed by a condition but"
                            + " found '"
                            + next
                            + "'.");
            return true;
        }
        return false;
    }

    private static boolean isConditionWord(String word) {
        return word.equals("if") || word.equals("unless");
    }

    /**
     * An {@code http-request} line: {@code use-service} is read here; every other action keeps the
     * old treatment (accepted, ignored, with a warning).
     */
    void readHttpRequest(ProxyDraft proxy, Args args) {
        if (proxy.isDefaults && (proxy.name == null || proxy.name.isEmpty())) {
            diag.alert("'http-request' not allowed in anonymous 'defaults' section.");
            return;
        }
        String action = args.get(1);
        if (!isHttpRequestAction(action)) {
            diag.rawAlert(
                    "[ALERT] parsing ["
                            + diag.where()
                            + "]: 'http-request' expects "
                            + String.join(
                                    ", ",
                                    HTTP_REQUEST_ACTIONS.stream().map(a -> "'" + a + "'").toList())
                            + ", but got '"
                            + action
                            + "'.");
            return;
        }
        if (!action.equals("use-service") || proxy.isDefaults) {
            if (headerActionRefused(proxy, args, action)) {
                return;
            }
            diag.warn("'http-request' is accepted but ignored by lbkit.");
            return;
        }
        String rule =
                "error detected in "
                        + proxy.typeWord()
                        + " '"
                        + proxy.name
                        + "' while parsing 'http-request use-service' rule : ";
        String service = args.get(2);
        if (service.isEmpty()) {
            diag.alert(rule + "'use-service' expects a service name..");
            return;
        }
        if (!service.equals(ServiceRule.PROMETHEUS_EXPORTER)) {
            diag.alert(rule + "'" + service + "' unknown service name..");
            return;
        }
        String word = args.get(3);
        Condition condition = null;
        if (!word.isEmpty()) {
            if (!word.equals("if") && !word.equals("unless")) {
                diag.rawAlert(
                        "[ALERT] parsing ["
                                + diag.where()
                                + "]: 'http-request use-service' expects either"
                                + " 'if' or 'unless' followed by a condition but found '"
                                + word
                                + "'.");
                return;
            }
            condition =
                    acls.readCondition(
                            proxy,
                            word.equals("unless"),
                            args.rest(4),
                            "an 'http-request use-service' condition");
            if (condition == null) {
                return;
            }
        }
        proxy.services.add(new ServiceRule(service, condition, diag.where()));
    }

    /**
     * HAProxy matches a name ending in {@code (*)} by its prefix ({@code track-sc0}, {@code
     * set-var(txn.x)}).
     */
    private static boolean isHttpRequestAction(String word) {
        for (String action : HTTP_REQUEST_ACTIONS) {
            boolean prefix = action.endsWith("(*)");
            if (prefix
                    ? word.startsWith(action.substring(0, action.length() - 3))
                    : word.equals(action)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the section serves itself, once read: nothing in TCP mode, where HAProxy ignores both
     * kinds of lines with a warning.
     */
    static OperatorPages pagesOf(ProxyDraft proxy, Diagnostics diag) {
        StatsPage stats = proxy.stats != null ? proxy.stats.toPage() : null;
        List<ServiceRule> services = proxy.services;
        if (proxy.mode == Mode.TCP) {
            if (stats != null) {
                diag.rawWarning(
                        "[WARNING] 'stats' statement ignored for proxy '"
                                + proxy.name
                                + "' as it requires HTTP mode.");
                stats = null;
            }
            if (!services.isEmpty()) {
                diag.rawWarning(
                        "[WARNING] 'http-request' rules ignored for "
                                + proxy.typeWord()
                                + " '"
                                + proxy.name
                                + "' as they require HTTP mode.");
                services = List.of();
            }
        }
        return stats == null && services.isEmpty()
                ? OperatorPages.NONE
                : new OperatorPages(stats, services);
    }
}
