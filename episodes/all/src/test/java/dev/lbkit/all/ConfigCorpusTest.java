package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file of the config corpus (src/test/resources/configs/{valid,invalid}) must be judged the
 * same way by lbkit's parser and by {@code haproxy -c}: valid or invalid, and, when invalid, with
 * the same first line named. Without a haproxy binary the HAProxy half is skipped, unless CI=true or
 * -Dlbkit.haproxy.required=true, where a missing binary fails the build.
 */
class ConfigCorpusTest {

    /** What a checker said about one file. */
    record Verdict(boolean valid, Optional<Integer> firstLine, String output) {
    }

    @Test
    void corpusHasEnoughValidAndInvalidFiles() throws Exception {
        assertThat(files("valid")).as("valid corpus files").hasSizeGreaterThanOrEqualTo(15);
        assertThat(files("invalid")).as("invalid corpus files").hasSizeGreaterThanOrEqualTo(15);
    }

    @TestFactory
    Stream<DynamicNode> lbkitAndHaproxyAgreeOnEveryCorpusFile() throws Exception {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String kind : List.of("valid", "invalid")) {
            for (Path file : files(kind)) {
                boolean expectedValid = kind.equals("valid");
                nodes.add(DynamicContainer.dynamicContainer(kind + "/" + file.getFileName(), Stream.of(
                        DynamicTest.dynamicTest("lbkit judges it " + kind, () -> {
                            Verdict lbkit = lbkit(file);
                            assertThat(lbkit.valid()).as("lbkit's verdict on %s%n%s", file, lbkit.output())
                                    .isEqualTo(expectedValid);
                            if (!expectedValid) {
                                assertThat(lbkit.firstLine().isPresent() || lbkit.output().contains("Proxy '"))
                                        .as("an invalid file's alert names a line or a proxy:%n%s", lbkit.output())
                                        .isTrue();
                            }
                        }),
                        DynamicTest.dynamicTest("haproxy -c agrees", () -> {
                            Path haproxy = haproxyOrSkip();
                            Verdict expected = haproxy(haproxy, file);
                            Verdict actual = lbkit(file);
                            assertThat(actual.valid()).as("lbkit and haproxy -c agree on validity of %s%n"
                                    + "haproxy said:%n%s%nlbkit said:%n%s", file, expected.output(), actual.output())
                                    .isEqualTo(expected.valid());
                            assertThat(actual.firstLine()).as("lbkit names the same first line as haproxy -c for %s%n"
                                    + "haproxy said:%n%s%nlbkit said:%n%s", file, expected.output(), actual.output())
                                    .isEqualTo(expected.firstLine());
                        }))));
            }
        }
        return nodes.stream();
    }

    static Verdict lbkit(Path file) throws IOException {
        try {
            Config config = ConfigParser.parse(file);
            return new Verdict(true, Optional.empty(), String.join("\n", config.warnings()));
        } catch (ConfigException e) {
            String output = String.join("\n", e.alerts());
            return new Verdict(false, firstLineNamed(output, file.toString()), output);
        }
    }

    static Verdict haproxy(Path haproxy, Path file) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(haproxy.toString(), "-c", "-f", file.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("haproxy -c -f %s did not finish in 30 s", file);
        }
        StringBuilder alerts = new StringBuilder();
        for (String line : output.split("\n")) {
            if (line.contains("[ALERT]")) {
                alerts.append(line).append('\n');
            }
        }
        return new Verdict(process.exitValue() == 0, firstLineNamed(alerts.toString(), file.toString()), output);
    }

    /** The first {@code [file:N]} or {@code (file:N)} in the alerts, as both tools print places. */
    static Optional<Integer> firstLineNamed(String alerts, String fileName) {
        Matcher matcher = Pattern.compile("[\\[(]" + Pattern.quote(fileName) + ":(\\d+)[\\])]").matcher(alerts);
        return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    static List<Path> files(String kind) throws IOException, URISyntaxException {
        Path dir = Path.of(ConfigCorpusTest.class.getResource("/configs/" + kind).toURI());
        try (Stream<Path> stream = Files.list(dir)) {
            return stream.filter(p -> p.toString().endsWith(".cfg")).sorted().toList();
        }
    }

    /** The haproxy binary, or a skipped test (a failed one when HAProxy is required). */
    static Path haproxyOrSkip() {
        Optional<Path> haproxy = findHaproxy();
        if (haproxy.isPresent()) {
            return haproxy.get();
        }
        boolean required = "true".equalsIgnoreCase(System.getenv("CI"))
                || Boolean.getBoolean("lbkit.haproxy.required");
        String message = "no haproxy binary at /usr/sbin/haproxy or on PATH, so lbkit's verdicts were not compared"
                + " with haproxy -c. Install HAProxy 2.6 (e.g. 'apt-get install haproxy') to run this half.";
        if (required) {
            fail(message + " It is required here (CI=true or -Dlbkit.haproxy.required=true).");
        }
        return abort(message);
    }

    static Optional<Path> findHaproxy() {
        Path system = Path.of("/usr/sbin/haproxy");
        if (Files.isExecutable(system)) {
            return Optional.of(system);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, "haproxy");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
