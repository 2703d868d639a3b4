package dev.lbkit.harness.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a CPU profile as a flame graph in SVG, from async-profiler's collapsed stacks (one line per
 * stack: frames from the root, separated by {@code ;}, then a space and the sample count). Each
 * frame is a box as wide as its share of the samples, its callers below it; frames narrower than
 * one pixel are left out. Colours say where the time goes: lbkit's own code blue, Jetty and Javalin
 * purple, the rest of Java green, the kernel orange, the JVM and C libraries red.
 *
 * <p>{@code java -cp harness/target/classes dev.lbkit.harness.bench.FlameGraphSvg in.collapsed
 * out.svg "title"} (docs/benchmarks.md shows how the profiles were taken).
 */
public final class FlameGraphSvg {
    private static final int WIDTH = 1200;
    private static final int ROW = 16;
    private static final int TOP = 40;

    private FlameGraphSvg() {}

    /** One frame of the merged tree: its samples and its callees, in first-seen order. */
    static final class Node {
        final String name;
        long samples;
        final Map<String, Node> children = new LinkedHashMap<>();

        Node(String name) {
            this.name = name;
        }

        Node child(String frame) {
            return children.computeIfAbsent(frame, Node::new);
        }
    }

    /**
     * Merges collapsed stack lines into one tree; lines that are not {@code stack count} are
     * skipped.
     */
    static Node parse(List<String> lines) {
        Node root = new Node("all");
        for (String line : lines) {
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            long count;
            try {
                count = Long.parseLong(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            Node node = root;
            node.samples += count;
            for (String frame : line.substring(0, space).split(";")) {
                node = node.child(frame);
                node.samples += count;
            }
        }
        return root;
    }

    static int depth(Node node) {
        int deepest = 0;
        for (Node child : node.children.values()) {
            deepest = Math.max(deepest, depth(child));
        }
        return deepest + 1;
    }

    /** The SVG of {@code root}, titled {@code title}. */
    static String render(Node root, String title) {
        int rows = depth(root);
        int height = TOP + rows * ROW + 10;
        StringBuilder svg = new StringBuilder(1 << 20);
        svg.append("<?xml version=\"1.0\" standalone=\"no\"?>\n")
                .append("<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\" font-family=\"Verdana, sans-serif\" font-size=\"11\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#fdfdf6\"/>\n")
                .append("<text x=\"")
                .append(WIDTH / 2)
                .append("\" y=\"20\" font-size=\"15\" text-anchor=\"middle\">")
                .append(escape(title))
                .append("</text>\n")
                .append("<text x=\"10\" y=\"34\" fill=\"#555\">")
                .append(root.samples)
                .append(" samples; blue lbkit, purple Jetty/Javalin, green other Java, orange")
                .append(" kernel, red JVM and C libraries; hover a box for its share</text>\n");
        draw(svg, root, 0, WIDTH, 0, rows, root.samples);
        return svg.append("</svg>\n").toString();
    }

    private static void draw(
            StringBuilder svg, Node node, double x, double width, int level, int rows, long total) {
        if (width < 1) {
            return;
        }
        double y = TOP + (rows - level - 1) * ROW;
        String share = String.format(Locale.ROOT, "%.2f", 100.0 * node.samples / total);
        svg.append("<g><title>")
                .append(escape(node.name))
                .append(" (")
                .append(node.samples)
                .append(" samples, ")
                .append(share)
                .append("%)</title><rect x=\"")
                .append(String.format(Locale.ROOT, "%.1f", x))
                .append("\" y=\"")
                .append(String.format(Locale.ROOT, "%.0f", y))
                .append("\" width=\"")
                .append(String.format(Locale.ROOT, "%.1f", width - 0.5))
                .append("\" height=\"")
                .append(ROW - 1)
                .append("\" fill=\"")
                .append(colour(node.name))
                .append("\" rx=\"2\"/>");
        int fits = (int) (width / 7) - 1;
        if (fits >= 3) {
            String label =
                    node.name.length() <= fits
                            ? node.name
                            : node.name.substring(0, fits - 2) + "..";
            svg.append("<text x=\"")
                    .append(String.format(Locale.ROOT, "%.1f", x + 3))
                    .append("\" y=\"")
                    .append(String.format(Locale.ROOT, "%.0f", y + ROW - 4))
                    .append("\">")
                    .append(escape(label))
                    .append("</text>");
        }
        svg.append("</g>\n");
        double at = x;
        List<Node> children = new ArrayList<>(node.children.values());
        for (Node child : children) {
            double w = width * child.samples / node.samples;
            draw(svg, child, at, w, level + 1, rows, total);
            at += w;
        }
    }

    static String colour(String frame) {
        if (frame.endsWith("_[k]")) {
            return "#f0a040";
        }
        if (frame.startsWith("dev/lbkit") || frame.startsWith("dev.lbkit")) {
            return "#7aa6e8";
        }
        if (frame.startsWith("org/eclipse/jetty") || frame.startsWith("io/javalin")) {
            return "#b79ae0";
        }
        if (frame.contains("/") && !frame.startsWith("/")) {
            return "#8fd18f";
        }
        return "#e87a6e";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println(
                    "usage: FlameGraphSvg <profile.collapsed> <out.svg> [title]: draws"
                            + " async-profiler's collapsed stacks as a flame graph");
            System.exit(2);
        }
        Node root = parse(Files.readAllLines(Path.of(args[0])));
        String title = args.length > 2 ? args[2] : Path.of(args[0]).getFileName().toString();
        Files.writeString(Path.of(args[1]), render(root, title));
        System.out.println("wrote " + args[1] + " (" + root.samples + " samples)");
    }
}
