package dev.lbkit.balancer.log;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the words of a {@code log} line (after the keyword): {@code <address> [len <n>] [format
 * <f>] [sample <ranges>:<size>] <facility> [<level> [<minlevel>]]}. Mistakes are refused with
 * HAProxy 2.6's words (checked with {@code haproxy -c}).
 */
public final class LogLines {

    /** HAProxy's default {@code len}. */
    static final int DEFAULT_LENGTH = 1024;

    private LogLines() {}

    /**
     * The target a {@code log} line names, or null after {@code alert} heard why it is refused.
     * {@code log global} is the caller's business: it is not a target.
     */
    public static LogTarget parse(List<String> words, Consumer<String> alert) {
        if (words.size() < 2) {
            alert.accept("log : expects <address> and <facility> or global as arguments");
            return null;
        }
        String address = words.get(0);
        int i = 1;
        int maxLength = DEFAULT_LENGTH;
        Framing framing = Framing.LEGACY;
        while (i + 1 < words.size()) {
            String option = words.get(i);
            if (option.equals("len")) {
                String value = words.get(i + 1);
                Integer length = value.matches("[0-9]{1,6}") ? Integer.valueOf(value) : null;
                if (length == null || length < 80 || length > 65535) {
                    alert.accept(
                            "log : invalid log length '"
                                    + value
                                    + "', must be between 80 and 65535");
                    return null;
                }
                maxLength = length;
            } else if (option.equals("format")) {
                framing = Framing.ofWord(words.get(i + 1));
                if (framing == null) {
                    alert.accept("log : unknown log format '" + words.get(i + 1) + "'");
                    return null;
                }
            } else if (!option.equals("sample")) {
                break;
            }
            i += 2;
        }
        if (i >= words.size()) {
            alert.accept("log : expects <address> and <facility> or global as arguments");
            return null;
        }
        int facility = indexOf(LogTarget.FACILITIES, words.get(i));
        if (facility < 0) {
            alert.accept("log : unknown log facility '" + words.get(i) + "'");
            return null;
        }
        int level = LogTarget.LEVELS.length - 1;
        int minLevel = -1;
        if (i + 1 < words.size()) {
            level = indexOf(LogTarget.LEVELS, words.get(i + 1));
            if (level < 0) {
                alert.accept("log : unknown optional log level '" + words.get(i + 1) + "'");
                return null;
            }
        }
        if (i + 2 < words.size()) {
            minLevel = indexOf(LogTarget.LEVELS, words.get(i + 2));
            if (minLevel < 0) {
                alert.accept("log : unknown optional minimum log level '" + words.get(i + 2) + "'");
                return null;
            }
        }
        if (i + 3 < words.size()) {
            alert.accept("log : cannot handle unexpected argument '" + words.get(i + 3) + "'");
            return null;
        }
        return target(address, framing, facility, level, minLevel, maxLength, alert);
    }

    private static LogTarget target(
            String address,
            Framing framing,
            int facility,
            int level,
            int minLevel,
            int maxLength,
            Consumer<String> alert) {
        switch (address) {
            case "stdout", "fd@1" -> {
                return new LogTarget(
                        LogTarget.Kind.STDOUT,
                        null,
                        0,
                        null,
                        framing,
                        facility,
                        level,
                        minLevel,
                        maxLength,
                        address);
            }
            case "stderr", "fd@2" -> {
                return new LogTarget(
                        LogTarget.Kind.STDERR,
                        null,
                        0,
                        null,
                        framing,
                        facility,
                        level,
                        minLevel,
                        maxLength,
                        address);
            }
            default -> {
                // the other addresses follow
            }
        }
        if (address.startsWith("/") || address.startsWith("unix@") || address.startsWith("ring@")) {
            // A ring buffer is not a socket lbkit can write; it is read here and skipped at start,
            // with a warning.
            String path = address.startsWith("/") ? address : address.substring(5);
            return new LogTarget(
                    LogTarget.Kind.UNIX,
                    null,
                    0,
                    path,
                    framing,
                    facility,
                    level,
                    minLevel,
                    maxLength,
                    address);
        }
        String rest = address;
        int at = rest.indexOf('@');
        if (at >= 0) {
            rest = rest.substring(at + 1);
        }
        String host = rest;
        int port = 514;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0
                && (!rest.startsWith("[") || rest.lastIndexOf(']') < colon)
                && rest.indexOf(':') == colon) {
            host = rest.substring(0, colon);
            String portText = rest.substring(colon + 1);
            if (!portText.matches("[0-9]{1,5}") || Integer.parseInt(portText) > 65535) {
                alert.accept("log : invalid port '" + portText + "'");
                return null;
            }
            port = Integer.parseInt(portText);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.equals("*")) {
            host = "0.0.0.0";
        }
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            alert.accept("log : invalid address: '" + host + "' in '" + address + "'");
            return null;
        }
        return new LogTarget(
                LogTarget.Kind.UDP,
                host,
                port,
                null,
                framing,
                facility,
                level,
                minLevel,
                maxLength,
                address);
    }

    private static int indexOf(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
