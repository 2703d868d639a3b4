package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Negative control for the config check comparison ({@link ConfigCorpusTest}): every invalid file
 * of the corpus is checked by {@code haproxy -c} as written, and given to lbkit with the line
 * HAProxy names commented out, as a parser that skips what it does not understand would read it.
 * The comparison (same verdict, same first line) must reject every one.
 */
@Tag(NegativeControl.TAG)
class ConfigCheckNegativeControlTest {

    @Test
    void configCheckComparisonRejectsAParserThatSkipsTheBadLine(@TempDir Path dir)
            throws Exception {
        List<String> notRejected = new ArrayList<>();
        int controls = 0;
        for (Path file : ConfigCorpusTest.files("invalid")) {
            ConfigCorpusTest.Verdict expected = ConfigCorpusTest.haproxy(file);
            if (expected.firstLine().isEmpty()) {
                continue; // HAProxy names a proxy, not a line: nothing to skip
            }
            int bad = expected.firstLine().get();
            List<String> lines = Files.readAllLines(file);
            lines.set(bad - 1, "# (negative control: line skipped) " + lines.get(bad - 1));
            Path mistaken = dir.resolve(file.getFileName());
            Files.write(mistaken, lines);
            ConfigCorpusTest.Verdict lbkit =
                    ConfigCorpusTest.lbkit(mistaken, ConfigCorpusTest.haproxyOnCorpus().line());
            controls++;
            boolean agrees =
                    lbkit.valid() == expected.valid()
                            && lbkit.firstLine().equals(expected.firstLine());
            if (agrees) {
                notRejected.add(file.getFileName().toString());
            }
        }
        NegativeControl.record(
                "config-check-skipped-line",
                "config check (haproxy -c vs lbkit -c: verdict and first line)",
                "each invalid corpus file with the line HAProxy names commented out",
                (controls - notRejected.size())
                        + "/"
                        + controls
                        + " files rejected"
                        + (notRejected.isEmpty() ? "" : "; not rejected: " + notRejected));
        assertThat(controls)
                .as("the corpus has invalid files whose alert names a line")
                .isGreaterThanOrEqualTo(10);
        assertThat(notRejected)
                .as(
                        "the config check comparison rejects a parser that skips the bad line, for every file")
                .isEmpty();
    }
}
