package dev.lbkit.balancer.config;

import static dev.lbkit.balancer.config.ConfigParser.atoi;

import dev.lbkit.balancer.log.LogLines;
import dev.lbkit.balancer.log.LogTarget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads the {@code global} section: threads, connection limit, stats sockets, and the environment
 * keywords ({@code setenv}, {@code presetenv}, {@code unsetenv}) that later lines expand.
 */
final class GlobalReader {

    /** Global keywords HAProxy allows exactly one argument (more is an alert). */
    private static final Set<String> ONE_ARGUMENT_GLOBAL = Set.of("nbthread", "maxconn");

    private final Diagnostics diag;
    private final Map<String, String> envOverrides = new HashMap<>();
    private final UnaryOperator<String> env;

    private int nbthread;
    private int globalMaxconn;
    private final List<StatsSocket> statsSockets = new ArrayList<>();
    private final List<LogTarget> logTargets = new ArrayList<>();

    GlobalReader(Diagnostics diag, UnaryOperator<String> systemEnv) {
        this.diag = diag;
        this.env =
                name ->
                        envOverrides.containsKey(name)
                                ? envOverrides.get(name)
                                : systemEnv.apply(name);
    }

    /**
     * The process environment as changed so far by {@code setenv}, {@code presetenv} and {@code
     * unsetenv}.
     */
    UnaryOperator<String> env() {
        return env;
    }

    /** What the global section said, once the whole file is read. */
    Global global() {
        return new Global(nbthread, globalMaxconn, statsSockets, logTargets);
    }

    /** Reads one line of the {@code global} section. */
    void read(Args args) {
        String keyword = args.get(0);
        if (ONE_ARGUMENT_GLOBAL.contains(keyword) && diag.tooManyArguments(args, 1)) {
            return;
        }
        switch (keyword) {
            case "user", "group" -> {
                if (args.get(1).isEmpty()) {
                    diag.alert(
                            "cannot find "
                                    + keyword
                                    + " id for '' : '"
                                    + keyword
                                    + "' expects a name or a numeric id.");
                } else if (!diag.tooManyArguments(args, 1)
                        && !SystemAccounts.exists(keyword, args.get(1))) {
                    diag.alert(
                            "cannot find "
                                    + keyword
                                    + " id for '"
                                    + args.get(1)
                                    + "': no such "
                                    + keyword
                                    + " on this machine. Use an existing name or a numeric id.");
                }
            }
            case "nbthread" -> {
                String value = args.get(1);
                if (!value.matches("[0-9]+")) {
                    diag.alert(
                            "'nbthread' passed a missing or unparsable integer value in '"
                                    + value
                                    + "'");
                } else if (value.length() > 6
                        || Integer.parseInt(value) < 1
                        || Integer.parseInt(value) > maxThreads(diag.haproxyLine())) {
                    diag.alert(
                            "'nbthread' value must be between 1 and "
                                    + maxThreads(diag.haproxyLine())
                                    + " (was "
                                    + value
                                    + ")");
                } else {
                    nbthread = Integer.parseInt(value);
                }
            }
            case "maxconn" -> {
                if (args.get(1).isEmpty()) {
                    diag.alert("'maxconn' expects an integer argument.");
                } else {
                    globalMaxconn = atoi(args.get(1));
                }
            }
            case "stats" -> readGlobalStats(args);
            case "log" -> {
                LogTarget target = LogLines.parse(args.rest(1), diag::alert);
                if (target != null) {
                    logTargets.add(target);
                }
            }
            case "setenv", "presetenv" -> {
                if (args.get(1).isEmpty() || args.size() < 3) {
                    diag.alert("'" + keyword + "' expects a name and a value.");
                } else if (keyword.equals("setenv") || env.apply(args.get(1)) == null) {
                    envOverrides.put(args.get(1), args.get(2));
                }
            }
            case "unsetenv" -> {
                for (int i = 1; i < args.size(); i++) {
                    envOverrides.put(args.get(i), null);
                }
            }
            case "resetenv" -> diag.warn("lbkit does not clear the environment for 'resetenv'.");
            case "nbproc" ->
                    diag.alert(
                            "nbproc is not supported any more since HAProxy 2.5. Threads will "
                                    + "automatically be used on multi-processor machines if available.");
            default -> {
                if (Keywords.GLOBAL_FLAGS.contains(keyword)) {
                    if (!args.get(1).isEmpty()) {
                        diag.alert(
                                "'"
                                        + keyword
                                        + "' cannot handle unexpected argument '"
                                        + args.get(1)
                                        + "'.");
                    }
                } else if (Keywords.isHarmlessGlobal(keyword)) {
                    // Process settings (user, chroot, logging, tuning) change nothing in how lbkit
                    // balances; those that take one word refuse a second (measured on 2.6.12).
                    if (Keywords.GLOBAL_ONE_ARGUMENT.contains(keyword) && !args.get(2).isEmpty()) {
                        diag.alert(
                                "'"
                                        + keyword
                                        + "' cannot handle unexpected argument '"
                                        + args.get(2)
                                        + "'.");
                    }
                    return;
                } else {
                    diag.unknownKeyword(keyword, "global", Keywords.globalNames());
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
                    diag.alert(
                            "'stats timeout' : unexpected character '"
                                    + (value.badChar() == null || value.badChar() == '\0'
                                            ? ""
                                            : value.badChar())
                                    + "'");
                }
            }
            case "maxconn", "bind-process" -> {
                if (args.get(2).isEmpty()) {
                    diag.alert("'stats " + what + "' expects an argument.");
                }
            }
            default ->
                    diag.alert(
                            "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '"
                                    + what
                                    + "')");
        }
    }

    private void readStatsSocket(Args args) {
        String raw = args.get(2);
        if (raw.isEmpty()) {
            diag.alert(
                    "'stats socket' in global section expects an address or a path to a UNIX socket");
            return;
        }
        String level = "operator";
        for (int i = 3; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("level")) {
                String value = args.get(i + 1);
                if (!value.equals("user") && !value.equals("operator") && !value.equals("admin")) {
                    diag.alert(
                            "'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '"
                                    + value
                                    + "')'");
                    return;
                }
                level = value;
                i++;
            } else if (Keywords.BIND_OPTIONS.containsKey(option)) {
                i += Keywords.BIND_OPTIONS.get(option);
            } else {
                diag.alert(
                        "'stats socket' : unknown keyword '"
                                + option
                                + "'."
                                + Diagnostics.suggestion(option, Keywords.BIND_OPTIONS.keySet())
                                        .replace("; did", " Did"));
                return;
            }
        }
        Address address;
        try {
            address = Address.split(LineTokenizer.expandInAddress(raw, env));
        } catch (Address.BadPrefixException e) {
            diag.alert(
                    "'stats socket' : invalid address: '" + e.getMessage() + "' in '" + raw + "'");
            return;
        }
        if (address.path() != null) {
            statsSockets.add(new StatsSocket(raw, null, 0, address.path(), level, diag.where()));
            return;
        }
        Integer port = BindReader.bindPort(diag, "stats socket", raw, address);
        if (port == null) {
            return;
        }
        statsSockets.add(new StatsSocket(raw, address.host(), port, null, level, diag.where()));
    }

    /**
     * The most threads a build of that line takes (its MAX_THREADS): 64, then 256 in 3.0, 1024
     * since 3.2.
     */
    static int maxThreads(HaproxyLine line) {
        return switch (line) {
            case V2_6 -> 64;
            case V3_0 -> 256;
            case V3_2, V3_4 -> 1024;
        };
    }
}
