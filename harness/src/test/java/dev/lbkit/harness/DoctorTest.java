package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.haproxy.DockerEnvironment;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lbkit doctor}'s findings and decisions. The doctor runs as its own process, as {@code
 * ./lbkit} runs it, on real inputs: a PATH whose first folder holds a real script named {@code
 * haproxy} that prints a given {@code haproxy -v}, and a {@code DOCKER_HOST} where no Docker
 * listens. The "no binary at all" decision is fed that fact directly (this machine's
 * /usr/sbin/haproxy would be found). One test runs the doctor against this machine as it is and
 * checks its findings against facts read independently: the JVM's version, {@code haproxy -v},
 * {@code docker version}.
 */
class DoctorTest {

    private static final long TIMEOUT_SECONDS = 180;

    /** What one doctor run printed and its exit status. */
    private record Run(int exitCode, String output) {}

    @Test
    void aHaproxyBinaryOfTheDefaultLineIsEnoughWithoutDocker(@TempDir Path dir) throws Exception {
        Path fake =
                fakeHaproxy(
                        dir, "HAProxy version 2.6.12-1+deb12u3 2025/11/01 - https://haproxy.org/");

        Run run = doctor(dir, fake.getParent());

        assertThat(run.output())
                .as("the binary is found first on PATH, with its exact version and line")
                .contains(
                        row(
                                "HAProxy binary",
                                "ok",
                                fake + ": HAProxy 2.6.12-1+deb12u3 — line 2.6, modelled by lbkit"));
        assertThat(run.output())
                .as("no Docker at DOCKER_HOST is reported with where it was asked")
                .contains(
                        row(
                                "Docker",
                                "no",
                                "no answer at unix://" + dir.resolve("no-docker.sock")));
        assertThat(run.output())
                .as("the parity tests run against the binary")
                .contains(
                        "Parity tests: they run here, against the binary "
                                + fake
                                + " (HAProxy 2.6.12-1+deb12u3).");
        assertThat(run.exitCode())
                .as("exit 0 when the parity tests can run\n%s", run.output())
                .isEqualTo(0);
    }

    @Test
    void noDockerNamesTheCommandThatInstallsItOnEachSystem(@TempDir Path dir) throws Exception {
        Run run = doctor(dir, fakeHaproxy(dir, "HAProxy version 2.6.12-1+deb12u3").getParent());

        assertThat(run.output())
                .as("one fix per system, in the order Debian/Ubuntu, Fedora, macOS, Windows")
                .contains(
                        String.join(
                                "\n",
                                "      fix (Docker, for the HAProxy container):",
                                "        Debian/Ubuntu   sudo apt-get install -y docker.io && sudo usermod -aG docker \"$USER\"",
                                "        Fedora          sudo dnf install -y moby-engine && sudo systemctl enable --now docker",
                                "        macOS (brew)    brew install --cask docker-desktop   (Docker Desktop, the cask called docker before 2025; open it once)",
                                "        Windows (WSL2)  winget install Docker.DockerDesktop   (in PowerShell; enable WSL integration for your distro)"));
        assertThat(run.output())
                .as("Docker missing is optional when a binary runs the tests")
                .contains("  optional: Docker, for the HAProxy container");
    }

    @Test
    void aBinaryOfAnotherModelledLineRunsTheTestsAsThatLine(@TempDir Path dir) throws Exception {
        Path fake =
                fakeHaproxy(
                        dir, "HAProxy version 3.0.11-1+deb13u4 2025/10/02 - https://haproxy.org/");

        Run run = doctor(dir, fake.getParent());

        assertThat(run.output())
                .as("Debian 13's 3.0 is modelled: usable, lbkit balances as 3.0")
                .contains(
                        row(
                                "HAProxy binary",
                                "ok",
                                fake + ": HAProxy 3.0.11-1+deb13u4 — line 3.0, modelled by lbkit"))
                .contains("lbkit balancing as 3.0 (asked: 2.6)");
        assertThat(run.exitCode())
                .as("exit 0: HaproxyForTests takes a binary of any modelled line\n%s", run.output())
                .isEqualTo(0);
    }

    @Test
    void aBinaryOfALineLbkitDoesNotKnowLeavesTheParityTestsSkipped(@TempDir Path dir)
            throws Exception {
        Path fake =
                fakeHaproxy(
                        dir, "HAProxy version 2.8.5-1ubuntu3.3 2025/04/08 - https://haproxy.org/");

        Run run = doctor(dir, fake.getParent());

        assertThat(run.output())
                .as("Ubuntu 24.04's 2.8 is found, and refused by line")
                .contains(
                        row(
                                "HAProxy binary",
                                "--",
                                fake + ": HAProxy 2.8.5-1ubuntu3.3 — a line lbkit does not know"))
                .contains(
                        "Parity tests: they would be SKIPPED here (and fail with CI=true): no HAProxy 2.6 to run.");
        assertThat(run.exitCode())
                .as("exit 1 when the parity tests would be skipped\n%s", run.output())
                .isEqualTo(1);
    }

    @Test
    void aHaproxyThatPrintsNoVersionIsNotUsed(@TempDir Path dir) throws Exception {
        Path fake = fakeHaproxy(dir, "usage: haproxy [options]");

        Run run = doctor(dir, fake.getParent());

        assertThat(run.output())
                .as("a binary without a version line is named and not used")
                .contains(row("HAProxy binary", "!!", fake + " does not report a version:"));
        assertThat(run.exitCode()).as("exit 1\n%s", run.output()).isEqualTo(1);
    }

    @Test
    void noBinaryAtAllNamesTheCommandForEachSystem() {
        Doctor doctor = new Doctor();

        assertThat(doctor.binary(Optional.empty())).as("no binary: no binary route").isEmpty();
        assertThat(doctor.output())
                .as("the binary fix per system")
                .contains(
                        String.join(
                                "\n",
                                row(
                                        "HAProxy binary",
                                        "no",
                                        "no haproxy on PATH, in /usr/sbin or /usr/local/sbin"),
                                "      fix (a HAProxy 2.6 binary (or use Docker, above)):",
                                "        Debian/Ubuntu   sudo apt-get install -y haproxy   (Debian 12 gives 2.6.12; Ubuntu: sudo add-apt-repository -y ppa:vbernat/haproxy-2.6 && sudo apt-get install -y haproxy=2.6.\\*)",
                                "        Fedora          sudo dnf install -y haproxy   (your release's line, not 2.6; run ./lbkit doctor again: lbkit models "
                                        + HaproxyLine.modelledText()
                                        + "; or use Docker, the tests pull haproxy:2.6)",
                                "        macOS (brew)    brew install haproxy   (Homebrew's newest line, not 2.6; run ./lbkit doctor again: lbkit models "
                                        + HaproxyLine.modelledText()
                                        + "; or use Docker Desktop)",
                                "        Windows (WSL2)  wsl --install -d Debian   then, in it: sudo apt-get install -y haproxy"));
    }

    @Test
    void exitsZeroWhenEitherRouteRunsTheTestsAndOneWhenNeither() {
        Doctor neither = new Doctor();
        assertThat(neither.verdict(Optional.empty(), Optional.empty()))
                .as("no container, no binary: exit 1")
                .isFalse();
        assertThat(neither.output())
                .contains("Parity tests: they would be SKIPPED here (and fail with CI=true)");

        Doctor containerOnly = new Doctor();
        assertThat(
                        containerOnly.verdict(
                                Optional.of("haproxy:2.6 (pulled on first use)"), Optional.empty()))
                .as("Docker only: exit 0")
                .isTrue();
        assertThat(containerOnly.output())
                .contains(
                        "Parity tests: they run here, against the container haproxy:2.6 (pulled on first use).");

        Doctor binaryOnly = new Doctor();
        assertThat(
                        binaryOnly.verdict(
                                Optional.empty(),
                                Optional.of("binary /usr/sbin/haproxy (HAProxy 2.6.12)")))
                .as("binary only: exit 0")
                .isTrue();
        assertThat(binaryOnly.output())
                .contains(
                        "Parity tests: they run here, against the binary /usr/sbin/haproxy (HAProxy 2.6.12).");

        Doctor both = new Doctor();
        assertThat(
                        both.verdict(
                                Optional.of("local/haproxy:2.6 (local)"),
                                Optional.of("binary /usr/sbin/haproxy (HAProxy 2.6.12)")))
                .as("both: the container first, as the harness")
                .isTrue();
        assertThat(both.output())
                .contains("against the container local/haproxy:2.6 (local).")
                .contains(
                        "(without Docker they would run against the binary /usr/sbin/haproxy (HAProxy 2.6.12))");
    }

    /**
     * The doctor against this machine as it is: its Java, haproxy and Docker findings match what
     * the JVM, {@code haproxy -v} and the Docker API say when asked directly; in CI (where a
     * HAProxy is required) it must exit 0.
     */
    @Test
    void theRealDoctorReportsThisMachineAsItIs() throws Exception {
        Run run = run(new ProcessBuilder(doctorCommand()), TIMEOUT_SECONDS);
        System.out.println(
                "[lbkit] ./lbkit doctor on this machine (exit "
                        + run.exitCode()
                        + "):\n"
                        + run.output());

        assertThat(run.output())
                .as("Java: this JVM's version")
                .contains(row("Java", "ok", Runtime.version().toString()));

        Optional<Path> binary = HaproxyLocator.binaryOnThisMachine();
        if (binary.isPresent()) {
            String version = versionOf(binary.get());
            assertThat(run.output())
                    .as("the haproxy binary with the version haproxy -v prints")
                    .contains(binary.get() + ": HAProxy " + version + " — ");
        } else {
            assertThat(run.output())
                    .as("no haproxy binary here")
                    .contains(row("HAProxy binary", "no", "no haproxy on PATH"));
        }

        Optional<String> docker = DockerEnvironment.serverVersion();
        if (docker.isPresent()) {
            assertThat(run.output())
                    .as("Docker answers, with its version")
                    .contains(
                            row(
                                    "Docker",
                                    "ok",
                                    docker.get()
                                            + " at "
                                            + DockerEnvironment.endpoint().orElseThrow()));
        } else {
            assertThat(run.output()).as("Docker does not answer").contains(row("Docker", "no", ""));
        }

        if (HaproxyForTests.required()) {
            assertThat(run.exitCode())
                    .as("in CI a HAProxy is here, so the doctor says the parity tests run")
                    .isEqualTo(0);
        }
        assertThat(run.exitCode()).as("exit 0 or 1 only").isIn(0, 1);
    }

    /** One row of the doctor's table, as it formats it. */
    private static String row(String what, String state, String detail) {
        return String.format(Locale.ROOT, "%-16s %-4s %s", what, state, detail);
    }

    /**
     * A real executable named haproxy that prints {@code versionOutput}, as {@code haproxy -v}
     * does.
     */
    private static Path fakeHaproxy(Path dir, String versionOutput) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path haproxy = bin.resolve("haproxy");
        Files.writeString(
                haproxy,
                "#!/bin/sh\ncat <<'EOF'\n" + versionOutput + "\nEOF\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(haproxy, PosixFilePermissions.fromString("rwxr-xr-x"));
        return haproxy;
    }

    /**
     * The doctor with PATH starting at {@code pathFirst} and DOCKER_HOST at a socket where nothing
     * listens.
     */
    private static Run doctor(Path dir, Path pathFirst) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(doctorCommand());
        Map<String, String> env = builder.environment();
        env.put("PATH", pathFirst + ":/usr/bin:/bin");
        env.put("DOCKER_HOST", "unix://" + dir.resolve("no-docker.sock"));
        env.remove("LBKIT_HAPROXY_VERSION");
        return run(builder, TIMEOUT_SECONDS);
    }

    /** The doctor as ./lbkit runs it: this JVM's java, this test's class path. */
    private static List<String> doctorCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Doctor.class.getName());
        return command;
    }

    private static Run run(ProcessBuilder builder, long timeoutSeconds) throws Exception {
        Process process = builder.redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(
                    builder.command().get(builder.command().size() - 1)
                            + " did not finish in "
                            + timeoutSeconds
                            + " s");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** {@code haproxy -v}'s version, read here independently of the doctor. */
    private static String versionOf(Path binary) throws Exception {
        Run run = run(new ProcessBuilder(binary.toString(), "-v"), 30);
        Matcher m = Pattern.compile("(?m)^HA-?Proxy version (\\S+)").matcher(run.output());
        assertThat(m.find()).as("haproxy -v prints its version:%n%s", run.output()).isTrue();
        return m.group(1);
    }
}
