package dev.lbkit.all.operators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: Maven
 * Central has writers of the format for Java but no parser. It follows the format's rules and
 * refuses anything else with the line number: {@code # HELP} and {@code # TYPE} at most once per
 * metric family and before its samples, a family's samples contiguous, names and label names of the
 * allowed characters, label values with only the escapes {@code \\}, {@code \"} and {@code \n}, no
 * label twice in a sample, no sample twice, values as Go's float parser reads them (with {@code
 * NaN}, {@code +Inf}, {@code -Inf}), an optional integer timestamp.
 */
final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final List<String> TYPES =
            List.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample: its metric name, labels (sorted by name) and value. */
    record Sample(String name, Map<String, String> labels, double value) {
        /** {@code name{a="x",b="y"}}, labels in name order: the sample's identity. */
        String key() {
            StringBuilder key = new StringBuilder(name).append('{');
            labels.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
            return key.append('}').toString();
        }
    }

    /** A parsed exposition: family types by name, and every sample by key, in order. */
    record Exposition(Map<String, String> types, Map<String, Sample> samples) {}

    private PrometheusText() {}

    static Exposition parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<String, Sample> samples = new LinkedHashMap<>();
        List<String> familiesSeen = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int number = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] words = line.split(" ", 4);
                if (words.length >= 3 && (words[1].equals("HELP") || words[1].equals("TYPE"))) {
                    String name = words[2];
                    requireName(name, number);
                    if (samplesOf(samples, name) > 0) {
                        fail(number, words[1] + " for " + name + " after its samples");
                    }
                    if (words[1].equals("TYPE")) {
                        String type = words.length > 3 ? words[3] : "";
                        if (!TYPES.contains(type)) {
                            fail(number, "unknown type '" + type + "'");
                        }
                        if (types.put(name, type) != null) {
                            fail(number, "a second TYPE line for " + name);
                        }
                    } else if (helps.put(name, words.length > 3 ? words[3] : "") != null) {
                        fail(number, "a second HELP line for " + name);
                    }
                }
                continue;
            }
            Sample sample = sample(line, number);
            String family = sample.name();
            if (!familiesSeen.isEmpty()
                    && !familiesSeen.get(familiesSeen.size() - 1).equals(family)) {
                if (familiesSeen.contains(family)) {
                    fail(number, "samples of " + family + " are not together");
                }
            }
            if (familiesSeen.isEmpty()
                    || !familiesSeen.get(familiesSeen.size() - 1).equals(family)) {
                familiesSeen.add(family);
            }
            if (samples.put(sample.key(), sample) != null) {
                fail(number, "the sample " + sample.key() + " appears twice");
            }
        }
        return new Exposition(types, samples);
    }

    private static long samplesOf(Map<String, Sample> samples, String name) {
        return samples.values().stream().filter(s -> s.name().equals(name)).count();
    }

    private static Sample sample(String line, int number) {
        int at = 0;
        while (at < line.length() && line.charAt(at) != '{' && line.charAt(at) != ' ') {
            at++;
        }
        String name = line.substring(0, at);
        requireName(name, number);
        Map<String, String> labels = new TreeMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at++;
            while (true) {
                if (at < line.length() && line.charAt(at) == '}') {
                    at++;
                    break;
                }
                int eq = line.indexOf('=', at);
                if (eq < 0) {
                    fail(number, "a label without '='");
                }
                String label = line.substring(at, eq);
                if (!LABEL_NAME.matcher(label).matches()) {
                    fail(number, "bad label name '" + label + "'");
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    fail(number, "label " + label + "'s value is not quoted");
                }
                StringBuilder value = new StringBuilder();
                int c = eq + 2;
                while (true) {
                    if (c >= line.length()) {
                        fail(number, "unterminated label value");
                    }
                    char ch = line.charAt(c);
                    if (ch == '"') {
                        break;
                    }
                    if (ch == '\\') {
                        char next = c + 1 < line.length() ? line.charAt(c + 1) : ' ';
                        switch (next) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> fail(number, "bad escape '\\" + next + "' in a label value");
                        }
                        c += 2;
                        continue;
                    }
                    value.append(ch);
                    c++;
                }
                if (labels.put(label, value.toString()) != null) {
                    fail(number, "label " + label + " twice");
                }
                at = c + 1;
                if (at < line.length() && line.charAt(at) == ',') {
                    at++;
                } else if (at >= line.length() || line.charAt(at) != '}') {
                    fail(number, "expected ',' or '}' after a label");
                }
            }
        }
        if (at >= line.length() || line.charAt(at) != ' ') {
            fail(number, "no space before the value");
        }
        String[] rest = line.substring(at + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            fail(number, "expected a value and an optional timestamp");
        }
        if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
            fail(number, "bad timestamp '" + rest[1] + "'");
        }
        return new Sample(name, labels, value(rest[0], number));
    }

    private static double value(String text, int number) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                    fail(number, "bad value '" + text + "'");
                }
                return Double.parseDouble(text);
        }
    }

    private static void requireName(String name, int number) {
        if (!METRIC_NAME.matcher(name).matches()) {
            fail(number, "bad metric name '" + name + "'");
        }
    }

    private static void fail(int line, String what) {
        throw new IllegalArgumentException("line " + line + ": " + what);
    }
}
