package dev.lbkit.balancer.config;

import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the words after {@code balance} into a {@link Balance}, refusing what HAProxy 2.6 refuses
 * with its own wording. Arguments HAProxy silently ignores (e.g. {@code balance source foo}) are
 * ignored here too.
 */
final class BalanceReader {

    private static final String SUPPORTED = "balance only supports 'roundrobin', 'static-rr', 'leastconn', "
            + "'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.";

    private BalanceReader() {
    }

    /** Returns the balance, or null after sending the reason to {@code alert}. */
    static Balance read(List<String> words, Where where, Consumer<String> alert) {
        String name = words.get(0);
        String second = words.size() > 1 ? words.get(1) : "";
        switch (name) {
            case "roundrobin" -> {
                return Balance.of(Algorithm.ROUNDROBIN, where);
            }
            case "static-rr" -> {
                return Balance.of(Algorithm.STATIC_RR, where);
            }
            case "leastconn" -> {
                return Balance.of(Algorithm.LEASTCONN, where);
            }
            case "first" -> {
                return Balance.of(Algorithm.FIRST, where);
            }
            case "source" -> {
                return Balance.of(Algorithm.SOURCE, where);
            }
            case "uri" -> {
                return uri(words, where, alert);
            }
            case "url_param" -> {
                if (second.isEmpty()) {
                    alert.accept("balance url_param requires an URL parameter name.");
                    return null;
                }
                boolean checkPost = false;
                if (words.size() > 2) {
                    if (!words.get(2).equals("check_post")) {
                        alert.accept("balance url_param only accepts 'check_post' modifier (got '" + words.get(2) + "').");
                        return null;
                    }
                    checkPost = true;
                }
                return new Balance(Algorithm.URL_PARAM, false, 0, 0, false, 2, second, checkPost, false, where);
            }
            case "hash" -> {
                if (second.isEmpty()) {
                    alert.accept("balance hash requires a sample expression.");
                    return null;
                }
                if (words.size() > 2) {
                    alert.accept("balance hash takes no other argument (got '" + words.get(2) + "').");
                    return null;
                }
                return new Balance(Algorithm.HASH, false, 0, 0, false, 2, second, false, false, where);
            }
            default -> {
                // random, hdr(...) and rdp-cookie are recognised by their prefix, as HAProxy does.
            }
        }
        if (name.startsWith("random")) {
            return random(name, where, alert);
        }
        if (name.startsWith("hdr(")) {
            int close = name.indexOf(')');
            if (close <= 4) {
                alert.accept("balance hdr requires an http header field name.");
                return null;
            }
            boolean useDomainOnly = false;
            if (!second.isEmpty()) {
                if (!second.equals("use_domain_only")) {
                    alert.accept("balance " + name + " only accepts 'use_domain_only' modifier (got '" + second + "').");
                    return null;
                }
                useDomainOnly = true;
            }
            return new Balance(Algorithm.HDR, false, 0, 0, false, 2, name.substring(4, close), false,
                    useDomainOnly, where);
        }
        if (name.startsWith("rdp-cookie")) {
            String cookie;
            if (name.equals("rdp-cookie")) {
                cookie = "mstshash";
            } else {
                int close = name.indexOf(')');
                if (name.charAt(10) != '(' || close <= 11) {
                    alert.accept("balance rdp-cookie : missing cookie name.");
                    return null;
                }
                cookie = name.substring(11, close);
            }
            return new Balance(Algorithm.RDP_COOKIE, false, 0, 0, false, 2, cookie, false, false, where);
        }
        alert.accept(SUPPORTED);
        return null;
    }

    private static Balance uri(List<String> words, Where where, Consumer<String> alert) {
        boolean whole = false;
        boolean pathOnly = false;
        int len = 0;
        int depth = 0;
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            switch (word) {
                case "whole" -> whole = true;
                case "path-only" -> pathOnly = true;
                case "len", "depth" -> {
                    String value = i + 1 < words.size() ? words.get(i + 1) : "";
                    int number = ConfigParser.atoi(value);
                    if (number <= 0) {
                        alert.accept("balance uri : '" + word + "' expects a positive integer (got '" + value + "').");
                        return null;
                    }
                    if (word.equals("len")) {
                        len = number;
                    } else {
                        depth = number;
                    }
                    i++;
                }
                default -> {
                    alert.accept("balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '"
                            + word + "').");
                    return null;
                }
            }
        }
        return new Balance(Algorithm.URI, whole, len, depth, pathOnly, 2, null, false, false, where);
    }

    /** {@code random} or {@code random(N)}: N draws, 2 by default; C's strtol reads N (so 0x3 is 3). */
    private static Balance random(String word, Where where, Consumer<String> alert) {
        int draws = 2;
        if (word.length() > 7 && word.charAt(6) == '(' && word.charAt(7) != ')') {
            String inside = word.substring(7);
            int[] parsed = strtol(inside);
            int end = parsed[1];
            if (end >= inside.length()) {
                alert.accept("balance random : missing closing parenthesis.");
                return null;
            }
            if (inside.charAt(end) != ')') {
                alert.accept("balance random : unexpected character '" + inside.charAt(end) + "' after argument.");
                return null;
            }
            if (parsed[0] < 1) {
                alert.accept("balance random : number of draws must be at least 1.");
                return null;
            }
            draws = parsed[0];
        } else if (word.equals("random(")) {
            alert.accept("balance random : missing closing parenthesis.");
            return null;
        }
        return new Balance(Algorithm.RANDOM, false, 0, 0, false, draws, null, false, false, where);
    }

    /** C's {@code strtol(text, &end, 0)}: returns {value, index where reading stopped}. */
    private static int[] strtol(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        if (text.startsWith("0x", i) || text.startsWith("0X", i)) {
            if (i + 2 < text.length() && Character.digit(text.charAt(i + 2), 16) >= 0) {
                radix = 16;
                i += 2;
            }
        } else if (text.startsWith("0", i)) {
            radix = 8;
        }
        int start = i;
        long value = 0;
        while (i < text.length() && Character.digit(text.charAt(i), radix) >= 0) {
            value = Math.min(value * radix + Character.digit(text.charAt(i), radix), Integer.MAX_VALUE);
            i++;
        }
        if (i == start) {
            return new int[] {0, 0};
        }
        return new int[] {(int) (negative ? -value : value), i};
    }
}
