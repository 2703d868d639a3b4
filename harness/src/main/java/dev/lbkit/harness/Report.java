package dev.lbkit.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a small report of a run under {@code target/lbkit-reports/}: a text file with the summary,
 * both distributions as bars and any difference, and an SVG chart of both sides' distributions.
 */
public final class Report {
    private static final Path DIR = Path.of("target", "lbkit-reports");

    private Report() {}

    /**
     * Per-server counts of both sides as text bars, e.g. {@code server1 HAProxy ████ 200 lbkit ████
     * 200}.
     */
    public static String bars(Map<String, Integer> haproxy, Map<String, Integer> lbkit) {
        TreeSet<String> names = new TreeSet<>(haproxy.keySet());
        names.addAll(lbkit.keySet());
        int max = 1;
        for (String n : names) {
            max = Math.max(max, Math.max(haproxy.getOrDefault(n, 0), lbkit.getOrDefault(n, 0)));
        }
        int width = names.stream().mapToInt(String::length).max().orElse(6);
        StringBuilder out = new StringBuilder();
        for (String n : names) {
            out.append(bar(n, width, "HAProxy", haproxy.getOrDefault(n, 0), max));
            out.append(bar("", width, "lbkit", lbkit.getOrDefault(n, 0), max));
        }
        return out.toString();
    }

    /**
     * What a demo prints after a side-by-side run: both sides' bars, then "Same server on both
     * sides for every request: n/n" or the account of the first difference.
     */
    public static String sideBySide(Comparison comparison) {
        String verdict =
                comparison.identical()
                        ? "Same server on both sides for every request: "
                                + comparison.matching()
                                + "/"
                                + comparison.total()
                        : comparison.explainDifference();
        return bars(comparison.haproxy().distribution(), comparison.lbkit().distribution())
                + System.lineSeparator()
                + verdict
                + System.lineSeparator();
    }

    /** One side's per-server counts as text bars. */
    public static String bars(String label, Map<String, Integer> counts) {
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        int width = counts.keySet().stream().mapToInt(String::length).max().orElse(6);
        StringBuilder out = new StringBuilder();
        counts.forEach((n, c) -> out.append(bar(n, width, label, c, max)));
        return out.toString();
    }

    private static String bar(String name, int width, String label, int count, int max) {
        int len = (int) Math.round(40.0 * count / Math.max(1, max));
        return String.format(
                Locale.ROOT,
                "  %-" + width + "s  %-7s %-40s %5d%n",
                name,
                label,
                "█".repeat(len),
                count);
    }

    /** Writes {@code <slug>.txt} and {@code <slug>.svg}; returns the text path. */
    public static Path write(String slug, Comparison comparison, List<String> extraLines) {
        try {
            Files.createDirectories(DIR);
            List<String> lines = new ArrayList<>();
            lines.add(comparison.summary());
            lines.add(
                    "traffic: "
                            + comparison.traffic().name()
                            + ", "
                            + comparison.traffic().requests().size()
                            + " requests, "
                            + comparison.traffic().events().size()
                            + " runtime API events");
            lines.add("HAProxy: " + comparison.haproxy().side());
            lines.add("lbkit:   " + comparison.lbkit().side());
            lines.add("");
            lines.add(bars(comparison.haproxy().distribution(), comparison.lbkit().distribution()));
            lines.addAll(extraLines);
            if (!comparison.identical()) {
                lines.add(comparison.explainDifference());
            }
            Path text = DIR.resolve(slug + ".txt");
            Files.writeString(
                    text, String.join(System.lineSeparator(), lines) + System.lineSeparator());
            Files.writeString(
                    DIR.resolve(slug + ".svg"),
                    svg(
                            comparison.summary(),
                            comparison.haproxy().distribution(),
                            comparison.lbkit().distribution()));
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not write the report under " + DIR.toAbsolutePath(), e);
        }
    }

    /** A grouped bar chart, HAProxy and lbkit side by side per server. */
    static String svg(String title, Map<String, Integer> haproxy, Map<String, Integer> lbkit) {
        TreeSet<String> names = new TreeSet<>(haproxy.keySet());
        names.addAll(lbkit.keySet());
        int max = 1;
        for (String n : names) {
            max = Math.max(max, Math.max(haproxy.getOrDefault(n, 0), lbkit.getOrDefault(n, 0)));
        }
        int group = 70;
        int width = 80 + group * names.size();
        int height = 260;
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                        width,
                        height));
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"16\" font-size=\"13\">%s</text>%n",
                        escape(title)));
        s.append(
                "<rect x=\"10\" y=\"26\" width=\"10\" height=\"10\" fill=\"#1f77b4\"/><text x=\"24\" y=\"35\">HAProxy</text>\n");
        s.append(
                "<rect x=\"90\" y=\"26\" width=\"10\" height=\"10\" fill=\"#ff7f0e\"/><text x=\"104\" y=\"35\">lbkit</text>\n");
        int x = 50;
        int base = 230;
        for (String n : names) {
            int h1 = (int) Math.round(170.0 * haproxy.getOrDefault(n, 0) / max);
            int h2 = (int) Math.round(170.0 * lbkit.getOrDefault(n, 0) / max);
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"25\" height=\"%d\" fill=\"#1f77b4\"/>%n",
                            x,
                            base - h1,
                            h1));
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"25\" height=\"%d\" fill=\"#ff7f0e\"/>%n",
                            x + 27,
                            base - h2,
                            h2));
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\">%d</text>%n",
                            x,
                            base - h1 - 3,
                            haproxy.getOrDefault(n, 0)));
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\">%d</text>%n",
                            x + 27,
                            base - h2 - 3,
                            lbkit.getOrDefault(n, 0)));
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\">%s</text>%n",
                            x,
                            base + 15,
                            escape(n)));
            x += group;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Writes one line to {@code target/lbkit-reports/<folder>/<slug>.txt} (replacing it). */
    public static void writeLine(String folder, String slug, String line) {
        java.nio.file.Path dir = java.nio.file.Path.of("target", "lbkit-reports", folder);
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.writeString(
                    dir.resolve(slug + ".txt"), line + System.lineSeparator());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(
                    "could not write " + dir.resolve(slug + ".txt"), e);
        }
    }
}
