package dev.lbkit.balancer.config;

import static dev.lbkit.balancer.config.ConfigParser.atoi;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads the keywords of {@code frontend}, {@code backend}, {@code listen} and {@code defaults}
 * sections: mode, default_backend, balance, hash-type, timeouts, options, http-reuse and the rest,
 * handing {@code bind} lines to {@link BindReader} and {@code server} lines to {@link
 * ServerReader}.
 */
final class ProxyReader {

    /** Proxy keywords HAProxy allows exactly one argument (more is an alert). */
    private static final Set<String> ONE_ARGUMENT_PROXY =
            Set.of("mode", "default_backend", "retries", "maxconn", "id");

    private final Diagnostics diag;
    private final BindReader binds;
    private final ServerReader servers;
    private final AclReader acls;
    private final OperatorPagesReader operatorPages;
    private final HttpCheckReader httpChecks;
    private final LogReader logs;

    ProxyReader(Diagnostics diag, UnaryOperator<String> env, HaproxyLine line) {
        this.diag = diag;
        this.acls = new AclReader(diag);
        this.binds = new BindReader(diag, env);
        this.servers = new ServerReader(diag, env, line);
        this.operatorPages = new OperatorPagesReader(diag, acls);
        this.httpChecks = new HttpCheckReader(diag);
        this.logs = new LogReader(diag);
    }

    /**
     * Reads one line of a proxy or defaults section into {@code proxy} (nothing when it is null).
     */
    void read(ProxyDraft proxy, Args args) {
        if (proxy == null) {
            return;
        }
        String keyword = args.get(0);
        if (keyword.equals("no") && args.get(1).equals("option")) {
            readOption(proxy, args.shift(), true);
            return;
        }
        if (keyword.equals("no") && args.get(1).equals("log")) {
            logs.readNoLog(proxy);
            return;
        }
        if (ONE_ARGUMENT_PROXY.contains(keyword) && diag.tooManyArguments(args, 1)) {
            return;
        }
        switch (keyword) {
            case "bind" -> binds.read(proxy, args);
            case "mode" -> readMode(proxy, args);
            case "default_backend" -> {
                if (!proxy.hasFrontend()) {
                    diag.warn(
                            "'default_backend' ignored because backend '"
                                    + proxy.name
                                    + "' has no frontend capability.");
                } else if (args.get(1).isEmpty()) {
                    diag.alert("'default_backend' expects a backend name.");
                } else {
                    proxy.defaultBackend = args.get(1);
                }
            }
            case "http-reuse" -> readHttpReuse(proxy, args);
            case "balance" -> {
                if (!proxy.hasBackend()) {
                    diag.warn(
                            "'balance' ignored because frontend '"
                                    + proxy.name
                                    + "' has no backend capability.");
                } else if (!args.get(1).isEmpty()) {
                    Balance balance =
                            BalanceReader.read(
                                    args.rest(1), diag.where(), diag.haproxyLine(), diag::alert);
                    if (balance != null) {
                        proxy.balance = balance;
                    }
                }
            }
            case "hash-type" -> readHashType(proxy, args);
            case "cookie" -> readCookie(proxy, args);
            case "source" -> readSource(proxy, args);
            case "log" -> logs.readLog(proxy, args);
            case "log-format" -> logs.readLogFormat(proxy, args);
            case "hash-preserve-affinity" -> readHashPreserveAffinity(proxy, args);
            case "hash-balance-factor" -> {
                if (args.get(1).isEmpty()) {
                    diag.alert("'hash-balance-factor' expects an integer argument.");
                    return;
                }
                int factor = atoi(args.get(1));
                if (factor != 0 && factor <= 100) {
                    diag.alert("'hash-balance-factor' must be 0 or greater than 100.");
                } else {
                    proxy.hashBalanceFactor = factor;
                }
            }
            case "server" -> servers.read(proxy, args, false);
            case "default-server" -> servers.read(proxy, args, true);
            case "timeout" -> readTimeout(proxy, args);
            case "retries" -> {
                if (!proxy.hasBackend()) {
                    diag.warn(
                            "'retries' ignored because frontend '"
                                    + proxy.name
                                    + "' has no backend capability.");
                } else if (args.get(1).isEmpty()) {
                    diag.alert("'retries' expects an integer argument (dispatch counts for one).");
                } else {
                    proxy.retries = atoi(args.get(1));
                }
            }
            case "option" -> readOption(proxy, args, false);
            case "acl" -> acls.readAcl(proxy, args);
            case "use_backend" -> acls.readUseBackend(proxy, args);
            case "maxconn" -> {
                if (!proxy.hasFrontend()) {
                    diag.warn(
                            "'maxconn' ignored because backend '"
                                    + proxy.name
                                    + "' has no frontend capability."
                                    + " Maybe you want 'fullconn' instead ?");
                } else if (args.get(1).isEmpty()) {
                    diag.alert("'maxconn' expects an integer argument.");
                } else {
                    diag.warn("'maxconn' on a proxy is not enforced by lbkit.");
                }
            }
            case "stats" -> operatorPages.readStats(proxy, args);
            case "http-request" -> operatorPages.readHttpRequest(proxy, args);
            case "http-check" -> httpChecks.read(proxy, args);
            case "id" -> {
                if (proxy.isDefaults) {
                    diag.alert("'id' not allowed in 'defaults' section.");
                } else if (atoi(args.get(1)) <= 0) {
                    diag.rawAlert(
                            "[ALERT] parsing [" + diag.where() + "]: custom id has to be > 0.");
                }
            }
            default -> {
                if (Keywords.HARMLESS_PROXY.contains(keyword)) {
                    diag.warn("'" + keyword + "' is accepted but ignored by lbkit.");
                } else {
                    diag.unknownKeyword(
                            keyword,
                            proxy.isDefaults ? "defaults" : proxy.sectionName(),
                            Keywords.proxyNames());
                }
            }
        }
    }

    /**
     * {@code source <addr>[:<port>] ...}: read for HAProxy's alerts on a missing or wrong address
     * (checked with {@code haproxy -c} 2.6: a word that is no address or name, a port above 65535),
     * then ignored as before.
     */
    private void readSource(ProxyDraft proxy, Args args) {
        String raw = args.get(1);
        if (raw.isEmpty()) {
            diag.alert(
                    "'source' expects <addr>[:<port>], and optionally 'usesrc' <addr>, and"
                            + " 'interface' <name>.");
            return;
        }
        if (!raw.contains("@") && raw.indexOf(':') == raw.lastIndexOf(':')) {
            int colon = raw.indexOf(':');
            String host = colon < 0 ? raw : raw.substring(0, colon);
            String port = colon < 0 ? "" : raw.substring(colon + 1);
            if (!port.isEmpty()
                    && (!port.chars().allMatch(Character::isDigit)
                            || port.length() > 5
                            || Integer.parseInt(port) > 65535)) {
                diag.alert("'source " + raw + "' : invalid port '" + port + "'");
                return;
            }
            boolean address =
                    host.isEmpty()
                            || host.equals("*")
                            || host.matches("[0-9.]+")
                            || Address.resolve(host, null) != null;
            if (!address) {
                diag.alert(
                        "'source " + raw + "' : invalid address: '" + host + "' in '" + raw + "'");
                return;
            }
        }
        diag.warn("'source' is accepted but ignored by lbkit.");
    }

    /**
     * {@code cookie <name> [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve]
     * [httponly] [secure] [domain <d>]* [attr <a>]*}, with HAProxy 2.6's alerts (checked against
     * {@code haproxy -c}). A later line replaces an earlier one whole. {@code maxidle}, {@code
     * maxlife} and {@code dynamic} put dates or a hash into the cookie's value: lbkit does not
     * model them and refuses to run a config that asks for them.
     */
    private void readCookie(ProxyDraft proxy, Args args) {
        if (!proxy.hasBackend()) {
            diag.warn(
                    "'cookie' ignored because frontend '"
                            + proxy.name
                            + "' has no backend capability.");
            return;
        }
        String name = args.get(1);
        if (name.isEmpty()) {
            diag.alert("'cookie' expects <cookie_name> as argument.");
            return;
        }
        CookiePersistence.Mode mode = CookiePersistence.Mode.PASSIVE;
        boolean indirect = false;
        boolean postonly = false;
        boolean preserve = false;
        boolean httpOnly = false;
        boolean secure = false;
        boolean flagged = false;
        List<String> domains = new java.util.ArrayList<>();
        List<String> attrs = new java.util.ArrayList<>();
        for (int i = 2; !args.get(i).isEmpty(); i++) {
            String word = args.get(i);
            CookiePersistence.Mode wanted =
                    switch (word) {
                        case "rewrite" -> CookiePersistence.Mode.REWRITE;
                        case "insert" -> CookiePersistence.Mode.INSERT;
                        case "prefix" -> CookiePersistence.Mode.PREFIX;
                        default -> null;
                    };
            if (wanted != null) {
                if (mode != CookiePersistence.Mode.PASSIVE && mode != wanted) {
                    diag.alert("cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.");
                    return;
                }
                mode = wanted;
                flagged = true;
                continue;
            }
            flagged |=
                    List.of("indirect", "nocache", "postonly", "preserve", "httponly", "secure")
                            .contains(word);
            switch (word) {
                case "indirect" -> indirect = true;
                case "nocache" -> {
                    // Measured on 2.6.12: no Cache-control header is added to an answer
                    // without one, nor to one that says "public"; nothing to do here.
                }
                case "postonly" -> postonly = true;
                case "preserve" -> preserve = true;
                case "httponly" -> httpOnly = true;
                case "secure" -> secure = true;
                case "domain" -> {
                    String domain = args.get(++i);
                    if (domain.isEmpty()) {
                        diag.rawAlert(
                                "[ALERT] parsing ["
                                        + diag.where()
                                        + "]: 'domain' expects <domain> as argument.");
                        return;
                    }
                    if (domain.indexOf('.', 1) < 0) {
                        diag.rawWarning(
                                "[WARNING] parsing ["
                                        + diag.where()
                                        + "]: domain '"
                                        + domain
                                        + "' contains no embedded dot, this configuration may"
                                        + " not work properly (see RFC6265#5.2.3).");
                    }
                    domains.add(domain);
                }
                case "attr" -> {
                    String attr = args.get(++i);
                    if (attr.isEmpty()) {
                        diag.rawAlert(
                                "[ALERT] parsing ["
                                        + diag.where()
                                        + "]: 'attr' expects <value> as argument.");
                        return;
                    }
                    for (char c : attr.toCharArray()) {
                        if (c < 0x20 || c == 0x7f || c == ';') {
                            diag.rawAlert(
                                    String.format(
                                            "[ALERT] parsing [%s]: character '%%x%02X' is not"
                                                    + " permitted in attribute value.",
                                            diag.where(), (int) c));
                            return;
                        }
                    }
                    attrs.add(attr);
                }
                case "maxidle", "maxlife", "dynamic" -> {
                    diag.alert(
                            "lbkit does not model cookie '"
                                    + word
                                    + "' (the cookie's value then carries "
                                    + (word.equals("dynamic") ? "a hash" : "dates")
                                    + "): remove '"
                                    + word
                                    + "' from this line to run the config with lbkit.");
                    return;
                }
                default -> {
                    diag.alert(
                            "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect',"
                                    + " 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic',"
                                    + " 'maxlife' and 'attr' options.");
                    return;
                }
            }
        }
        proxy.cookie =
                new CookiePersistence(
                        name,
                        mode,
                        indirect,
                        postonly,
                        preserve,
                        httpOnly,
                        secure,
                        domains,
                        attrs,
                        false,
                        java.util.Map.of(),
                        flagged);
    }

    /**
     * {@code hash-preserve-affinity always|maxconn|maxqueue} (3.2 and later): whether a hashed key
     * stays on its server when that server is full. lbkit reads it; only {@code always}, the
     * default, is modelled, and lbkit refuses to run the other two.
     */
    private void readHashPreserveAffinity(ProxyDraft proxy, Args args) {
        if (!diag.since(HaproxyLine.V3_2)) {
            diag.unknownKeyword(
                    "hash-preserve-affinity",
                    proxy.isDefaults ? "defaults" : proxy.sectionName(),
                    Keywords.proxyNames());
            return;
        }
        String value = args.get(1);
        if (!List.of("always", "maxconn", "maxqueue").contains(value)) {
            diag.alert("'hash-preserve-affinity': unknown keyword '" + value + "'");
            return;
        }
        proxy.hashPreserveAffinity = value;
    }

    private void readHttpReuse(ProxyDraft proxy, Args args) {
        if (!proxy.hasBackend()) {
            diag.warn(
                    "'http-reuse' ignored because frontend '"
                            + proxy.name
                            + "' has no backend capability.");
            return;
        }
        HttpReuse mode =
                switch (args.get(1)) {
                    case "never" -> HttpReuse.NEVER;
                    case "safe" -> HttpReuse.SAFE;
                    case "aggressive" -> HttpReuse.AGGRESSIVE;
                    case "always" -> HttpReuse.ALWAYS;
                    default -> null;
                };
        if (mode == null) {
            diag.alert("'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'.");
        } else if (!args.get(2).isEmpty()) {
            diag.alert(
                    "'http-reuse "
                            + args.get(1)
                            + "' cannot handle unexpected argument '"
                            + args.get(2)
                            + "'.");
        } else {
            proxy.httpReuse = mode;
        }
    }

    private void readMode(ProxyDraft proxy, Args args) {
        switch (args.get(1)) {
            case "http" -> proxy.mode = Mode.HTTP;
            case "tcp" -> proxy.mode = Mode.TCP;
            case "health" ->
                    diag.alert(
                            "'mode health' doesn't exist anymore. Please use "
                                    + "'http-request return status 200' instead.");
            default -> diag.alert("unknown proxy mode '" + args.get(1) + "'.");
        }
    }

    private void readHashType(ProxyDraft proxy, Args args) {
        if (!proxy.hasBackend()) {
            diag.warn(
                    "'hash-type' ignored because frontend '"
                            + proxy.name
                            + "' has no backend capability.");
            return;
        }
        boolean consistent;
        switch (args.get(1)) {
            case "consistent" -> consistent = true;
            case "map-based" -> consistent = false;
            default -> {
                diag.alert("'hash-type' only supports 'consistent' and 'map-based'.");
                return;
            }
        }
        String function = args.get(2);
        if (function.isEmpty()) {
            // HAProxy adds avalanche on its own only to consistent hashing without a named
            // function.
            proxy.hashType = new HashType(consistent, HashFunction.SDBM, consistent);
            return;
        }
        HashFunction hashFunction;
        switch (function) {
            case "sdbm" -> hashFunction = HashFunction.SDBM;
            case "djb2" -> hashFunction = HashFunction.DJB2;
            case "wt6" -> hashFunction = HashFunction.WT6;
            case "crc32" -> hashFunction = HashFunction.CRC32;
            case "none" -> {
                if (!diag.since(HaproxyLine.V3_0)) {
                    diag.alert(
                            "'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.");
                    return;
                }
                hashFunction = HashFunction.NONE;
            }
            default -> {
                diag.alert(
                        "'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.");
                return;
            }
        }
        String modifier = args.get(3);
        if (!modifier.isEmpty() && !modifier.equals("avalanche")) {
            diag.alert("'hash-type' only supports 'avalanche' as a modifier for hash functions.");
            return;
        }
        proxy.hashType = new HashType(consistent, hashFunction, modifier.equals("avalanche"));
    }

    private void readTimeout(ProxyDraft proxy, Args args) {
        String kind = args.get(1);
        if (!Keywords.TIMEOUTS.contains(kind)) {
            diag.alert(
                    "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', "
                            + "'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '"
                            + kind
                            + "')");
            return;
        }
        String name = "timeout " + kind;
        String text = args.get(2);
        if (text.isEmpty()) {
            diag.alert("'" + name + "' expects an integer value (in milliseconds)");
            return;
        }
        HaproxyTime.Value value = HaproxyTime.parse(text);
        if (value.badChar() != null) {
            diag.alert("unexpected character '" + value.badChar() + "' in '" + name + "'");
            return;
        }
        if (value.overflow()) {
            diag.alert(
                    "timer overflow in argument '"
                            + text
                            + "' to '"
                            + name
                            + "' (maximum value is 2147483647 ms or ~24.8 days)");
            return;
        }
        if (!args.get(3).isEmpty()) {
            diag.alert(
                    "'"
                            + name
                            + "' : unexpected extra argument '"
                            + args.get(3)
                            + "' after value '"
                            + text
                            + "'.");
            return;
        }
        if (!value.trailing().isEmpty()) {
            diag.warn(
                    "unexpected character '"
                            + value.trailing().charAt(0)
                            + "' after the timer value '"
                            + text
                            + "'; use us, ms, s, m, h or d.");
        }
        boolean frontendSide =
                kind.equals("client")
                        || kind.equals("http-request")
                        || kind.equals("http-keep-alive")
                        || kind.equals("client-fin");
        if (frontendSide && !proxy.hasFrontend()) {
            diag.warn(
                    "'"
                            + name
                            + "' will be ignored because backend '"
                            + proxy.name
                            + "' has no frontend capability");
            return;
        }
        if (!frontendSide && !proxy.hasBackend() && !kind.equals("tarpit")) {
            diag.warn(
                    "'"
                            + name
                            + "' will be ignored because frontend '"
                            + proxy.name
                            + "' has no backend capability");
            return;
        }
        switch (kind) {
            case "connect" -> proxy.connectMs = value.millis();
            case "client" -> proxy.clientMs = value.millis();
            case "server" -> proxy.serverMs = value.millis();
            case "check" -> proxy.checkMs = value.millis();
            case "queue" -> proxy.queueMs = value.millis();
            default -> diag.warn("'" + name + "' is accepted but not enforced by lbkit.");
        }
    }

    /**
     * Reads {@code option forwardfor [except <network>] [header <name>] [if-none]}; each line sets
     * all three afresh. Returns the plain option after an alert, so reading goes on.
     */
    private ForwardFor forwardFor(Args args) {
        String header = ForwardFor.DEFAULT_HEADER;
        ForwardFor.Network except = null;
        boolean ifNone = false;
        for (int i = 2; i < args.size() && !args.get(i).isEmpty(); i++) {
            String word = args.get(i);
            switch (word) {
                case "except" -> {
                    except = ForwardFor.Network.parse(args.get(i + 1));
                    if (except == null) {
                        diag.alert(
                                "'option forwardfor except' expects <address>[/mask] as argument.");
                        return ForwardFor.plain();
                    }
                    i++;
                }
                case "header" -> {
                    header = args.get(i + 1);
                    if (header.isEmpty()) {
                        diag.alert("'option forwardfor header' expects <header_name> as argument.");
                        return ForwardFor.plain();
                    }
                    i++;
                }
                case "if-none" -> ifNone = true;
                default -> {
                    diag.alert(
                            "'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.");
                    return ForwardFor.plain();
                }
            }
        }
        return new ForwardFor(header, except, ifNone);
    }

    private void readOption(ProxyDraft proxy, Args args, boolean negated) {
        String name = args.get(1);
        if (name.isEmpty()) {
            diag.rawAlert(
                    "[ALERT] parsing [" + diag.where() + "]: 'option' expects an option name.");
            return;
        }
        if (negated
                && (Keywords.NOT_NEGATABLE_OPTIONS.contains(name)
                        || (diag.since(HaproxyLine.V3_2)
                                && Keywords.NOT_NEGATABLE_FROM_32.contains(name)))) {
            notNegatable(name);
            return;
        }
        if (wrongSide(proxy, name, negated)) {
            return;
        }
        switch (name) {
            case "redispatch" -> {
                // An interval may follow. 0 on 2.6 keeps the option on for what does not count
                // retries (roundrobin's retries still move, a cookie's full queue too); from 3.0 it
                // turns the option off (measured: CookieFullQueueParityTest,
                // RedispatchParityTest).
                int every = negated ? 0 : args.get(2).isEmpty() ? -1 : atoi(args.get(2));
                proxy.redispatch = !negated && (every != 0 || !diag.since(HaproxyLine.V3_0));
                proxy.redispatchEvery = every;
            }
            case "abortonclose" -> proxy.abortOnClose = !negated;
            case "forwardfor" -> proxy.forwardFor = negated ? null : forwardFor(args);
            case "allbackups" -> proxy.allBackups = !negated;
            case "persist" -> proxy.persist = !negated;
            case "httpchk" -> {
                proxy.httpCheck = negated ? null : httpCheck(args.rest(2));
                // The option starts the section's own check: rules inherited from defaults go.
                proxy.httpCheckOwn = true;
                if (!proxy.httpCheckRulesOwn) {
                    proxy.httpCheckRules = null;
                }
                if (proxy.httpCheck != null
                        && (proxy.httpCheck.version().contains("\r")
                                || proxy.httpCheck.version().contains("\n"))) {
                    if (diag.since(HaproxyLine.V3_0)) {
                        diag.alert(
                                "'option httpchk' : hiding headers or body at the end of the version"
                                        + " string is unsupported.Use 'http-check send' directive"
                                        + " instead..");
                    } else {
                        diag.warn(
                                "'option httpchk' : hiding headers or body at the end of the version"
                                        + " string is deprecated. Please, consider to use"
                                        + " 'http-check send' directive instead.");
                    }
                }
            }
            case "httplog", "tcplog", "dontlognull" -> logs.readOption(proxy, args, negated);
            default -> {
                if (Keywords.HARMLESS_OPTIONS.contains(name)) {
                    return;
                }
                diag.alert("unknown option '" + name + "'.");
            }
        }
    }

    private void notNegatable(String name) {
        diag.rawAlert(
                "[ALERT] parsing ["
                        + diag.where()
                        + "]: negation/default is not supported for option '"
                        + name
                        + "'.");
    }

    /**
     * An option for the other side of the proxy than this one has: HAProxy warns that it is
     * ignored, and from 3.2 refuses an on/off option there as well (3.4 takes {@code abortonclose}
     * in a frontend, silently). Returns true when the option is not read further.
     */
    private boolean wrongSide(ProxyDraft proxy, String name, boolean negated) {
        boolean backendSide =
                Keywords.BACKEND_FLAG_OPTIONS.contains(name)
                        || Keywords.BACKEND_OPTIONS_WITH_ARGUMENTS.contains(name);
        boolean frontendSide =
                Keywords.FRONTEND_FLAG_OPTIONS.contains(name)
                        || name.equals("accept-invalid-http-request");
        String missing =
                backendSide && !proxy.hasBackend()
                        ? "backend"
                        : frontendSide && !proxy.hasFrontend() ? "frontend" : null;
        if (missing == null) {
            return false;
        }
        if (name.equals("abortonclose") && diag.since(HaproxyLine.V3_4)) {
            return true;
        }
        diag.warn(
                "'"
                        + name
                        + "' ignored because "
                        + proxy.typeWord()
                        + " '"
                        + proxy.name
                        + "' has no "
                        + missing
                        + " capability.");
        boolean flag =
                Keywords.BACKEND_FLAG_OPTIONS.contains(name)
                        || Keywords.FRONTEND_FLAG_OPTIONS.contains(name);
        if (flag && diag.since(HaproxyLine.V3_2)) {
            if (negated) {
                notNegatable(name);
            } else {
                diag.alert("unknown option '" + name + "'; did you mean '" + name + "' maybe ?");
            }
        }
        return true;
    }

    private static HttpCheck httpCheck(List<String> words) {
        HttpCheck defaults = HttpCheck.defaults();
        // One word is the URI; two are method and URI; three add the HTTP version.
        return switch (words.size()) {
            case 0 -> defaults;
            case 1 -> new HttpCheck(defaults.method(), words.get(0), defaults.version());
            case 2 -> new HttpCheck(words.get(0), words.get(1), defaults.version());
            default -> new HttpCheck(words.get(0), words.get(1), words.get(2));
        };
    }
}
