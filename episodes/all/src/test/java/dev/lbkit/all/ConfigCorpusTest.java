package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.haproxy.CheckResult;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * the same first line named. HAProxy is the binary when this machine has one, else the container;
 * without either the HAProxy half is skipped, unless CI=true or -Dlbkit.haproxy.required=true,
 * where a missing HAProxy fails the build.
 */
class ConfigCorpusTest {

    /** What a checker said about one file. */
    record Verdict(boolean valid, Optional<Integer> firstLine, String output) {}

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
                nodes.add(
                        DynamicContainer.dynamicContainer(
                                kind + "/" + file.getFileName(),
                                Stream.of(
                                        DynamicTest.dynamicTest(
                                                "lbkit judges it " + kind,
                                                () -> {
                                                    Verdict lbkit = lbkit(file);
                                                    assertThat(lbkit.valid())
                                                            .as(
                                                                    "lbkit's verdict on %s%n%s",
                                                                    file, lbkit.output())
                                                            .isEqualTo(expectedValid);
                                                    if (!expectedValid) {
                                                        assertThat(
                                                                        lbkit.firstLine()
                                                                                        .isPresent()
                                                                                || lbkit.output()
                                                                                        .contains(
                                                                                                "Proxy '"))
                                                                .as(
                                                                        "an invalid file's alert names a line or a proxy:%n%s",
                                                                        lbkit.output())
                                                                .isTrue();
                                                    }
                                                }),
                                        DynamicTest.dynamicTest(
                                                "haproxy -c agrees",
                                                () -> {
                                                    Verdict expected = haproxy(file);
                                                    Verdict actual =
                                                            lbkit(file, haproxyOnCorpus().line());
                                                    assertThat(actual.valid())
                                                            .as(
                                                                    "lbkit and haproxy -c agree on validity of %s%n"
                                                                            + "haproxy said:%n%s%nlbkit said:%n%s",
                                                                    file,
                                                                    expected.output(),
                                                                    actual.output())
                                                            .isEqualTo(expected.valid());
                                                    assertThat(actual.firstLine())
                                                            .as(
                                                                    "lbkit names the same first line as haproxy -c for %s%n"
                                                                            + "haproxy said:%n%s%nlbkit said:%n%s",
                                                                    file,
                                                                    expected.output(),
                                                                    actual.output())
                                                            .isEqualTo(expected.firstLine());
                                                }))));
            }
        }
        return nodes.stream();
    }

    static Verdict lbkit(Path file) throws IOException {
        return lbkit(file, HaproxyLine.DEFAULT);
    }

    /** lbkit's verdict reading as HAProxy {@code line} does. */
    static Verdict lbkit(Path file, HaproxyLine line) throws IOException {
        try {
            Config config = ConfigParser.parse(file, line);
            return new Verdict(true, Optional.empty(), String.join("\n", config.warnings()));
        } catch (ConfigException e) {
            String output = String.join("\n", e.alerts());
            return new Verdict(false, firstLineNamed(output, file.toString()), output);
        }
    }

    /**
     * What {@code haproxy -c} said about every corpus file, by the HAProxy the tests meet, and its
     * line.
     */
    record CorpusCheck(Haproxy haproxy, HaproxyLine line, Map<String, CheckResult> results) {}

    private static CorpusCheck corpusCheck;

    /**
     * {@code haproxy -c} on the whole corpus, once per test JVM: the binary when this machine has
     * one, else the container (one batch); skipped without a HAProxy, failed when CI=true or
     * -Dlbkit.haproxy.required=true.
     */
    static synchronized CorpusCheck haproxyOnCorpus() throws IOException, URISyntaxException {
        if (corpusCheck == null) {
            Haproxy haproxy = HaproxyForTests.preferringBinary();
            Map<String, String> configs = new LinkedHashMap<>();
            for (String kind : List.of("valid", "invalid")) {
                for (Path file : files(kind)) {
                    configs.put(
                            checkedName(file), Files.readString(file, StandardCharsets.ISO_8859_1));
                }
            }
            corpusCheck =
                    new CorpusCheck(
                            haproxy,
                            HaproxyLine.ofVersion(haproxy.version()),
                            haproxy.checkEach(configs));
            System.out.printf(
                    "[lbkit] config corpus: %d files checked by haproxy -c of %s%n",
                    configs.size(), haproxy.describe());
        }
        return corpusCheck;
    }

    /** HAProxy's verdict on a corpus file: valid or not, and the first line its alerts name. */
    static Verdict haproxy(Path file) throws IOException, URISyntaxException {
        CheckResult result = haproxyOnCorpus().results().get(checkedName(file));
        StringBuilder alerts = new StringBuilder();
        for (String line : result.output().split("\n")) {
            if (line.contains("[ALERT]")) {
                alerts.append(line).append('\n');
            }
        }
        return new Verdict(
                result.valid(),
                firstLineNamed(alerts.toString(), checkedName(file)),
                result.output());
    }

    /**
     * The name a corpus file is checked under: its folder and file name, e.g. {@code
     * invalid-bad-port.cfg}.
     */
    static String checkedName(Path file) {
        return file.getParent().getFileName() + "-" + file.getFileName();
    }

    /** The first {@code [file:N]} or {@code (file:N)} in the alerts, as both tools print places. */
    static Optional<Integer> firstLineNamed(String alerts, String fileName) {
        Matcher matcher =
                Pattern.compile("[\\[(]" + Pattern.quote(fileName) + ":(\\d+)[\\])]")
                        .matcher(alerts);
        return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    static List<Path> files(String kind) throws IOException, URISyntaxException {
        Path dir = Path.of(ConfigCorpusTest.class.getResource("/configs/" + kind).toURI());
        try (Stream<Path> stream = Files.list(dir)) {
            return stream.filter(p -> p.toString().endsWith(".cfg")).sorted().toList();
        }
    }
}
