package dev.lbkit.all.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.SideBySide;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * lbkit's statistics page in a real browser (headless Chromium): the DOM it builds has a row per
 * server with the status the runtime state gives (one drained through the page's own admin form,
 * one disabled in the config), and a screenshot is kept as the test's report at {@code
 * target/screenshots/stats.png}. Without Chromium the test is skipped, except with {@code CI=true},
 * where it fails.
 */
class StatsPageBrowserTest {

    @Test
    void browserShowsEveryServerWithItsStatus() throws Exception {
        Path chromium = chromiumOrSkip();
        List<FlaskReplica> apps = new ArrayList<>();
        for (int app = 1; app <= 2; app++) {
            apps.add(FlaskReplica.start(app, "127.0.0.1", 0, Duration.ZERO));
        }
        Map<String, Integer> ports =
                new LinkedHashMap<>(
                        Map.of(
                                "WEB",
                                SideBySide.freePort(),
                                "STATS",
                                SideBySide.freePort(),
                                "APP1",
                                apps.get(0).port(),
                                "APP2",
                                apps.get(1).port(),
                                "APP3",
                                apps.get(1).port()));
        try (Lbkit lbkit =
                Lbkit.start(
                        ConfigParser.parse(
                                OperatorPagesParityTest.fill(OperatorPagesParityTest.CONFIG, ports),
                                "operators.cfg"))) {
            InetSocketAddress web = new InetSocketAddress("127.0.0.1", ports.get("WEB"));
            InetSocketAddress stats = new InetSocketAddress("127.0.0.1", ports.get("STATS"));
            for (int i = 0; i < 20; i++) {
                OperatorPagesParityTest.get(web, i % 5 == 4 ? "/missing" : "/");
            }
            assertThat(OperatorPagesParityTest.post(stats, "/", "s=s2&action=drain&b=be"))
                    .contains("303");
            String url = "http://127.0.0.1:" + ports.get("STATS") + "/;norefresh";
            String dom = run(chromium, "--dump-dom", url);
            Map<String, String> statuses = new LinkedHashMap<>();
            Matcher rows =
                    Pattern.compile(
                                    "<tr class=\"[^\"]*\" data-row=\"([^\"]+)\" data-status=\"([^\"]+)\"")
                            .matcher(dom);
            while (rows.find()) {
                statuses.merge(rows.group(1), rows.group(2), (a, b) -> a + "," + b);
            }
            assertThat(statuses)
                    .as("the rows the browser's DOM holds, by name, with their status")
                    .containsEntry("s1", "no check")
                    .containsEntry("s2", "DRAIN")
                    .containsEntry("s3", "no check")
                    .containsEntry("s4", "MAINT")
                    .containsEntry("FRONTEND", "OPEN,OPEN")
                    .containsEntry("BACKEND", "UP,UP");
            Path screenshot = Path.of("target", "screenshots", "stats.png").toAbsolutePath();
            Files.createDirectories(screenshot.getParent());
            Files.deleteIfExists(screenshot);
            run(chromium, "--screenshot=" + screenshot, "--window-size=1280,900", url);
            assertThat(screenshot).as("the screenshot kept as the test's report").exists();
            assertThat(Files.size(screenshot))
                    .as("a real picture, not an empty file")
                    .isGreaterThan(10_000);
            System.out.println("[lbkit] stats page screenshot: " + screenshot);
        } finally {
            apps.forEach(FlaskReplica::close);
        }
    }

    private static String run(Path chromium, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                chromium.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--no-first-run",
                                "--user-data-dir=" + Files.createTempDirectory("lbkit-chromium")));
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            Assertions.fail("chromium did not finish in 60 s: " + command);
        }
        return out;
    }

    private static Path chromiumOrSkip() {
        Optional<Path> found = Optional.empty();
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir :
                    System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (found.isEmpty() && Files.isExecutable(candidate)) {
                    found = Optional.of(candidate);
                }
            }
        }
        if (found.isPresent()) {
            return found.get();
        }
        String message =
                "no chromium on PATH: the stats page was not checked in a browser."
                        + " Install it (apt-get install chromium) to run this test.";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " It is required in CI (CI=true).");
        }
        return Assumptions.abort(message);
    }
}
