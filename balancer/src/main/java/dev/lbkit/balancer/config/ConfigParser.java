package dev.lbkit.balancer.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads HAProxy's configuration syntax into a {@link Config}.
 *
 * <p>It follows HAProxy 2.6 closely enough that {@code haproxy -c} and lbkit accept and refuse the
 * same files, naming the same first line: mistakes are collected as HAProxy-shaped alerts ({@code
 * [ALERT] parsing [haproxy.cfg:12] : ...}) and thrown together in a {@link ConfigException}. Checks
 * that HAProxy runs after reading the whole file (a missing {@code default_backend}, duplicate
 * server names, unresolvable server addresses) run in the same order and stages here.
 *
 * <p>This class reads the lines that open sections and hands the others to the section's reader:
 * {@link GlobalReader}, {@link ProxyReader} (with {@link BindReader} and {@link ServerReader});
 * {@link AfterParsing} runs the checks that need the whole file. All of them report through one
 * {@link Diagnostics}.
 */
public final class ConfigParser {

    private enum Section {
        NONE,
        GLOBAL,
        DEFAULTS,
        PROXY,
        IGNORED
    }

    private final Diagnostics diag;
    private final GlobalReader global;
    private final UnaryOperator<String> env;
    private final ProxyReader proxyReader;

    /** The HAProxy line whose rules read the file (e.g. its default {@code balance}). */
    private final HaproxyLine line;

    private Section section = Section.NONE;
    private ProxyDraft current;
    private ProxyDraft currentDefaults = new ProxyDraft();
    private final Map<String, ProxyDraft> namedDefaults = new HashMap<>();
    private final List<ProxyDraft> proxies = new ArrayList<>();

    /** One reading of one file. */
    private ConfigParser(String file, UnaryOperator<String> systemEnv, HaproxyLine line) {
        this.line = line;
        this.diag = new Diagnostics(file, line);
        this.global = new GlobalReader(diag, systemEnv);
        this.env = global.env();
        this.proxyReader = new ProxyReader(diag, env, line);
        currentDefaults.isDefaults = true;
    }

    /**
     * Parses a file; alerts name it as HAProxy would ({@code [ALERT] parsing [path:line] : ...}).
     */
    public static Config parse(Path file) throws IOException, ConfigException {
        return parse(file, HaproxyLine.DEFAULT);
    }

    /** Parses a file as HAProxy {@code line} reads it. */
    public static Config parse(Path file, HaproxyLine line) throws IOException, ConfigException {
        // Latin-1 reads any byte sequence, as HAProxy does; the keywords themselves are ASCII.
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        return parse(text, file.toString(), line);
    }

    /** Parses text; {@code fileName} is what alerts print before {@code :line}. */
    public static Config parse(String text, String fileName) throws ConfigException {
        return parse(text, fileName, HaproxyLine.DEFAULT);
    }

    /** Parses text as HAProxy {@code line} reads it. */
    public static Config parse(String text, String fileName, HaproxyLine line)
            throws ConfigException {
        return parse(text, fileName, System::getenv, line);
    }

    /** Parses text with {@code env} as the process environment (for {@code "${VAR}"} expansion). */
    static Config parse(String text, String fileName, UnaryOperator<String> env)
            throws ConfigException {
        return parse(text, fileName, env, HaproxyLine.DEFAULT);
    }

    static Config parse(String text, String fileName, UnaryOperator<String> env, HaproxyLine line)
            throws ConfigException {
        return new ConfigParser(fileName, env, line).run(text);
    }

    private Config run(String text) throws ConfigException {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            diag.at(i + 1);
            String rawLine =
                    lines[i].endsWith("\r")
                            ? lines[i].substring(0, lines[i].length() - 1)
                            : lines[i];
            LineTokenizer.Result tokens = LineTokenizer.tokenize(rawLine, env);
            if (tokens.failed()) {
                diag.rawAlert(
                        "[ALERT] parsing ["
                                + diag.where()
                                + "]: "
                                + tokens.error()
                                + " at position "
                                + tokens.column()
                                + ":"
                                + System.lineSeparator()
                                + "  "
                                + rawLine
                                + System.lineSeparator()
                                + "  "
                                + " ".repeat(tokens.column() - 1)
                                + "^");
                continue;
            }
            if (tokens.words().isEmpty()) {
                continue;
            }
            readLine(new Args(tokens.words()));
        }
        if (diag.hasAlerts()) {
            throw new ConfigException(diag.alerts());
        }
        List<ProxySection> sections =
                AfterParsing.checkAfterParsing(proxies, diag, line, global.global().logTargets());
        if (diag.hasAlerts()) {
            throw new ConfigException(diag.alerts());
        }
        AfterParsing.checkTracking(sections, diag);
        AfterParsing.resolveServerAddresses(sections, diag);
        if (diag.hasAlerts()) {
            diag.rawAlert("[ALERT] Failed to initialize server(s) addr.");
            throw new ConfigException(diag.alerts());
        }
        return new Config(global.global(), sections, diag.warnings(), line);
    }

    /**
     * A frontend (or listen) named like a named defaults section: fine up to 3.0, a warning in 3.2,
     * refused since 3.3.
     */
    private void sameNameAsADefaultsSection(ProxyDraft proxy, String name) {
        ProxyDraft defaults = namedDefaults.get(name);
        if (defaults == null || !proxy.hasFrontend() || !diag.since(HaproxyLine.V3_2)) {
            return;
        }
        String clash =
                "Parsing ["
                        + diag.where()
                        + "]: "
                        + proxy.typeWord()
                        + " '"
                        + name
                        + "' has the same name as defaults '"
                        + name
                        + "' declared at "
                        + defaults.where
                        + ".";
        if (diag.since(HaproxyLine.V3_4)) {
            diag.rawAlert(
                    "[ALERT] "
                            + clash
                            + " This is no longer supported as of 3.3. Please rename one or the other.");
        } else {
            diag.rawWarning(
                    "[WARNING] "
                            + clash
                            + " This is dangerous and will not be supported anymore in version 3.3.");
        }
    }

    /** Starts a section, or hands the line to the reader of the section it is in. */
    private void readLine(Args args) {
        String keyword = args.get(0);
        switch (keyword) {
            case "global" -> {
                closeProxy();
                section = Section.GLOBAL;
                diag.tooManyArguments(args, 0);
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
                    diag.warn("lbkit ignores the '" + keyword + "' section.");
                    return;
                }
            }
        }
        switch (section) {
            case NONE ->
                    diag.rawAlert(
                            "[ALERT] parsing ["
                                    + diag.where()
                                    + "]: unknown keyword '"
                                    + keyword
                                    + "' out of section.");
            case GLOBAL -> global.read(args);
            case DEFAULTS, PROXY -> proxyReader.read(current, args);
            case IGNORED -> {
                // Lines of a section lbkit does not use (userlist, peers, ...): warned once at its
                // start.
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
        defaults.where = diag.where();
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
        proxy.kind =
                switch (keyword) {
                    case "frontend" -> ProxySection.Kind.FRONTEND;
                    case "backend" -> ProxySection.Kind.BACKEND;
                    default -> ProxySection.Kind.LISTEN;
                };
        proxy.where = diag.where();
        String name = args.get(1);
        proxy.name = name;
        current = proxy;
        if (name.isEmpty()) {
            diag.alert("'" + keyword + "' expects an <id> argument");
            return;
        }
        Character bad = invalidNameChar(name);
        if (bad != null) {
            String message =
                    "character '"
                            + bad
                            + "' is not permitted in '"
                            + keyword
                            + "' name '"
                            + name
                            + "'.";
            if (diag.since(HaproxyLine.V3_4)) {
                // 3.4 prints the same alert but keeps the proxy under that name: the file stays
                // valid and starts (measured: haproxy -c exits 0, the proxy serves).
                diag.alertButGoOn(message);
            } else {
                diag.alert(message);
            }
        }
        for (ProxyDraft other : proxies) {
            boolean clash =
                    (proxy.hasFrontend() && other.hasFrontend())
                            || (proxy.hasBackend() && other.hasBackend());
            if (clash && other.name.equals(name)) {
                diag.rawAlert(
                        "[ALERT] Parsing ["
                                + diag.where()
                                + "]: "
                                + proxy.typeWord()
                                + " '"
                                + name
                                + "' has the same name as "
                                + other.typeWord()
                                + " '"
                                + name
                                + "' declared at "
                                + other.where
                                + ".");
                break;
            }
        }
        sameNameAsADefaultsSection(proxy, name);
        ProxyDraft defaults = currentDefaults;
        if (args.get(2).equals("from")) {
            String from = args.get(3);
            defaults = namedDefaults.get(from);
            if (defaults == null) {
                diag.alert(
                        "defaults section '"
                                + from
                                + "' not found for "
                                + keyword
                                + " '"
                                + name
                                + "'. Declare a 'defaults "
                                + from
                                + "' section above it.");
                defaults = currentDefaults;
            }
        } else if (!args.get(2).isEmpty()) {
            diag.alert(
                    "'"
                            + keyword
                            + " "
                            + name
                            + "' only accepts 'from <defaults>' after its name (got '"
                            + args.get(2)
                            + "').");
        }
        proxy.inherit(defaults);
        proxies.add(proxy);
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
        while (i < text.length()
                && Character.isDigit(text.charAt(i))
                && value <= Integer.MAX_VALUE) {
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        value = negative ? -value : value;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }

    /**
     * The first character HAProxy refuses in a proxy or server name, or null when the name is fine.
     */
    static Character invalidNameChar(String name) {
        for (char c : name.toCharArray()) {
            boolean ok =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || c == '.'
                            || c == '-'
                            || c == '_'
                            || c == ':';
            if (!ok) {
                return c;
            }
        }
        return null;
    }
}
