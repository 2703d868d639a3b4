package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.haproxy.CheckResult;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import dev.lbkit.harness.haproxy.HaproxyLines;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * lbkit's config check, reading as each newer HAProxy line does, against {@code haproxy -c} of that
 * line (a real container of 3.0, 3.2 and 3.4): valid or invalid, and the same first line named, on
 * the whole corpus: configs/valid and configs/invalid (written for 2.6) and configs/lines, whose
 * verdicts change between lines (sticky, log-hash and {@code hash-type ... none} since 3.0, {@code
 * hash-preserve-affinity} since 3.2, a frontend named like a defaults section refused in 3.4,
 * {@code nbthread} limits, the {@code balance} alert's wording, headers hidden in {@code option
 * httpchk}'s version, refused since 3.0). 2.6 is the haproxy binary when there is one.
 */
class ConfigCorpusPerLineTest {

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void lbkitReadingAsALineAgreesWithThatLinesHaproxyCheck(HaproxyLine line) throws Exception {
        List<String> disagreements = compare(line, line);
        assertThat(disagreements)
                .as(
                        "files where lbkit's check as %s differs from haproxy -c of %s",
                        line.text(), line.text())
                .isEmpty();
    }

    /**
     * Negative control: reading with 2.6's rules while HAProxy is 3.4 must be caught (3.4 refuses a
     * frontend named like a defaults section and accepts sticky, which 2.6 refuses).
     */
    @Tag("negative-control")
    @ParameterizedTest(name = "lbkit as 2.6 against HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_4"})
    void readingWithAnotherLinesRulesIsCaught(HaproxyLine line) throws Exception {
        assertThat(compare(line, HaproxyLine.V2_6))
                .as("lbkit read as 2.6 against HAProxy %s", line.text())
                .isNotEmpty();
    }

    /**
     * The files on which lbkit (reading as {@code lbkitLine}) and HAProxy {@code line} disagree.
     */
    private static List<String> compare(HaproxyLine line, HaproxyLine lbkitLine) throws Exception {
        // 2.6: the haproxy binary when this machine has one, else a 2.6 container.
        Haproxy haproxy = line == HaproxyLine.V2_6 ? twoSix() : HaproxyLines.get(line);
        assertThat(HaproxyLine.ofVersion(haproxy.version()))
                .as("the HAProxy met is of line %s", line.text())
                .isEqualTo(line);
        Map<String, String> configs = new LinkedHashMap<>();
        for (String dir : List.of("valid", "invalid", "lines")) {
            for (Path file : ConfigCorpusTest.files(dir)) {
                configs.put(
                        dir + "-" + file.getFileName(),
                        Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        Map<String, CheckResult> checked = haproxy.checkEach(configs);
        List<String> disagreements = new ArrayList<>();
        int agree = 0;
        int cliAgree = 0;
        Path dir = Files.createTempDirectory("lbkit-corpus-");
        for (Map.Entry<String, String> config : configs.entrySet()) {
            String name = config.getKey();
            CheckResult expected = checked.get(name);
            ConfigCorpusTest.Verdict actual = lbkit(config.getValue(), name, lbkitLine);
            Optional<Integer> expectedLine =
                    ConfigCorpusTest.firstLineNamed(alerts(expected.output()), name);
            ConfigCorpusTest.Verdict cli = cli(dir.resolve(name), config.getValue(), lbkitLine);
            if (expected.valid() == cli.valid() && expectedLine.equals(cli.firstLine())) {
                cliAgree++;
            } else {
                disagreements.add(
                        name
                                + ": haproxy "
                                + line.text()
                                + (expected.valid() ? " valid" : " invalid")
                                + ", ./lbkit --haproxy-version "
                                + lbkitLine.text()
                                + " -c "
                                + (cli.valid() ? "valid" : "invalid")
                                + "\n  lbkit -c said: "
                                + cli.output().strip());
            }
            if (expected.valid() == actual.valid() && expectedLine.equals(actual.firstLine())) {
                agree++;
            } else {
                disagreements.add(
                        name
                                + ": haproxy "
                                + line.text()
                                + (expected.valid()
                                        ? " valid"
                                        : " invalid at " + expectedLine.orElse(null))
                                + ", lbkit as "
                                + lbkitLine.text()
                                + (actual.valid()
                                        ? " valid"
                                        : " invalid at " + actual.firstLine().orElse(null))
                                + "\n  haproxy said: "
                                + expected.output().strip()
                                + "\n  lbkit said: "
                                + actual.output().strip());
            }
        }
        System.out.printf(
                "[lbkit] config check as %s against haproxy -c of %s (%s): %d/%d files judged alike;"
                        + " ./lbkit --haproxy-version %s -c: %d/%d%n",
                lbkitLine.text(),
                line.text(),
                haproxy.describe(),
                agree,
                configs.size(),
                lbkitLine.text(),
                cliAgree,
                configs.size());
        return disagreements;
    }

    /**
     * The 2.6 binary when this machine has one (Debian 12's), else {@link HaproxyLines#get} of 2.6.
     */
    private static Haproxy twoSix() {
        HaproxyLocator.Lookup binary = HaproxyLocator.find(Haproxy.Kind.BINARY);
        if (HaproxyLocator.choice().allows(Haproxy.Kind.BINARY)
                && binary.haproxy().isPresent()
                && HaproxyLine.ofVersion(binary.haproxy().get().version()) == HaproxyLine.V2_6) {
            return HaproxyForTests.get(Haproxy.Kind.BINARY);
        }
        return HaproxyLines.get(HaproxyLine.V2_6);
    }

    /**
     * {@code lbkit --haproxy-version V -c -f file}, in-process: exit 0 is valid; the alerts name
     * the file.
     */
    private static ConfigCorpusTest.Verdict cli(Path file, String text, HaproxyLine line)
            throws Exception {
        Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status;
        try (java.io.PrintStream o = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
                java.io.PrintStream e =
                        new java.io.PrintStream(err, true, StandardCharsets.UTF_8)) {
            status =
                    dev.lbkit.balancer.Main.run(
                            new String[] {
                                "--haproxy-version", line.text(), "-c", "-f", file.toString()
                            },
                            o,
                            e);
        } finally {
            Files.deleteIfExists(file);
        }
        String output = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        return new ConfigCorpusTest.Verdict(
                status == 0,
                ConfigCorpusTest.firstLineNamed(alerts(output), file.toString()),
                output);
    }

    private static ConfigCorpusTest.Verdict lbkit(String text, String name, HaproxyLine line) {
        try {
            // 3.4 prints some alerts and still takes the file: lbkit keeps them with its warnings.
            String alerts =
                    String.join(
                            "\n",
                            ConfigParser.parse(text, name, line).warnings().stream()
                                    .filter(w -> w.startsWith("[ALERT]"))
                                    .toList());
            return new ConfigCorpusTest.Verdict(
                    true, ConfigCorpusTest.firstLineNamed(alerts, name), alerts);
        } catch (ConfigException e) {
            String output = String.join("\n", e.alerts());
            return new ConfigCorpusTest.Verdict(
                    false, ConfigCorpusTest.firstLineNamed(output, name), output);
        }
    }

    private static String alerts(String output) {
        StringBuilder alerts = new StringBuilder();
        for (String line : output.split("\n")) {
            if (line.contains("[ALERT]")) {
                alerts.append(line).append('\n');
            }
        }
        return alerts.toString();
    }
}
