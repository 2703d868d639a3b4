package dev.lbkit.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps code shown in the lessons identical to the compiled source. A lesson marks a block with
 * {@code <!-- snippet: path/to/File.java#name -->} ... {@code <!-- /snippet -->}; the source marks
 * the region with {@code // snippet:start name} and {@code // snippet:end name} ({@code #
 * snippet:start name} in a {@code haproxy.cfg}, a YAML or a shell file, whose blocks are fenced as
 * such). {@link #check} lists every block whose text no longer matches its source; {@code main
 * --fix} rewrites the blocks from the source.
 */
public final class Snippets {
    private static final Pattern BLOCK =
            Pattern.compile(
                    "<!-- snippet: ([^#\\s]+)#([\\w-]+) -->\\n(.*?)<!-- /snippet -->",
                    Pattern.DOTALL);

    private Snippets() {}

    /**
     * A block in a Markdown file that does not match its source region, or names one that does not
     * exist.
     */
    public record Drift(Path markdown, int line, String reference, String problem) {
        @Override
        public String toString() {
            return markdown + ":" + line + ": snippet " + reference + ": " + problem;
        }
    }

    /** Checks every Markdown file under {@code root} (skipping target/ and hidden folders). */
    public static List<Drift> check(Path root) {
        List<Drift> drifts = new ArrayList<>();
        for (Path md : markdownFiles(root)) {
            String text = read(md);
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                int line =
                        1
                                + (int)
                                        text.substring(0, m.start())
                                                .chars()
                                                .filter(c -> c == '\n')
                                                .count();
                String reference = m.group(1) + "#" + m.group(2);
                String expected;
                try {
                    expected = fenced(m.group(1), region(root.resolve(m.group(1)), m.group(2)));
                } catch (IllegalArgumentException e) {
                    drifts.add(new Drift(root.relativize(md), line, reference, e.getMessage()));
                    continue;
                }
                if (!m.group(3).equals(expected)) {
                    drifts.add(
                            new Drift(
                                    root.relativize(md),
                                    line,
                                    reference,
                                    "the lesson's copy differs from the source; run ./lbkit snippets --fix"));
                }
            }
        }
        return drifts;
    }

    /** Rewrites every block from its source; returns how many blocks changed. */
    public static int fix(Path root) {
        int changed = 0;
        for (Path md : markdownFiles(root)) {
            String text = read(md);
            Matcher m = BLOCK.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String body = fenced(m.group(1), region(root.resolve(m.group(1)), m.group(2)));
                if (!body.equals(m.group(3))) {
                    changed++;
                }
                m.appendReplacement(
                        out,
                        Matcher.quoteReplacement(
                                "<!-- snippet: "
                                        + m.group(1)
                                        + "#"
                                        + m.group(2)
                                        + " -->\n"
                                        + body
                                        + "<!-- /snippet -->"));
            }
            m.appendTail(out);
            if (!out.toString().equals(text)) {
                write(md, out.toString());
            }
        }
        return changed;
    }

    /** The lines between the {@code snippet:start} and {@code snippet:end} markers, de-indented. */
    static String region(Path source, String name) {
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("no such source file " + source);
        }
        String comment = language(source.getFileName().toString()).equals("java") ? "//" : "#";
        List<String> lines = List.of(read(source).split("\n", -1));
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).trim();
            if (t.equals(comment + " snippet:start " + name)) {
                start = i;
            } else if (t.equals(comment + " snippet:end " + name) && start >= 0) {
                end = i;
                break;
            }
        }
        if (start < 0 || end < 0) {
            throw new IllegalArgumentException(
                    "markers '"
                            + comment
                            + " snippet:start "
                            + name
                            + "' / '"
                            + comment
                            + " snippet:end "
                            + name
                            + "' not found in "
                            + source.getFileName());
        }
        List<String> body = lines.subList(start + 1, end);
        int indent =
                body.stream()
                        .filter(l -> !l.isBlank())
                        .mapToInt(l -> l.length() - l.stripLeading().length())
                        .min()
                        .orElse(0);
        StringBuilder out = new StringBuilder();
        for (String l : body) {
            out.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return out.toString();
    }

    private static String fenced(String source, String code) {
        return "```" + language(source) + "\n" + code + "```\n";
    }

    /**
     * The fence's language, from the source file's name: haproxy for a .cfg, yaml, sh, else java.
     */
    static String language(String source) {
        if (source.endsWith(".cfg")) {
            return "haproxy";
        }
        if (source.endsWith(".yml") || source.endsWith(".yaml")) {
            return "yaml";
        }
        return source.endsWith(".sh") ? "sh" : "java";
    }

    private static List<Path> markdownFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !root.relativize(p).toString().contains("target/"))
                    .filter(p -> !root.relativize(p).toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code Snippets [--fix] [root]}: checks (exit 1 on drift) or rewrites the lessons' code
     * blocks.
     */
    public static void main(String[] args) {
        boolean fix = args.length > 0 && args[0].equals("--fix");
        Path root =
                Path.of(args.length > (fix ? 1 : 0) ? args[fix ? 1 : 0] : ".")
                        .toAbsolutePath()
                        .normalize();
        if (fix) {
            System.out.println(fix(root) + " snippet(s) updated from the source");
        }
        List<Drift> drifts = check(root);
        drifts.forEach(System.out::println);
        if (!drifts.isEmpty()) {
            System.exit(1);
        }
        System.out.println("every lesson snippet matches its source");
    }
}
