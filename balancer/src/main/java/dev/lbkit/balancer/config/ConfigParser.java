package dev.lbkit.balancer.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads HAProxy's configuration syntax into a {@link Config}.
 *
 * <p>It follows HAProxy 2.6 closely enough that {@code haproxy -c} and lbkit accept and refuse the
 * same files, naming the same first line: mistakes are collected as HAProxy-shaped alerts
 * ({@code [ALERT] parsing [haproxy.cfg:12] : ...}) and thrown together in a {@link ConfigException}.
 * Checks that HAProxy runs after reading the whole file (a missing {@code default_backend}, duplicate
 * server names, unresolvable server addresses) run in the same order and stages here.
 */
public final class ConfigParser {

    /** Global keywords HAProxy allows exactly one argument (more is an alert). */
    private static final java.util.Set<String> ONE_ARGUMENT_GLOBAL = java.util.Set.of("nbthread", "maxconn");
    /** Proxy keywords HAProxy allows exactly one argument (more is an alert). */
    private static final java.util.Set<String> ONE_ARGUMENT_PROXY =
            java.util.Set.of("mode", "default_backend", "retries", "maxconn", "id");

    private ConfigParser() {
    }

    /** Parses a file; alerts name it as HAProxy would ({@code [ALERT] parsing [path:line] : ...}). */
    public static Config parse(Path file) throws IOException, ConfigException {
        // Latin-1 reads any byte sequence, as HAProxy does; the keywords themselves are ASCII.
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        return parse(text, file.toString());
    }

    /** Parses text; {@code fileName} is what alerts print before {@code :line}. */
    public static Config parse(String text, String fileName) throws ConfigException {
        return parse(text, fileName, System::getenv);
    }

    /** Parses text with {@code env} as the process environment (for {@code "${VAR}"} expansion). */
    static Config parse(String text, String fileName, UnaryOperator<String> env) throws ConfigException {
        return new Run(fileName, env).run(text);
    }

    private enum Section { NONE, GLOBAL, DEFAULTS, PROXY, IGNORED }

    // ------------------------------------------------------------------------------------------

    /** One reading of one file. */
    private static final class Run {
        private final String file;
        private final Map<String, String> envOverrides = new HashMap<>();
        private final UnaryOperator<String> systemEnv;
        private final UnaryOperator<String> env;
        private final List<String> alerts = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();

        private Section section = Section.NONE;
        private ProxyDraft current;
        private ProxyDraft currentDefaults = new ProxyDraft();
        private final Map<String, ProxyDraft> namedDefaults = new HashMap<>();
        private final List<ProxyDraft> proxies = new ArrayList<>();

        private int nbthread;
        private int globalMaxconn;
        private final List<StatsSocket> statsSockets = new ArrayList<>();

        private int line;
        private String rawLine;

        Run(String file, UnaryOperator<String> systemEnv) {
            this.file = file;
            this.systemEnv = systemEnv;
            this.env = name -> envOverrides.containsKey(name) ? envOverrides.get(name) : systemEnv.apply(name);
            currentDefaults.isDefaults = true;
        }

        Config run(String text) throws ConfigException {
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                line = i + 1;
                rawLine = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
                LineTokenizer.Result tokens = LineTokenizer.tokenize(rawLine, env);
                if (tokens.failed()) {
                    alerts.add("[ALERT] parsing [" + where() + "]: " + tokens.error() + " at position "
                            + tokens.column() + ":" + System.lineSeparator() + "  " + rawLine
                            + System.lineSeparator() + "  " + " ".repeat(tokens.column() - 1) + "^");
                    continue;
                }
                if (tokens.words().isEmpty()) {
                    continue;
                }
                readLine(new Args(tokens.words()));
            }
            if (!alerts.isEmpty()) {
                throw new ConfigException(alerts);
            }
            List<ProxySection> sections = checkAfterParsing();
            if (!alerts.isEmpty()) {
                throw new ConfigException(alerts);
            }
            resolveServerAddresses(sections);
            if (!alerts.isEmpty()) {
                alerts.add("[ALERT] Failed to initialize server(s) addr.");
                throw new ConfigException(alerts);
            }
            return new Config(new Global(nbthread, globalMaxconn, statsSockets), sections, warnings);
        }

        // ---------------------------------------------------------------- messages

        private Where where() {
            return new Where(file, line);
        }

        /** {@code parsing [file:line] : message}, HAProxy's usual shape. */
        private void alert(String message) {
            alerts.add("[ALERT] parsing [" + where() + "] : " + message);
        }

        /** {@code [file:line] : message}, the shape HAProxy uses for server lines. */
        private void alertAt(String message) {
            alerts.add("[ALERT] [" + where() + "] : " + message);
        }

        private void warn(String message) {
            warnings.add("[WARNING] parsing [" + where() + "] : " + message);
        }

        /**
         * HAProxy refuses these keywords with more than {@code expected} arguments (checked with
         * haproxy -c 2.6); returns true after the alert.
         */
        private boolean tooManyArguments(Args args, int expected) {
            if (args.size() <= expected + 1) {
                return false;
            }
            alert("'" + args.get(0) + "' cannot handle unexpected argument '" + args.get(expected + 1) + "'.");
            return true;
        }

        private void unknownKeyword(String keyword, String sectionName, Iterable<String> known) {
            alert("unknown keyword '" + keyword + "' in '" + sectionName + "' section" + suggestion(keyword, known));
        }

        // ---------------------------------------------------------------- sections

        private void readLine(Args args) {
            String keyword = args.get(0);
            switch (keyword) {
                case "global" -> {
                    closeProxy();
                    section = Section.GLOBAL;
                    tooManyArguments(args, 0);
                    return;
                }
                case "defaults" -> {
                    closeProxy();
                    startDefaults(args);
                    return;
                }
                case "frontend", "backend", "listen" -> {
                    closeProxy();
                    startProxy(args);
                    return;
                }
                default -> {
                    if (Keywords.IGNORED_SECTIONS.contains(keyword)) {
                        closeProxy();
                        section = Section.IGNORED;
                        warn("lbkit ignores the '" + keyword + "' section.");
                        return;
                    }
                }
            }
            switch (section) {
                case NONE -> alerts.add("[ALERT] parsing [" + where() + "]: unknown keyword '" + keyword
                        + "' out of section.");
                case GLOBAL -> readGlobal(args);
                case DEFAULTS, PROXY -> readProxyKeyword(args);
                case IGNORED -> {
                    // Lines of a section lbkit does not use (userlist, peers, ...): warned once at its start.
                }
            }
        }

        private void closeProxy() {
            current = null;
        }

        private void startDefaults(Args args) {
            ProxyDraft defaults = new ProxyDraft();
            defaults.isDefaults = true;
            defaults.name = args.get(1);
            defaults.where = where();
            if (!defaults.name.isEmpty()) {
                namedDefaults.put(defaults.name, defaults);
            }
            currentDefaults = defaults;
            current = defaults;
            section = Section.DEFAULTS;
        }

        private void startProxy(Args args) {
            String keyword = args.get(0);
            section = Section.PROXY;
            ProxyDraft proxy = new ProxyDraft();
            proxy.kind = switch (keyword) {
                case "frontend" -> ProxySection.Kind.FRONTEND;
                case "backend" -> ProxySection.Kind.BACKEND;
                default -> ProxySection.Kind.LISTEN;
            };
            proxy.where = where();
            String name = args.get(1);
            proxy.name = name;
            current = proxy;
            if (name.isEmpty()) {
                alert("'" + keyword + "' expects an <id> argument");
                return;
            }
            Character bad = invalidNameChar(name);
            if (bad != null) {
                alert("character '" + bad + "' is not permitted in '" + keyword + "' name '" + name + "'.");
            }
            for (ProxyDraft other : proxies) {
                boolean clash = (proxy.hasFrontend() && other.hasFrontend())
                        || (proxy.hasBackend() && other.hasBackend());
                if (clash && other.name.equals(name)) {
                    alerts.add("[ALERT] Parsing [" + where() + "]: " + proxy.typeWord() + " '" + name
                            + "' has the same name as " + other.typeWord() + " '" + name + "' declared at "
                            + other.where + ".");
                    break;
                }
            }
            ProxyDraft defaults = currentDefaults;
            if (args.get(2).equals("from")) {
                String from = args.get(3);
                defaults = namedDefaults.get(from);
                if (defaults == null) {
                    alert("defaults section '" + from + "' not found for " + keyword + " '" + name
                            + "'. Declare a 'defaults " + from + "' section above it.");
                    defaults = currentDefaults;
                }
            } else if (!args.get(2).isEmpty()) {
                alert("'" + keyword + " " + name + "' only accepts 'from <defaults>' after its name (got '"
                        + args.get(2) + "').");
            }
            proxy.inherit(defaults);
            proxies.add(proxy);
        }

        // ---------------------------------------------------------------- global

        private void readGlobal(Args args) {
            String keyword = args.get(0);
            if (ONE_ARGUMENT_GLOBAL.contains(keyword) && tooManyArguments(args, 1)) {
                return;
            }
            switch (keyword) {
                case "user", "group" -> {
                    if (args.get(1).isEmpty()) {
                        alert("cannot find " + keyword + " id for '' : '" + keyword
                                + "' expects a name or a numeric id.");
                    }
                }
                case "nbthread" -> {
                    String value = args.get(1);
                    if (!value.matches("[0-9]+")) {
                        alert("'nbthread' passed a missing or unparsable integer value in '" + value + "'");
                    } else if (value.length() > 6 || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 64) {
                        alert("'nbthread' value must be between 1 and 64 (was " + value + ")");
                    } else {
                        nbthread = Integer.parseInt(value);
                    }
                }
                case "maxconn" -> {
                    if (args.get(1).isEmpty()) {
                        alert("'maxconn' expects an integer argument.");
                    } else {
                        globalMaxconn = atoi(args.get(1));
                    }
                }
                case "stats" -> readGlobalStats(args);
                case "setenv", "presetenv" -> {
                    if (args.get(1).isEmpty() || args.size() < 3) {
                        alert("'" + keyword + "' expects a name and a value.");
                    } else if (keyword.equals("setenv") || env.apply(args.get(1)) == null) {
                        envOverrides.put(args.get(1), args.get(2));
                    }
                }
                case "unsetenv" -> {
                    for (int i = 1; i < args.size(); i++) {
                        envOverrides.put(args.get(i), null);
                    }
                }
                case "resetenv" -> warn("lbkit does not clear the environment for 'resetenv'.");
                case "nbproc" -> alert("nbproc is not supported any more since HAProxy 2.5. Threads will "
                        + "automatically be used on multi-processor machines if available.");
                default -> {
                    if (Keywords.GLOBAL_FLAGS.contains(keyword)) {
                        if (!args.get(1).isEmpty()) {
                            alert("'" + keyword + "' cannot handle unexpected argument '" + args.get(1) + "'.");
                        }
                    } else if (Keywords.isHarmlessGlobal(keyword)) {
                        // Process settings (user, chroot, logging, tuning) change nothing in how lbkit balances.
                        return;
                    } else {
                        unknownKeyword(keyword, "global", Keywords.globalNames());
                    }
                }
            }
        }

        private void readGlobalStats(Args args) {
            String what = args.get(1);
            switch (what) {
                case "socket" -> readStatsSocket(args);
                case "timeout" -> {
                    HaproxyTime.Value value = HaproxyTime.parse(args.get(2));
                    if (!value.ok()) {
                        alert("'stats timeout' : unexpected character '"
                                + (value.badChar() == null || value.badChar() == '\0' ? "" : value.badChar()) + "'");
                    }
                }
                case "maxconn", "bind-process" -> {
                    if (args.get(2).isEmpty()) {
                        alert("'stats " + what + "' expects an argument.");
                    }
                }
                default -> alert("'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '"
                        + what + "')");
            }
        }

        private void readStatsSocket(Args args) {
            String raw = args.get(2);
            if (raw.isEmpty()) {
                alert("'stats socket' in global section expects an address or a path to a UNIX socket");
                return;
            }
            String level = "operator";
            for (int i = 3; i < args.size(); i++) {
                String option = args.get(i);
                if (option.equals("level")) {
                    String value = args.get(i + 1);
                    if (!value.equals("user") && !value.equals("operator") && !value.equals("admin")) {
                        alert("'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '"
                                + value + "')'");
                        return;
                    }
                    level = value;
                    i++;
                } else if (Keywords.BIND_OPTIONS.containsKey(option)) {
                    i += Keywords.BIND_OPTIONS.get(option);
                } else {
                    alert("'stats socket' : unknown keyword '" + option + "'."
                            + suggestion(option, Keywords.BIND_OPTIONS.keySet()).replace("; did", " Did"));
                    return;
                }
            }
            Address address;
            try {
                address = Address.split(LineTokenizer.expandInAddress(raw, env));
            } catch (Address.BadPrefixException e) {
                alert("'stats socket' : invalid address: '" + e.getMessage() + "' in '" + raw + "'");
                return;
            }
            if (address.path() != null) {
                statsSockets.add(new StatsSocket(raw, null, 0, address.path(), level, where()));
                return;
            }
            Integer port = bindPort("stats socket", raw, address);
            if (port == null) {
                return;
            }
            statsSockets.add(new StatsSocket(raw, address.host(), port, null, level, where()));
        }

        // ---------------------------------------------------------------- proxies and defaults

        private void readProxyKeyword(Args args) {
            ProxyDraft proxy = current;
            if (proxy == null) {
                return;
            }
            String keyword = args.get(0);
            if (keyword.equals("no") && args.get(1).equals("option")) {
                readOption(proxy, args.shift(), true);
                return;
            }
            if (ONE_ARGUMENT_PROXY.contains(keyword) && tooManyArguments(args, 1)) {
                return;
            }
            switch (keyword) {
                case "bind" -> readBind(proxy, args);
                case "mode" -> readMode(proxy, args);
                case "default_backend" -> {
                    if (!proxy.hasFrontend()) {
                        warn("'default_backend' ignored because backend '" + proxy.name
                                + "' has no frontend capability.");
                    } else if (args.get(1).isEmpty()) {
                        alert("'default_backend' expects a backend name.");
                    } else {
                        proxy.defaultBackend = args.get(1);
                    }
                }
                case "http-reuse" -> readHttpReuse(proxy, args);
                case "balance" -> {
                    if (!proxy.hasBackend()) {
                        warn("'balance' ignored because frontend '" + proxy.name + "' has no backend capability.");
                    } else if (!args.get(1).isEmpty()) {
                        Balance balance = BalanceReader.read(args.rest(1), where(), this::alert);
                        if (balance != null) {
                            proxy.balance = balance;
                        }
                    }
                }
                case "hash-type" -> readHashType(proxy, args);
                case "hash-balance-factor" -> {
                    if (args.get(1).isEmpty()) {
                        alert("'hash-balance-factor' expects an integer argument.");
                        return;
                    }
                    int factor = atoi(args.get(1));
                    if (factor != 0 && factor <= 100) {
                        alert("'hash-balance-factor' must be 0 or greater than 100.");
                    } else {
                        proxy.hashBalanceFactor = factor;
                    }
                }
                case "server" -> readServer(proxy, args, false);
                case "default-server" -> readServer(proxy, args, true);
                case "timeout" -> readTimeout(proxy, args);
                case "retries" -> {
                    if (!proxy.hasBackend()) {
                        warn("'retries' ignored because frontend '" + proxy.name + "' has no backend capability.");
                    } else if (args.get(1).isEmpty()) {
                        alert("'retries' expects an integer argument (dispatch counts for one).");
                    } else {
                        proxy.retries = atoi(args.get(1));
                    }
                }
                case "option" -> readOption(proxy, args, false);
                case "maxconn" -> {
                    if (!proxy.hasFrontend()) {
                        warn("'maxconn' ignored because backend '" + proxy.name + "' has no frontend capability."
                                + " Maybe you want 'fullconn' instead ?");
                    } else if (args.get(1).isEmpty()) {
                        alert("'maxconn' expects an integer argument.");
                    } else {
                        warn("'maxconn' on a proxy is not enforced by lbkit.");
                    }
                }
                case "stats" -> {
                    String what = args.get(1);
                    if (!Keywords.PROXY_STATS.contains(what)) {
                        alerts.add("[ALERT] parsing [" + where() + "]: unknown stats parameter '" + what
                                + "', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version',"
                                + " 'show-node', 'show-desc' or 'show-legends'.");
                    } else {
                        warn("lbkit has no statistics page; 'stats " + what + "' is ignored.");
                    }
                }
                case "id" -> {
                    if (proxy.isDefaults) {
                        alert("'id' not allowed in 'defaults' section.");
                    } else if (atoi(args.get(1)) <= 0) {
                        alerts.add("[ALERT] parsing [" + where() + "]: custom id has to be > 0.");
                    }
                }
                default -> {
                    if (Keywords.HARMLESS_PROXY.contains(keyword)) {
                        warn("'" + keyword + "' is accepted but ignored by lbkit.");
                    } else {
                        unknownKeyword(keyword, proxy.isDefaults ? "defaults" : proxy.sectionName(),
                                Keywords.proxyNames());
                    }
                }
            }
        }

        private void readHttpReuse(ProxyDraft proxy, Args args) {
            if (!proxy.hasBackend()) {
                warn("'http-reuse' ignored because frontend '" + proxy.name + "' has no backend capability.");
                return;
            }
            HttpReuse mode = switch (args.get(1)) {
                case "never" -> HttpReuse.NEVER;
                case "safe" -> HttpReuse.SAFE;
                case "aggressive" -> HttpReuse.AGGRESSIVE;
                case "always" -> HttpReuse.ALWAYS;
                default -> null;
            };
            if (mode == null) {
                alert("'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'.");
            } else if (!args.get(2).isEmpty()) {
                alert("'http-reuse " + args.get(1) + "' cannot handle unexpected argument '" + args.get(2) + "'.");
            } else {
                proxy.httpReuse = mode;
            }
        }

        private void readMode(ProxyDraft proxy, Args args) {
            switch (args.get(1)) {
                case "http" -> proxy.mode = Mode.HTTP;
                case "tcp" -> proxy.mode = Mode.TCP;
                case "health" -> alert("'mode health' doesn't exist anymore. Please use "
                        + "'http-request return status 200' instead.");
                default -> alert("unknown proxy mode '" + args.get(1) + "'.");
            }
        }

        private void readHashType(ProxyDraft proxy, Args args) {
            if (!proxy.hasBackend()) {
                warn("'hash-type' ignored because frontend '" + proxy.name + "' has no backend capability.");
                return;
            }
            boolean consistent;
            switch (args.get(1)) {
                case "consistent" -> consistent = true;
                case "map-based" -> consistent = false;
                default -> {
                    alert("'hash-type' only supports 'consistent' and 'map-based'.");
                    return;
                }
            }
            String function = args.get(2);
            if (function.isEmpty()) {
                // HAProxy adds avalanche on its own only to consistent hashing without a named function.
                proxy.hashType = new HashType(consistent, HashFunction.SDBM, consistent);
                return;
            }
            HashFunction hashFunction;
            switch (function) {
                case "sdbm" -> hashFunction = HashFunction.SDBM;
                case "djb2" -> hashFunction = HashFunction.DJB2;
                case "wt6" -> hashFunction = HashFunction.WT6;
                case "crc32" -> hashFunction = HashFunction.CRC32;
                default -> {
                    alert("'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.");
                    return;
                }
            }
            String modifier = args.get(3);
            if (!modifier.isEmpty() && !modifier.equals("avalanche")) {
                alert("'hash-type' only supports 'avalanche' as a modifier for hash functions.");
                return;
            }
            proxy.hashType = new HashType(consistent, hashFunction, modifier.equals("avalanche"));
        }

        private void readTimeout(ProxyDraft proxy, Args args) {
            String kind = args.get(1);
            if (!Keywords.TIMEOUTS.contains(kind)) {
                alert("'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', "
                        + "'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '" + kind + "')");
                return;
            }
            String name = "timeout " + kind;
            String text = args.get(2);
            if (text.isEmpty()) {
                alert("'" + name + "' expects an integer value (in milliseconds)");
                return;
            }
            HaproxyTime.Value value = HaproxyTime.parse(text);
            if (value.badChar() != null) {
                alert("unexpected character '" + value.badChar() + "' in '" + name + "'");
                return;
            }
            if (value.overflow()) {
                alert("timer overflow in argument '" + text + "' to '" + name
                        + "' (maximum value is 2147483647 ms or ~24.8 days)");
                return;
            }
            if (!args.get(3).isEmpty()) {
                alert("'" + name + "' : unexpected extra argument '" + args.get(3) + "' after value '" + text + "'.");
                return;
            }
            if (!value.trailing().isEmpty()) {
                warn("unexpected character '" + value.trailing().charAt(0) + "' after the timer value '" + text
                        + "'; use us, ms, s, m, h or d.");
            }
            boolean frontendSide = kind.equals("client") || kind.equals("http-request")
                    || kind.equals("http-keep-alive") || kind.equals("client-fin");
            if (frontendSide && !proxy.hasFrontend()) {
                warn("'" + name + "' will be ignored because backend '" + proxy.name + "' has no frontend capability");
                return;
            }
            if (!frontendSide && !proxy.hasBackend() && !kind.equals("tarpit")) {
                warn("'" + name + "' will be ignored because frontend '" + proxy.name + "' has no backend capability");
                return;
            }
            switch (kind) {
                case "connect" -> proxy.connectMs = value.millis();
                case "client" -> proxy.clientMs = value.millis();
                case "server" -> proxy.serverMs = value.millis();
                case "check" -> proxy.checkMs = value.millis();
                default -> warn("'" + name + "' is accepted but not enforced by lbkit.");
            }
        }

        private void readOption(ProxyDraft proxy, Args args, boolean negated) {
            String name = args.get(1);
            if (name.isEmpty()) {
                alerts.add("[ALERT] parsing [" + where() + "]: 'option' expects an option name.");
                return;
            }
            boolean backendOption = name.equals("redispatch") || name.equals("httpchk") || name.equals("allbackups");
            if (backendOption && !proxy.hasBackend()) {
                warn("'" + name + "' ignored because frontend '" + proxy.name + "' has no backend capability.");
                return;
            }
            switch (name) {
                case "redispatch" -> proxy.redispatch = !negated;
                case "forwardfor" -> proxy.forwardFor = !negated;
                case "allbackups" -> proxy.allBackups = !negated;
                case "httpchk" -> proxy.httpCheck = negated ? null : httpCheck(args.rest(2));
                default -> {
                    if (Keywords.HARMLESS_OPTIONS.contains(name)) {
                        return;
                    }
                    alert("unknown option '" + name + "'.");
                }
            }
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

        // ---------------------------------------------------------------- bind

        private void readBind(ProxyDraft proxy, Args args) {
            if (proxy.isDefaults) {
                alert("'bind' not allowed in 'defaults' section.");
                return;
            }
            if (!proxy.hasFrontend()) {
                warn("'bind' ignored because backend '" + proxy.name + "' has no frontend capability.");
                return;
            }
            String raw = args.get(1);
            if (raw.isEmpty()) {
                alert("'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.");
                return;
            }
            boolean v4v6 = false;
            for (int i = 2; i < args.size(); i++) {
                String option = args.get(i);
                if (option.equals("v4v6")) {
                    v4v6 = true;
                } else if (Keywords.BIND_OPTIONS.containsKey(option)) {
                    i += Keywords.BIND_OPTIONS.get(option);
                } else {
                    alert("'bind " + raw + "' in section '" + proxy.sectionName() + "': unknown keyword '" + option
                            + "'" + suggestion(option, Keywords.BIND_OPTIONS.keySet()));
                    return;
                }
            }
            List<Bind> binds = new ArrayList<>();
            for (String part : raw.split(",", -1)) {
                String expanded = LineTokenizer.expandInAddress(part, env);
                Address address;
                try {
                    address = Address.split(expanded);
                } catch (Address.BadPrefixException e) {
                    alert("'bind' : invalid address: '" + e.getMessage() + "' in '" + part + "'");
                    return;
                }
                if (address.path() != null) {
                    warn("lbkit listens on TCP only; the unix socket '" + address.path() + "' is not opened.");
                    continue;
                }
                if (address.portText() == null) {
                    alert("'bind' : missing port specification in '" + part + "'");
                    return;
                }
                if (!address.host().isEmpty() && Address.resolve(address.host(), address.family()) == null) {
                    alert("'bind' : invalid address: '" + address.host() + "' in '" + part + "'");
                    return;
                }
                int[] range = bindPortRange(part, address.portText());
                if (range == null) {
                    return;
                }
                for (int port = range[0]; port <= range[1]; port++) {
                    binds.add(new Bind(address.host(), port, v4v6, where()));
                }
            }
            proxy.binds.addAll(binds);
        }

        /** Reads {@code port} or {@code low-high}; alerts and returns null when HAProxy would refuse it. */
        private int[] bindPortRange(String part, String text) {
            if (text.startsWith("+") || text.startsWith("-")) {
                alert("'bind' : port offset not permitted here in '" + part + "'");
                return null;
            }
            String[] ends = text.split("-", 2);
            int[] range = new int[2];
            for (int i = 0; i < 2; i++) {
                String end = ends.length == 2 ? ends[i] : ends[0];
                if (!end.matches("[0-9]{1,6}") || Integer.parseInt(end) < 1 || Integer.parseInt(end) > 65535) {
                    alert("'bind' : invalid port '" + end + "'");
                    return null;
                }
                range[i] = Integer.parseInt(end);
            }
            if (range[1] < range[0]) {
                alert("'bind' : invalid port range '" + text + "'");
                return null;
            }
            return range;
        }

        private Integer bindPort(String keyword, String raw, Address address) {
            String text = address.portText();
            if (text == null) {
                alert("'" + keyword + "' : missing port specification in '" + raw + "'");
                return null;
            }
            if (!text.matches("[0-9]{1,6}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
                alert("'" + keyword + "' : invalid port '" + text + "'");
                return null;
            }
            return Integer.parseInt(text);
        }

        // ---------------------------------------------------------------- server

        private void readServer(ProxyDraft proxy, Args args, boolean defaultServer) {
            String keyword = args.get(0);
            if (proxy.isDefaults && !defaultServer) {
                alertAt("'server' not allowed in 'defaults' section.");
                return;
            }
            if (!proxy.hasBackend()) {
                alertAt("parsing [" + where() + "] : '" + keyword + "' not allowed because frontend '" + proxy.name
                        + "' has no backend capability.");
                return;
            }
            ServerOptions options = proxy.defaultServer.copy();
            int first = defaultServer ? 1 : 3;
            String name = "";
            String host = null;
            int port = 0;
            if (!defaultServer) {
                name = args.get(1);
                String raw = args.get(2);
                if (name.isEmpty() || raw.isEmpty()) {
                    alertAt("'server' expects <name> and <addr>[:<port>] as arguments.");
                    return;
                }
                Character bad = invalidNameChar(name);
                if (bad != null) {
                    alertAt("character '" + bad + "' is not permitted in server name '" + name + "'.");
                    return;
                }
                String expanded = LineTokenizer.expandInAddress(raw, env);
                String prefix = "'server " + proxy.name + "/" + name + "' : ";
                Address address;
                try {
                    address = Address.split(expanded);
                } catch (Address.BadPrefixException e) {
                    alertAt(prefix + "invalid address: '" + e.getMessage() + "' in '" + raw + "'");
                    return;
                }
                if (address.path() != null) {
                    alertAt(prefix + "lbkit forwards to TCP servers only, not to the unix socket '"
                            + address.path() + "'.");
                    return;
                }
                host = address.host();
                String portText = address.portText();
                if (portText != null && !portText.isEmpty()) {
                    if (portText.startsWith("+") || portText.startsWith("-")) {
                        warn(prefix + "port offsets are not supported by lbkit; the client's port is used.");
                    } else {
                        for (char c : portText.toCharArray()) {
                            if (c < '0' || c > '9') {
                                alertAt(prefix + "invalid character '" + c + "' in port number '" + portText
                                        + "' in '" + expanded + "'");
                                return;
                            }
                        }
                        if (portText.length() > 6 || Integer.parseInt(portText) > 65535) {
                            alertAt(prefix + "invalid port '" + portText + "'");
                            return;
                        }
                        port = Integer.parseInt(portText);
                    }
                }
            }
            String prefix = defaultServer ? "'default-server' : " : "'server " + proxy.name + "/" + name + "' : ";
            Integer explicitId = null;
            for (int i = first; i < args.size(); i++) {
                String option = args.get(i);
                String value = args.get(i + 1);
                switch (option) {
                    case "weight" -> {
                        int weight = atoi(value);
                        if (weight < 0 || weight > 256) {
                            alertAt(prefix + "weight of server " + name + " is not within 0 and 256 (" + weight + ")..");
                            return;
                        }
                        options.weight = weight;
                        i++;
                    }
                    case "id" -> {
                        if (defaultServer) {
                            alertAt(prefix + "'id' is not supported in 'default-server'.");
                            return;
                        }
                        if (value.isEmpty()) {
                            alertAt(prefix + "'id' : expects an integer argument.");
                            return;
                        }
                        int id = atoi(value);
                        if (id <= 0) {
                            alertAt(prefix + "'id' : custom id has to be > 0.");
                            return;
                        }
                        for (ServerDraft other : proxy.servers) {
                            if (other.explicitId() != null && other.explicitId() == id) {
                                alertAt(prefix + "'id' : custom id " + id + " already used at " + other.where()
                                        + " ('server " + other.name() + "').");
                                return;
                            }
                        }
                        explicitId = id;
                        i++;
                    }
                    case "inter", "fastinter", "downinter" -> {
                        if (value.isEmpty()) {
                            alertAt(prefix + "'" + option + "' expects a delay as argument..");
                            return;
                        }
                        HaproxyTime.Value delay = HaproxyTime.parse(value);
                        if (delay.badChar() != null) {
                            alertAt(prefix + "unexpected character '" + delay.badChar() + "' in '" + option
                                    + "' argument of server " + name + "..");
                            return;
                        }
                        if (delay.overflow()) {
                            alertAt(prefix + "timer overflow in argument '" + value + "' to '" + option
                                    + "' of server " + name + "..");
                            return;
                        }
                        if (delay.millis() == 0) {
                            alertAt(prefix + "invalid value 0 for argument '" + option + "' of server " + name + "..");
                            return;
                        }
                        if (option.equals("inter")) {
                            options.interMs = (int) delay.millis();
                        }
                        i++;
                    }
                    case "rise", "fall" -> {
                        if (value.isEmpty()) {
                            alertAt(prefix + "'" + option + "' expects an integer argument..");
                            return;
                        }
                        int count = atoi(value);
                        if (count <= 0) {
                            alertAt(prefix + "'" + option + "' has to be > 0..");
                            return;
                        }
                        if (option.equals("rise")) {
                            options.rise = count;
                        } else {
                            options.fall = count;
                        }
                        i++;
                    }
                    case "maxconn" -> {
                        options.maxconn = Math.max(0, atoi(value));
                        i++;
                    }
                    case "check" -> options.check = true;
                    case "no-check" -> options.check = false;
                    case "backup" -> options.backup = true;
                    case "no-backup" -> options.backup = false;
                    case "disabled" -> options.disabled = true;
                    case "enabled" -> options.disabled = false;
                    default -> {
                        Integer skip = Keywords.SERVER_OPTIONS.get(option);
                        if (skip == null) {
                            alertAt(prefix + "unknown keyword '" + option + "'"
                                    + suggestion(option, Keywords.serverNames()));
                            return;
                        }
                        warn(prefix + "'" + option + "' is accepted but ignored by lbkit.");
                        i += skip;
                    }
                }
            }
            if (defaultServer) {
                proxy.defaultServer = options;
            } else {
                proxy.servers.add(new ServerDraft(name, host, port, options, explicitId, where()));
            }
        }

        // ---------------------------------------------------------------- after parsing

        private List<ProxySection> checkAfterParsing() {
            List<ProxySection> sections = new ArrayList<>();
            for (ProxyDraft proxy : proxies) {
                line = proxy.where.line();
                if (proxy.hasFrontend() && proxy.defaultBackend != null) {
                    checkDefaultBackend(proxy);
                }
                Map<String, ServerDraft> byName = new LinkedHashMap<>();
                for (ServerDraft server : proxy.servers) {
                    ServerDraft earlier = byName.putIfAbsent(server.name(), server);
                    if (earlier != null) {
                        alerts.add("[ALERT] parsing [" + server.where() + "] : " + proxy.typeWord() + " '" + proxy.name
                                + "', another server named '" + server.name() + "' was already defined at line "
                                + earlier.where().line() + ", please use distinct names.");
                    }
                }
                if (proxy.hasFrontend() && proxy.binds.isEmpty() && proxy.kind == ProxySection.Kind.FRONTEND) {
                    warnings.add("[WARNING] frontend '" + proxy.name + "' has no 'bind' directive.");
                }
                sections.add(toSection(proxy));
            }
            return sections;
        }

        private void checkDefaultBackend(ProxyDraft frontend) {
            ProxyDraft target = null;
            for (ProxyDraft candidate : proxies) {
                if (candidate.hasBackend() && candidate.name.equals(frontend.defaultBackend)) {
                    target = candidate;
                    break;
                }
            }
            if (target == null) {
                alerts.add("[ALERT] Proxy '" + frontend.name + "': unable to find required default_backend: '"
                        + frontend.defaultBackend + "'. Declare a backend named '" + frontend.defaultBackend
                        + "' or fix the name on the default_backend line of " + frontend.sectionName() + " '"
                        + frontend.name + "' (section starts at line " + frontend.where.line() + ").");
            } else if (target == frontend) {
                alerts.add("[ALERT] Proxy '" + frontend.name + "': loop detected for default_backend: '"
                        + frontend.defaultBackend + "'.");
            } else if (frontend.mode == Mode.HTTP && target.mode == Mode.TCP) {
                alerts.add("[ALERT] http " + frontend.sectionName() + " '" + frontend.name + "' (" + frontend.where
                        + ") tries to use incompatible tcp " + target.sectionName() + " '" + target.name + "' ("
                        + target.where + ") as its default backend (see 'mode').");
            }
        }

        private ProxySection toSection(ProxyDraft proxy) {
            List<ServerSpec> servers = new ArrayList<>();
            List<Integer> ids = ServerIds.resolve(proxy.servers.stream().map(ServerDraft::explicitId).toList());
            for (int i = 0; i < proxy.servers.size(); i++) {
                ServerDraft draft = proxy.servers.get(i);
                ServerOptions o = draft.options();
                servers.add(new ServerSpec(draft.name(), draft.host(), draft.port(), o.weight, ids.get(i),
                        draft.explicitId() != null, o.check, o.interMs, o.rise, o.fall, o.backup, o.disabled,
                        o.maxconn, draft.where()));
            }
            Balance balance = proxy.balance != null ? proxy.balance : Balance.roundrobin(proxy.where);
            boolean frontendOnly = proxy.kind == ProxySection.Kind.FRONTEND;
            return new ProxySection(proxy.kind, proxy.name, proxy.where, proxy.mode, proxy.binds,
                    proxy.kind == ProxySection.Kind.BACKEND ? null : proxy.defaultBackend, balance, proxy.hashType,
                    servers, new Timeouts(proxy.connectMs, proxy.clientMs, proxy.serverMs, proxy.checkMs),
                    proxy.retries, proxy.redispatch, proxy.forwardFor, frontendOnly ? null : proxy.httpCheck,
                    proxy.allBackups, proxy.hashBalanceFactor, proxy.httpReuse);
        }

        private void resolveServerAddresses(List<ProxySection> sections) {
            for (ProxySection section : sections) {
                for (ServerSpec server : section.servers()) {
                    if (!server.host().isEmpty() && Address.resolve(server.host(), null) == null) {
                        alerts.add("[ALERT] [" + server.where() + "] : 'server " + section.name() + "/"
                                + server.name() + "' : could not resolve address '" + server.host() + "'.");
                    }
                }
            }
        }

        // ---------------------------------------------------------------- helpers

        private String suggestion(String word, Iterable<String> known) {
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            for (String candidate : known) {
                int distance = Keywords.editDistance(word, candidate);
                if (distance < bestDistance) {
                    best = candidate;
                    bestDistance = distance;
                }
            }
            if (best == null || bestDistance > Math.max(1, word.length() / 3)) {
                return "";
            }
            return "; did you mean '" + best + "' maybe ?";
        }
    }

    /** The C library's {@code atoi}: optional sign and leading digits, 0 when there are none. */
    public static int atoi(String text) {
        int i = 0;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        long value = 0;
        while (i < text.length() && Character.isDigit(text.charAt(i)) && value <= Integer.MAX_VALUE) {
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        value = negative ? -value : value;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }

    /** The first character HAProxy refuses in a proxy or server name, or null when the name is fine. */
    static Character invalidNameChar(String name) {
        for (char c : name.toCharArray()) {
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == ':';
            if (!ok) {
                return c;
            }
        }
        return null;
    }
}
