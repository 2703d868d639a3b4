package dev.lbkit.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a lesson's picture generator writes its SVG: the path given as the first argument, else the
 * episode's folder when run from the repository root (as {@code ./lbkit} does), else the current folder.
 */
public final class Pictures {

    private Pictures() {
    }

    /** Writes {@code svg} for {@code episode}'s {@code fileName} and says where; returns the path. */
    public static Path write(String[] args, String episode, String fileName, String svg) throws IOException {
        Path out = args.length > 0 ? Path.of(args[0])
                : Files.isDirectory(Path.of("episodes", episode)) ? Path.of("episodes", episode, fileName)
                : Path.of(fileName);
        Files.writeString(out, svg, StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
        return out;
    }
}
