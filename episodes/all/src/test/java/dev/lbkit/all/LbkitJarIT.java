package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.SideBySide;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar lbkit.jar}, for real, after {@code package} (./mvnw verify): the usage, the
 * version, a check of an episode's file, and one request served through {@code -f} to a replica
 * that the same jar started.
 */
class LbkitJarIT {

    private static final Path JAR = Path.of(System.getProperty("lbkit.jar", "target/lbkit.jar"));
    private static final Path REPO = Path.of(System.getProperty("lbkit.repo.root", "../.."));
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    @TempDir Path dir;

    private final List<Process> started = new ArrayList<>();

    /** What one finished run printed. */
    private record Result(int status, String out, String err) {}

    private Result java(String... args) throws Exception {
        Process process = start(dir.resolve("run-" + started.size()), args);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("java -jar lbkit.jar %s ends", String.join(" ", args))
                .isTrue();
        return new Result(
                process.exitValue(),
                Files.readString(dir.resolve("run-" + (started.size() - 1) + ".out")),
                Files.readString(dir.resolve("run-" + (started.size() - 1) + ".err")));
    }

    private Process start(Path logs, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command)
                        .redirectOutput(Path.of(logs + ".out").toFile())
                        .redirectError(Path.of(logs + ".err").toFile())
                        .start();
        started.add(process);
        return process;
    }

    @AfterEach
    void stopWhatWasStarted() throws InterruptedException {
        for (Process process : started) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void helpListsEveryCommand() throws Exception {
        Result help = java("--help");
        assertThat(help.status()).as("exit status of --help").isZero();
        assertThat(help.out())
                .as("usage on stdout")
                .startsWith("Usage: lbkit [-c] [-q|-V] -f <haproxy.cfg>")
                .contains(
                        "or: lbkit demo|replicas|snippets|bench|jmh|doctor [-h] [ARGS]",
                        "Commands:");
        Result bad = java("--bogus");
        assertThat(bad.status()).as("exit status of an unknown option").isEqualTo(1);
        assertThat(bad.err())
                .as("one line and a pointer, no stack trace")
                .startsWith("lbkit: unknown option '--bogus'.")
                .contains("Run 'lbkit --help'")
                .doesNotContain("Exception");
    }

    @Test
    void versionComesFromTheJarsManifest() throws Exception {
        Result version = java("-v");
        assertThat(version.status()).as("exit status of -v").isZero();
        assertThat(version.out())
                .as("the project version, from the manifest")
                .isEqualTo(
                        "lbkit version "
                                + System.getProperty("lbkit.version")
                                + " (balances as HAProxy 2.6)\n");
    }

    @Test
    void checksEveryEpisodeConfigAndRejectsABadOneWithFileAndLine() throws Exception {
        for (String episode :
                List.of(
                        "01-roundrobin",
                        "02-leastconn",
                        "03-source-hash",
                        "04-uri-hash",
                        "05-random",
                        "06-weighted")) {
            Result check =
                    java(
                            "-c",
                            "-f",
                            REPO.resolve("episodes")
                                    .resolve(episode)
                                    .resolve("haproxy.cfg")
                                    .toString());
            assertThat(check.status())
                    .as(
                            "-c on episode %s: every algorithm is in the jar (ServiceLoader files merged)",
                            episode)
                    .isZero();
            assertThat(check.out())
                    .as("episode %s", episode)
                    .isEqualTo("Configuration file is valid\n");
        }
        Path bad =
                Files.writeString(
                        dir.resolve("bad.cfg"),
                        "backend app\n    balance roundrobin\n    server a 127.0.0.1:1 weight 300\n");
        Result check = java("-c", "-f", bad.toString());
        assertThat(check.status()).as("-c on a bad file").isEqualTo(1);
        assertThat(check.err())
                .as("the alert names file and line")
                .contains("[" + bad + ":3]")
                .doesNotContain("Exception");
    }

    @Test
    void servesARequestThroughTheConfigToAReplica() throws Exception {
        int appPort = SideBySide.freePort();
        int lbkitPort = SideBySide.freePort();
        start(dir.resolve("replica"), "replicas", "--app", "2", "--port", String.valueOf(appPort));
        Path config = oneServerConfig(lbkitPort, "app2", appPort);
        Process lbkit = start(dir.resolve("lbkit"), "-f", config.toString());

        HttpResponse<String> answer = awaitAnswer("http://127.0.0.1:" + lbkitPort + "/", lbkit);
        assertThat(answer.statusCode()).as("status through lbkit").isEqualTo(200);
        assertThat(answer.body())
                .as("the replica the jar started answers through the jar's balancer")
                .isEqualTo("Hello from Flask App 2!");
    }

    @Test
    void theLauncherServesAConfigWithOnlyTheBalancerAndTheEpisodesOnItsClasspath()
            throws Exception {
        int appPort = SideBySide.freePort();
        int lbkitPort = SideBySide.freePort();
        start(dir.resolve("replica"), "replicas", "--app", "3", "--port", String.valueOf(appPort));
        Path config = oneServerConfig(lbkitPort, "app3", appPort);
        Process lbkit =
                new ProcessBuilder(
                                "bash", REPO.resolve("lbkit").toString(), "-f", config.toString())
                        .redirectOutput(dir.resolve("launcher.out").toFile())
                        .redirectError(dir.resolve("launcher.err").toFile())
                        .start();
        started.add(lbkit);

        HttpResponse<String> answer = awaitAnswer("http://127.0.0.1:" + lbkitPort + "/", lbkit);
        assertThat(answer.body())
                .as("./lbkit -f serves through the config to the replica")
                .isEqualTo("Hello from Flask App 3!");
        // The script execs java, so the process it started is the balancer's JVM.
        String commandLine =
                Files.readString(Path.of("/proc", String.valueOf(lbkit.pid()), "cmdline"))
                        .replace('\0', ' ');
        assertThat(commandLine)
                .as("./lbkit -f runs the balancer's Main with the JVM options ./lbkit picks")
                .contains(
                        "dev.lbkit.balancer.Main",
                        "-XX:+UseSerialGC",
                        "-Xmx64m",
                        "-XX:-TieredCompilation")
                .contains("episode-01-roundrobin", "episode-06-weighted", "balancer-");
        assertThat(commandLine)
                .as("nothing of the other commands on the serving classpath (each jar costs heap)")
                .doesNotContain("harness-", "testcontainers-", "docker-java", "jna-");
    }

    /** A config that listens on {@code lbkitPort} and sends everything to one server. */
    private Path oneServerConfig(int lbkitPort, String server, int serverPort) throws IOException {
        return Files.writeString(
                dir.resolve("haproxy.cfg"),
                """
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend web
                    bind 127.0.0.1:%d
                    default_backend app
                backend app
                    balance roundrobin
                    server %s 127.0.0.1:%d
                """
                        .formatted(lbkitPort, server, serverPort));
    }

    private HttpResponse<String> awaitAnswer(String url, Process lbkit) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertThat(lbkit.isAlive())
                    .as("lbkit still runs (its log: %s)", dir.resolve("lbkit.err"))
                    .isTrue();
            try {
                HttpResponse<String> response =
                        client.send(
                                request,
                                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (response.statusCode() == 200 || System.nanoTime() > deadline) {
                    return response;
                }
            } catch (IOException notYet) {
                assertThat(System.nanoTime())
                        .as("%s answers within 60 s", url)
                        .isLessThan(deadline);
            }
            Thread.sleep(200);
        }
    }
}
