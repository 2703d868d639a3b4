package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the alerts and warnings of one reading, in HAProxy's words and order, and knows the line
 * being read so that each message can name it.
 */
final class Diagnostics {
    private final String file;

    /** The HAProxy line whose rules and words this reading follows. */
    private final HaproxyLine haproxyLine;

    private final List<String> alerts = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** How many of {@link #alerts} refuse the file (the others are {@link #alertButGoOn}'s). */
    private int fatal;

    private int line;

    Diagnostics(String file, HaproxyLine haproxyLine) {
        this.file = file;
        this.haproxyLine = haproxyLine;
    }

    HaproxyLine haproxyLine() {
        return haproxyLine;
    }

    /** Whether the line being followed is {@code since} or newer. */
    boolean since(HaproxyLine since) {
        return haproxyLine.compareTo(since) >= 0;
    }

    /** Moves to {@code line} (1-based): later messages name it. */
    void at(int line) {
        this.line = line;
    }

    Where where() {
        return new Where(file, line);
    }

    /** {@code parsing [file:line] : message}, HAProxy's usual shape. */
    void alert(String message) {
        rawAlert("[ALERT] parsing [" + where() + "] : " + message);
    }

    /** {@code [file:line] : message}, the shape HAProxy uses for server lines. */
    void alertAt(String message) {
        rawAlert("[ALERT] [" + where() + "] : " + message);
    }

    /** An alert in a shape of its own, written out whole. */
    void rawAlert(String text) {
        alerts.add(text);
        fatal++;
    }

    /**
     * An alert that does not refuse the file, as HAProxy 3.4 prints for some mistakes it goes on
     * with: shown with the warnings when the file is valid, and in its place among the alerts when
     * something else refuses the file.
     */
    void alertButGoOn(String message) {
        String text = "[ALERT] parsing [" + where() + "] : " + message;
        alerts.add(text);
        warnings.add(text);
    }

    void warn(String message) {
        warnings.add("[WARNING] parsing [" + where() + "] : " + message);
    }

    /** A warning in a shape of its own, written out whole. */
    void rawWarning(String text) {
        warnings.add(text);
    }

    boolean hasAlerts() {
        return fatal > 0;
    }

    List<String> alerts() {
        return alerts;
    }

    List<String> warnings() {
        return warnings;
    }

    /**
     * HAProxy refuses these keywords with more than {@code expected} arguments (checked with
     * haproxy -c 2.6); returns true after the alert.
     */
    boolean tooManyArguments(Args args, int expected) {
        if (args.size() <= expected + 1) {
            return false;
        }
        alert(
                "'"
                        + args.get(0)
                        + "' cannot handle unexpected argument '"
                        + args.get(expected + 1)
                        + "'.");
        return true;
    }

    void unknownKeyword(String keyword, String sectionName, Iterable<String> known) {
        alert(
                "unknown keyword '"
                        + keyword
                        + "' in '"
                        + sectionName
                        + "' section"
                        + suggestion(keyword, known));
    }

    /**
     * {@code "; did you mean 'x' maybe ?"} for the closest known word, or "" when none is close.
     */
    static String suggestion(String word, Iterable<String> known) {
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
