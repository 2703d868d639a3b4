package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares two access logs of the same traffic, line i with line i, field by field: HAProxy's
 * {@code option httplog} lines against lbkit's.
 *
 * <p>What must be equal: frontend, backend, server, status, bytes, termination state, retries, the
 * queues, the captured cookies and the request line. What may differ, and by how much: the date by
 * {@link #DATE_TOLERANCE_MS} (the two sides get each request a moment apart, but the format must be
 * the same); each timer by {@link #TIMER_TOLERANCE_MS}, with -1 (a step that never happened) on
 * both sides or neither; the four connection counters ({@code %ac/%fc/%bc/%sc}) by 1, since the
 * previous request's teardown can still be under way on either side when the next one is logged
 * (seen on HAProxy's side as {@code 2/2/1/1} between two sequential requests). The client port is
 * not compared: each side has its own client connection, so the kernel gives each its own port.
 *
 * <p>Lines are paired by their request line (the traffic makes each one unique), since two requests
 * that end within a moment may be logged in either order.
 */
public final class AccessLogComparison {
    /** How far apart the two sides' dates of one request may be. */
    public static final long DATE_TOLERANCE_MS = 2000;

    /**
     * How far apart one timer may be, in ms: two processes on a loaded machine (a 200 ms stall was
     * seen).
     */
    public static final long TIMER_TOLERANCE_MS = 250;

    private static final Pattern HTTPLOG =
            Pattern.compile(
                    "^(\\S+):(\\d+) \\[(\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:"
                            + "\\d\\d\\.\\d{3})\\] (\\S+) (\\S+)/(\\S+) (-?\\d+)/(-?\\d+)/(-?\\d+)/(-?\\d+)/(\\d+) (\\d+) (\\d+) (\\S+) "
                            + "(\\S+) (\\S{4}) (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\+?\\d+) (\\d+)/(\\d+) \"(.*)\"$");
    private static final List<String> EXACT =
            List.of(
                    "client ip",
                    "frontend",
                    "backend",
                    "server",
                    "status",
                    "bytes",
                    "request cookie",
                    "response cookie",
                    "termination state",
                    "retries",
                    "server queue",
                    "backend queue",
                    "request line");
    private static final List<String> COUNTERS =
            List.of("active conns", "frontend conns", "backend conns", "server conns");
    private static final List<String> TIMERS = List.of("TR", "Tw", "Tc", "Tr", "Ta");
    private static final java.time.format.DateTimeFormatter DATE =
            java.time.format.DateTimeFormatter.ofPattern(
                    "dd/MMM/yyyy:HH:mm:ss.SSS", java.util.Locale.ENGLISH);

    /** One parsed line: its fields by name, in line order. */
    public record Line(String text, Map<String, String> fields) {}

    /**
     * The outcome: how many lines each side had, how many pairs were compared, and for each field
     * how many pairs agreed (within tolerance for the timers and the date); {@link #problems} names
     * each disagreement.
     */
    public record Result(
            int haproxyLines,
            int lbkitLines,
            int compared,
            Map<String, Integer> equalByField,
            List<String> problems) {
        public boolean agrees() {
            return problems.isEmpty();
        }

        /** One line per field: {@code server: 40/40}. */
        public String figures() {
            StringBuilder text =
                    new StringBuilder(
                            "lines: HAProxy "
                                    + haproxyLines
                                    + ", lbkit "
                                    + lbkitLines
                                    + ", compared "
                                    + compared
                                    + "\n");
            equalByField.forEach(
                    (field, equal) ->
                            text.append(String.format("  %-18s %d/%d%n", field, equal, compared)));
            return text.toString();
        }
    }

    private AccessLogComparison() {}

    /**
     * The httplog lines in {@code output} (anything else, alerts or test chatter, is left out),
     * parsed.
     */
    public static List<Line> httplogLines(String output) {
        List<Line> lines = new ArrayList<>();
        for (String text : output.split("\n")) {
            Matcher m = HTTPLOG.matcher(text.strip());
            if (!m.matches()) {
                continue;
            }
            Map<String, String> f = new LinkedHashMap<>();
            String[] names = {
                "client ip",
                "client port",
                "date",
                "frontend",
                "backend",
                "server",
                "TR",
                "Tw",
                "Tc",
                "Tr",
                "Ta",
                "status",
                "bytes",
                "request cookie",
                "response cookie",
                "termination state",
                "active conns",
                "frontend conns",
                "backend conns",
                "server conns",
                "retries",
                "server queue",
                "backend queue",
                "request line"
            };
            for (int i = 0; i < names.length; i++) {
                f.put(names[i], m.group(i + 1));
            }
            lines.add(new Line(text.strip(), f));
        }
        return lines;
    }

    /**
     * Pairs each HAProxy line with the lbkit line of the same request line (lbkit's unpaired lines
     * last) and compares the pairs; a different number of lines is a problem too.
     */
    public static Result compare(List<Line> haproxy, List<Line> unpairedLbkit) {
        List<Line> left = new ArrayList<>(unpairedLbkit);
        List<Line> lbkit = new ArrayList<>();
        for (Line line : haproxy) {
            String request = line.fields().get("request line");
            left.stream()
                    .filter(l -> l.fields().get("request line").equals(request))
                    .findFirst()
                    .ifPresent(
                            l -> {
                                left.remove(l);
                                lbkit.add(l);
                            });
        }
        lbkit.addAll(left);
        List<String> problems = new ArrayList<>();
        if (haproxy.size() != lbkit.size()) {
            problems.add("HAProxy wrote " + haproxy.size() + " lines, lbkit " + lbkit.size());
        }
        int n = Math.min(haproxy.size(), lbkit.size());
        Map<String, Integer> equal = new LinkedHashMap<>();
        EXACT.forEach(field -> equal.put(field, 0));
        COUNTERS.forEach(field -> equal.put(field + " (+-1)", 0));
        equal.put("date (format, +-" + DATE_TOLERANCE_MS + " ms)", 0);
        TIMERS.forEach(timer -> equal.put(timer + " (+-" + TIMER_TOLERANCE_MS + " ms)", 0));
        for (int i = 0; i < n; i++) {
            Map<String, String> h = haproxy.get(i).fields();
            Map<String, String> l = lbkit.get(i).fields();
            List<String> differing = new ArrayList<>();
            for (String field : EXACT) {
                if (h.get(field).equals(l.get(field))) {
                    equal.merge(field, 1, Integer::sum);
                } else {
                    differing.add(field + " '" + h.get(field) + "' vs '" + l.get(field) + "'");
                }
            }
            for (String field : COUNTERS) {
                if (Math.abs(Long.parseLong(h.get(field)) - Long.parseLong(l.get(field))) <= 1) {
                    equal.merge(field + " (+-1)", 1, Integer::sum);
                } else {
                    differing.add(field + " '" + h.get(field) + "' vs '" + l.get(field) + "'");
                }
            }
            String dateKey = "date (format, +-" + DATE_TOLERANCE_MS + " ms)";
            if (Math.abs(epochMillis(h.get("date")) - epochMillis(l.get("date")))
                    <= DATE_TOLERANCE_MS) {
                equal.merge(dateKey, 1, Integer::sum);
            } else {
                differing.add("date '" + h.get("date") + "' vs '" + l.get("date") + "'");
            }
            for (String timer : TIMERS) {
                long a = Long.parseLong(h.get(timer));
                long b = Long.parseLong(l.get(timer));
                boolean close = (a < 0) == (b < 0) && Math.abs(a - b) <= TIMER_TOLERANCE_MS;
                if (close) {
                    equal.merge(timer + " (+-" + TIMER_TOLERANCE_MS + " ms)", 1, Integer::sum);
                } else {
                    differing.add(timer + " " + a + " vs " + b);
                }
            }
            if (!differing.isEmpty()) {
                problems.add(
                        "line "
                                + (i + 1)
                                + ": "
                                + String.join(", ", differing)
                                + "\n  HAProxy: "
                                + haproxy.get(i).text()
                                + "\n  lbkit:   "
                                + lbkit.get(i).text());
            }
        }
        return new Result(haproxy.size(), lbkit.size(), n, equal, problems);
    }

    private static long epochMillis(String date) {
        return java.time.LocalDateTime.parse(date, DATE)
                .atZone(java.time.ZoneId.systemDefault())
                .toInstant()
                .toEpochMilli();
    }
}
