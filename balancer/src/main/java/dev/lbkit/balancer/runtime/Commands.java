package dev.lbkit.balancer.runtime;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The runtime API commands lbkit understands, answered with the wording of the HAProxy line lbkit
 * runs as (checked against each line's binary): {@code show stat}, {@code disable|enable server},
 * {@code set server b/s weight|state|health}, {@code set weight}, {@code get weight}, {@code set
 * maxconn server} and {@code help}.
 *
 * <p>What changed after 2.6, measured on 3.0.11, 3.2.26 and 3.4.7: an empty command is answered
 * with an empty line (2.6 lists the commands), an unknown command's title quotes its first word,
 * the two weight-parsing errors end with an empty line as the others do, and from 3.2 a NUL byte
 * separates commands as ';' does (2.6 and 3.0 end the line there).
 */
final class Commands {
    /** The privilege of a stats socket, in HAProxy's order. */
    enum Level {
        USER,
        OPERATOR,
        ADMIN;

        /** HAProxy's default for a socket without {@code level} is operator. */
        static Level parse(String word) {
            if (word == null || word.isBlank()) {
                return OPERATOR;
            }
            return switch (word.toLowerCase(Locale.ROOT)) {
                case "user" -> USER;
                case "admin" -> ADMIN;
                default -> OPERATOR;
            };
        }
    }

    private static final String PERMISSION_DENIED = "Permission denied\n\n";
    private static final String NO_SUCH_BACKEND = "No such backend.\n\n";
    private static final String NO_SUCH_SERVER = "No such server.\n\n";
    private static final String REQUIRE_BACKEND_SERVER = "Require 'backend/server'.\n\n";
    private static final String REQUIRE_WEIGHT = "Require <weight> or <weight%>.\n\n";
    private static final String STATIC_WEIGHTS =
            "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n\n";
    private static final String WEIGHT_RANGE =
            "Absolute weight can only be between 0 and 256 inclusive.\n\n";
    private static final String STATE_WORDS =
            "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n";
    private static final String HEALTH_WORDS =
            "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n\n";
    private static final String SET_SERVER_USAGE =
            "usage: set server <backend>/<server> addr | agent | agent-addr"
                    + " | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n\n";

    /** Our commands, in HAProxy's help layout (the command padded to 40 columns, then a colon). */
    private static final List<String[]> HELP =
            List.of(
                    new String[] {
                        "disable server <bk>/<srv>",
                        "put a server in maintenance (prefer 'set server')"
                    },
                    new String[] {"enable server <bk>/<srv>", "take a server out of maintenance"},
                    new String[] {
                        "get weight <bk>/<srv>", "report a server's current and initial weight"
                    },
                    new String[] {
                        "set server <bk>/<srv> [opts]",
                        "change a server's weight, state (ready|drain|maint) or health"
                                + " (up|stopping|down)"
                    },
                    new String[] {
                        "set weight <bk>/<srv> <w>",
                        "change a server's weight (prefer 'set server')"
                    },
                    new String[] {
                        "set maxconn server <bk>/<srv> <n>", "change a server's maxconn setting"
                    },
                    new String[] {"show stat", "report counters for each proxy and server as CSV"},
                    new String[] {"help", "list the commands"},
                    new String[] {"quit", "disconnect"});

    private final RunningProxies lbkit;
    private final Level level;

    /** Whether the answers are 3.0's and later's (see the class comment). */
    private final boolean since30;

    Commands(RunningProxies lbkit, Level level) {
        this.lbkit = lbkit;
        this.level = level;
        this.since30 = lbkit.config().line().compareTo(HaproxyLine.V3_0) >= 0;
    }

    /**
     * Runs one line: several commands may be separated by ';'; their answers follow each other. An
     * empty command (nothing but blanks between separators) is answered with the list of commands
     * on 2.6 and with an empty line from 3.0. A NUL byte ends the line up to 3.0 and separates
     * commands from 3.2.
     */
    String runLine(String line) {
        HaproxyLine runAs = lbkit.config().line();
        String commands = line;
        boolean nulSeparates = runAs.compareTo(HaproxyLine.V3_2) >= 0;
        if (!nulSeparates && commands.indexOf('\0') >= 0) {
            commands = commands.substring(0, commands.indexOf('\0'));
        }
        StringBuilder answers = new StringBuilder();
        for (String command : commands.split(nulSeparates ? "[;\0]" : ";", -1)) {
            String words = stripBlanks(command);
            if (!words.isEmpty()) {
                answers.append(run(words));
            } else if (since30) {
                answers.append("\n");
            } else {
                answers.append(
                        help(
                                "Unknown command. Please enter one of the following commands only:\n"));
            }
        }
        return answers.toString();
    }

    /** Runs one command and returns its full answer, ending with the empty line HAProxy sends. */
    String run(String command) {
        List<String> words = List.of(stripBlanks(command).split("[ \\t]+"));
        String first = words.get(0);
        String second = words.size() > 1 ? words.get(1) : "";
        if (first.equals("show") && second.equals("stat")) {
            return StatCsv.render(lbkit);
        }
        if (first.equals("help")) {
            return help("The following commands are valid at this level:\n");
        }
        if (first.equals("quit")) {
            return "";
        }
        if ((first.equals("disable") || first.equals("enable")) && second.equals("server")) {
            return admin(
                    () ->
                            withServer(
                                    words,
                                    2,
                                    (backend, server) -> {
                                        // As 'set server ... state maint|ready': enable
                                        // ends a drain too, disable replaces it.
                                        backend.setAdminState(
                                                server, first.equals("disable"), false);
                                        return "\n";
                                    }));
        }
        if (first.equals("get") && second.equals("weight")) {
            return withServer(
                    words,
                    2,
                    (backend, server) ->
                            backend.uweight(server)
                                    + " (initial "
                                    + server.spec().weight()
                                    + ")\n\n");
        }
        if (first.equals("set") && second.equals("weight")) {
            return admin(
                    () ->
                            withServer(
                                    words,
                                    2,
                                    (backend, server) ->
                                            words.size() < 4
                                                    ? REQUIRE_WEIGHT
                                                    : setWeight(backend, server, words.get(3))));
        }
        if (first.equals("set")
                && second.equals("maxconn")
                && words.size() > 2
                && words.get(2).equals("server")) {
            return admin(
                    () ->
                            withServer(
                                    words,
                                    3,
                                    (backend, server) ->
                                            words.size() < 5
                                                    ? "Require <maxconn>.\n\n"
                                                    : setMaxconn(backend, server, words.get(4))));
        }
        if (first.equals("set") && second.equals("server")) {
            return admin(
                    () ->
                            withServer(
                                    words,
                                    2,
                                    (backend, server) -> setServer(backend, server, words)));
        }
        return help(
                since30
                        ? "Unknown command: '"
                                + first
                                + "', but maybe one of the following ones is a better match:\n"
                        : "Unknown command, but maybe one of the following ones is a better"
                                + " match:\n");
    }

    private String setServer(Backend backend, Server server, List<String> words) {
        String what = words.size() > 3 ? words.get(3) : "";
        String value = words.size() > 4 ? words.get(4) : "";
        switch (what) {
            case "weight":
                return value.isEmpty() ? REQUIRE_WEIGHT : setWeight(backend, server, value);
            case "state":
                switch (value) {
                    case "ready":
                        backend.setAdminState(server, false, false);
                        return "\n";
                    case "drain":
                        backend.setAdminState(server, false, true);
                        return "\n";
                    case "maint":
                        backend.setAdminState(server, true, false);
                        return "\n";
                    default:
                        return STATE_WORDS;
                }
            case "health":
                if (server.tracked() != null) {
                    return "cannot change health on a tracking server.\n\n";
                }
                // The words are case-sensitive and any after the state are ignored (2.6 to 3.4).
                Backend.Health health =
                        switch (value) {
                            case "up" -> Backend.Health.UP;
                            case "stopping" -> Backend.Health.STOPPING;
                            case "down" -> Backend.Health.DOWN;
                            default -> null;
                        };
                if (health == null) {
                    return HEALTH_WORDS;
                }
                backend.forceHealth(server, health);
                return "\n";
            default:
                return SET_SERVER_USAGE;
        }
    }

    /**
     * {@code N} is an absolute user weight (0..256); {@code N%} is relative to the configured
     * weight. Static algorithms (static-rr, map-based hashing) only take 0% and 100% (absolute 0
     * and the configured weight included), as HAProxy.
     */
    private String setWeight(Backend backend, Server server, String text) {
        boolean percent = text.endsWith("%");
        String digits = percent ? text.substring(0, text.length() - 1) : text;
        int sign = 1;
        if (digits.startsWith("-")) {
            sign = -1;
            digits = digits.substring(1);
        }
        if (digits.isEmpty() || !Character.isDigit(digits.charAt(0))) {
            return parseError("Empty weight string empty or preceded by garbage");
        }
        if (!digits.chars().allMatch(Character::isDigit)) {
            return parseError("Trailing garbage in weight string");
        }
        long number = sign * Long.parseLong(digits.length() > 9 ? digits.substring(0, 9) : digits);
        int initial = server.spec().weight();
        long weight;
        if (percent) {
            if (number < 0) {
                return "Relative weight must be positive.\n\n";
            }
            weight = Math.min(256, initial * number / 100);
        } else {
            if (number < 0 || number > 256) {
                return WEIGHT_RANGE;
            }
            weight = number;
        }
        if (backend.staticWeights() && weight != 0 && weight != initial) {
            return STATIC_WEIGHTS;
        }
        backend.setWeight(server, (int) weight);
        return "\n";
    }

    /**
     * A decimal number with an optional sign, taken modulo 2^32 as HAProxy 2.6 to 3.4 do (measured:
     * -5 gives 4294967291, 4294967296 gives 0, no limit); a number past the 64-bit range is clamped
     * to it first (not measured).
     */
    private String setMaxconn(Backend backend, Server server, String text) {
        int at = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        int end = at;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        if (end == at) {
            return parseError("maxconn string empty or preceded by garbage");
        }
        if (end < text.length()) {
            return parseError("Trailing garbage in maxconn string");
        }
        long value;
        try {
            value = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
        } catch (NumberFormatException tooLong) {
            value = text.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        backend.setMaxconn(server, value & 0xFFFF_FFFFL);
        return "\n";
    }

    /** The command without the spaces and tabs around it (HAProxy's word separators). */
    private static String stripBlanks(String command) {
        int start = 0;
        int end = command.length();
        while (start < end && (command.charAt(start) == ' ' || command.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (command.charAt(end - 1) == ' ' || command.charAt(end - 1) == '\t')) {
            end--;
        }
        return command.substring(start, end);
    }

    /** 2.6 ends these two messages with one newline; 3.0 and later add the empty line. */
    private String parseError(String message) {
        return message + (since30 ? "\n\n" : "\n");
    }

    private String admin(java.util.function.Supplier<String> action) {
        return level == Level.ADMIN ? action.get() : PERMISSION_DENIED;
    }

    private String withServer(List<String> words, int at, ServerAction action) {
        if (words.size() <= at || !words.get(at).contains("/")) {
            return REQUIRE_BACKEND_SERVER;
        }
        String[] names = words.get(at).split("/", 2);
        Optional<Backend> backend = lbkit.backend(names[0]);
        if (backend.isEmpty()) {
            return NO_SUCH_BACKEND;
        }
        Optional<Server> server = backend.get().server(names[1]);
        if (server.isEmpty()) {
            return NO_SUCH_SERVER;
        }
        return action.apply(backend.get(), server.get());
    }

    private static String help(String title) {
        List<String> lines = new ArrayList<>();
        lines.add(title);
        for (String[] entry : HELP) {
            lines.add(
                    String.format("  %-40s: %s%n", entry[0], entry[1])
                            .replace(System.lineSeparator(), "\n"));
        }
        return String.join("", lines) + "\n";
    }

    @FunctionalInterface
    private interface ServerAction {
        String apply(Backend backend, Server server);
    }
}
