package dev.lbkit.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a lesson's picture generator writes its SVG: the path given as the first argument, else the
 * episode's (or {@code docs/}) folder when run from the repository root, else the current folder.
 */
public final class Pictures {

    private Pictures() {}

    /**
     * The opening of every lesson picture: an SVG element of that size in the pictures' font, on a
     * white background (so it reads on dark pages too). The caller appends the rest and {@code
     * </svg>}.
     */
    public static String open(int width, int height) {
        return String.format(
                java.util.Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n"
                        + "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
                width,
                height,
                width,
                height);
    }

    /**
     * Writes {@code svg} for {@code episode}'s {@code fileName} and says where; returns the path.
     */
    public static Path write(String[] args, String episode, String fileName, String svg)
            throws IOException {
        return write(args, Path.of("episodes", episode, fileName), svg);
    }

    /**
     * Writes {@code svg} to the path given as the first argument, else to {@code fromRoot} (a path
     * from the repository root) when run from there, else to its file name in the current folder.
     */
    public static Path write(String[] args, Path fromRoot, String svg) throws IOException {
        Path out =
                args.length > 0
                        ? Path.of(args[0])
                        : fromRoot.getParent() != null && Files.isDirectory(fromRoot.getParent())
                                ? fromRoot
                                : fromRoot.getFileName();
        Files.writeString(out, svg, StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
        return out;
    }
}
