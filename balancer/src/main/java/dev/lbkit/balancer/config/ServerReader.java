package dev.lbkit.balancer.config;

import static dev.lbkit.balancer.config.ConfigParser.atoi;
import static dev.lbkit.balancer.config.ConfigParser.invalidNameChar;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reads {@code server} and {@code default-server} lines: the name and address, then the options
 * ({@link ServerOptions}) that {@code default-server} presets and {@code server} overrides.
 */
final class ServerReader {

    private final Diagnostics diag;
    private final UnaryOperator<String> env;

    /**
     * The HAProxy line whose keywords are read: {@code hash-key} and {@code guid} exist from 3.0
     * on.
     */
    private final HaproxyLine line;

    ServerReader(Diagnostics diag, UnaryOperator<String> env, HaproxyLine line) {
        this.diag = diag;
        this.env = env;
        this.line = line;
    }

    /**
     * Reads a {@code server} line into {@code proxy}, or with {@code defaultServer} a {@code
     * default-server} line.
     */
    void read(ProxyDraft proxy, Args args, boolean defaultServer) {
        String keyword = args.get(0);
        if (proxy.isDefaults && !defaultServer) {
            diag.alertAt("'server' not allowed in 'defaults' section.");
            return;
        }
        if (!proxy.hasBackend()) {
            diag.alertAt(
                    "parsing ["
                            + diag.where()
                            + "] : '"
                            + keyword
                            + "' not allowed because frontend '"
                            + proxy.name
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
                diag.alertAt("'server' expects <name> and <addr>[:<port>] as arguments.");
                return;
            }
            Character bad = invalidNameChar(name);
            if (bad != null) {
                diag.alertAt(
                        "character '" + bad + "' is not permitted in server name '" + name + "'.");
                return;
            }
            String expanded = LineTokenizer.expandInAddress(raw, env);
            String prefix = "'server " + proxy.name + "/" + name + "' : ";
            Address address;
            try {
                address = Address.split(expanded);
            } catch (Address.BadPrefixException e) {
                diag.alertAt(prefix + "invalid address: '" + e.getMessage() + "' in '" + raw + "'");
                return;
            }
            if (address.path() != null) {
                diag.alertAt(
                        prefix
                                + "lbkit forwards to TCP servers only, not to the unix socket '"
                                + address.path()
                                + "'.");
                return;
            }
            host = address.host();
            String portText = address.portText();
            if (portText != null && !portText.isEmpty()) {
                if (portText.startsWith("+") || portText.startsWith("-")) {
                    diag.warn(
                            prefix
                                    + "port offsets are not supported by lbkit; the client's port is used.");
                } else {
                    for (char c : portText.toCharArray()) {
                        if (c < '0' || c > '9') {
                            diag.alertAt(
                                    prefix
                                            + "invalid character '"
                                            + c
                                            + "' in port number '"
                                            + portText
                                            + "' in '"
                                            + expanded
                                            + "'");
                            return;
                        }
                    }
                    if (portText.length() > 6 || Integer.parseInt(portText) > 65535) {
                        diag.alertAt(prefix + "invalid port '" + portText + "'");
                        return;
                    }
                    port = Integer.parseInt(portText);
                }
            }
        }
        String prefix =
                defaultServer
                        ? "'default-server' : "
                        : "'server " + proxy.name + "/" + name + "' : ";
        Integer explicitId = null;
        String guid = null;
        for (int i = first; i < args.size(); i++) {
            String option = args.get(i);
            String value = args.get(i + 1);
            boolean since30 = line.compareTo(HaproxyLine.V3_0) >= 0;
            if (since30 && option.equals("hash-key")) {
                HashKey hashKey = HashKey.of(value, line);
                if (hashKey == null) {
                    diag.alertAt(prefix + "'hash-key' has to be " + hashKeyChoices() + ".");
                    return;
                }
                options.hashKey = hashKey;
                i++;
                continue;
            }
            if (since30 && option.equals("guid") && !defaultServer) {
                if (value.isEmpty()) {
                    diag.alertAt(prefix + "'guid' expects an argument.");
                    return;
                }
                guid = value;
                i++;
                continue;
            }
            switch (option) {
                case "weight" -> {
                    int weight = atoi(value);
                    if (weight < 0 || weight > 256) {
                        diag.alertAt(
                                prefix
                                        + "weight of server "
                                        + name
                                        + " is not within 0 and 256 ("
                                        + weight
                                        + ")..");
                        return;
                    }
                    options.weight = weight;
                    i++;
                }
                case "id" -> {
                    if (defaultServer) {
                        diag.alertAt(prefix + "'id' is not supported in 'default-server'.");
                        return;
                    }
                    if (value.isEmpty()) {
                        diag.alertAt(prefix + "'id' : expects an integer argument.");
                        return;
                    }
                    int id = atoi(value);
                    if (id <= 0) {
                        diag.alertAt(prefix + "'id' : custom id has to be > 0.");
                        return;
                    }
                    for (ServerDraft other : proxy.servers) {
                        if (other.explicitId() != null && other.explicitId() == id) {
                            diag.alertAt(
                                    prefix
                                            + "'id' : custom id "
                                            + id
                                            + " already used at "
                                            + other.where()
                                            + " ('server "
                                            + other.name()
                                            + "').");
                            return;
                        }
                    }
                    explicitId = id;
                    i++;
                }
                case "inter", "fastinter", "downinter" -> {
                    if (value.isEmpty()) {
                        diag.alertAt(prefix + "'" + option + "' expects a delay as argument..");
                        return;
                    }
                    HaproxyTime.Value delay = HaproxyTime.parse(value);
                    if (delay.badChar() != null) {
                        diag.alertAt(
                                prefix
                                        + "unexpected character '"
                                        + delay.badChar()
                                        + "' in '"
                                        + option
                                        + "' argument of server "
                                        + name
                                        + "..");
                        return;
                    }
                    if (delay.overflow()) {
                        diag.alertAt(
                                prefix
                                        + "timer overflow in argument '"
                                        + value
                                        + "' to '"
                                        + option
                                        + "' of server "
                                        + name
                                        + "..");
                        return;
                    }
                    if (delay.millis() == 0) {
                        diag.alertAt(
                                prefix
                                        + "invalid value 0 for argument '"
                                        + option
                                        + "' of server "
                                        + name
                                        + "..");
                        return;
                    }
                    switch (option) {
                        case "inter" -> options.interMs = (int) delay.millis();
                        case "fastinter" -> options.fastinterMs = (int) delay.millis();
                        default -> options.downinterMs = (int) delay.millis();
                    }
                    i++;
                }
                case "rise", "fall" -> {
                    if (value.isEmpty()) {
                        diag.alertAt(prefix + "'" + option + "' expects an integer argument..");
                        return;
                    }
                    int count = atoi(value);
                    if (count <= 0) {
                        diag.alertAt(prefix + "'" + option + "' has to be > 0..");
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
                case "cookie" -> {
                    if (value.isEmpty()) {
                        diag.alertAt(prefix + "'cookie' expects <value> as argument..");
                        return;
                    }
                    options.cookie = value;
                    i++;
                }
                case "track" -> {
                    if (value.isEmpty()) {
                        diag.alertAt(prefix + "'track' expects [<proxy>/]<server> as argument..");
                        return;
                    }
                    options.track = value;
                    i++;
                }
                case "slowstart" -> {
                    HaproxyTime.Value delay = HaproxyTime.parse(value);
                    if (delay.badChar() != null) {
                        // An empty value: HAProxy prints its NUL, which ends the message there.
                        diag.alertAt(
                                prefix
                                        + "unexpected character '"
                                        + (value.isEmpty()
                                                ? "."
                                                : delay.badChar()
                                                        + "' in 'slowstart' argument of server "
                                                        + name
                                                        + ".."));
                        return;
                    }
                    if (delay.overflow()) {
                        diag.alertAt(
                                prefix
                                        + "overflow in argument <"
                                        + value
                                        + "> to <slowstart> of server "
                                        + name
                                        + ", maximum value is 2147483647 ms (~24.8 days)..");
                        return;
                    }
                    options.slowstartMs = (int) delay.millis();
                    i++;
                }
                case "maxqueue" -> {
                    options.maxqueue = Math.max(0, atoi(value));
                    i++;
                }
                case "port" -> {
                    options.checkPort = !value.isEmpty();
                    diag.warn(prefix + "'port' is accepted but ignored by lbkit.");
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
                        // HAProxy ends the alert with a dot when it has no suggestion, and on
                        // default-server drops the prefix for a hint (2.6.12, e.g. 'hash-key').
                        String suggestion = Diagnostics.suggestion(option, Keywords.serverNames());
                        if (!suggestion.isEmpty()) {
                            diag.alertAt(prefix + "unknown keyword '" + option + "'" + suggestion);
                        } else if (defaultServer) {
                            diag.alertAt(
                                    "unknown keyword '"
                                            + option
                                            + "'. Hint: no address was expected for this server.");
                        } else {
                            diag.alertAt(prefix + "unknown keyword '" + option + "'.");
                        }
                        return;
                    }
                    diag.warn(prefix + "'" + option + "' is accepted but ignored by lbkit.");
                    i += skip;
                }
            }
        }
        if (!defaultServer && options.track != null && options.check) {
            diag.alertAt(prefix + "unable to enable checks and tracking at the same time!");
            return;
        }
        if (defaultServer) {
            proxy.defaultServer = options;
        } else {
            proxy.servers.add(
                    new ServerDraft(name, host, port, options, explicitId, diag.where(), guid));
        }
    }

    /**
     * The {@code hash-key} values of this line as HAProxy lists them: "'id', 'addr', or
     * 'addr-port'".
     */
    private String hashKeyChoices() {
        List<String> words =
                HashKey.acceptedBy(line).stream().map(k -> "'" + k.keyword() + "'").toList();
        return String.join(", ", words.subList(0, words.size() - 1))
                + ", or "
                + words.get(words.size() - 1);
    }
}
