package dev.lbkit.harness;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.haproxy.ContainerNetwork;
import dev.lbkit.harness.haproxy.DockerEnvironment;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyContainer;
import dev.lbkit.harness.haproxy.HaproxyImages;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./lbkit doctor}: what this machine offers for lbkit and what to do next. It looks at Java,
 * Docker (does it answer, has it host networking and a bridge network, does a registry answer its
 * pulls), the HAProxy binary and images with their exact versions and whether lbkit models their
 * line, the loopback aliases episode 03 binds, and wrk for the benchmarks. Each missing piece comes
 * with the one command that fixes it on Debian/Ubuntu, Fedora, macOS (Homebrew) and Windows (WSL2).
 *
 * <p>Exit status 0 when the parity tests can run here (the run would meet a HAProxy of a line lbkit
 * models), 1 when they would be skipped.
 */
public final class Doctor {

    private static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(10);

    private final StringBuilder out = new StringBuilder();
    private final List<String> todo = new ArrayList<>();
    private final HaproxyLine line = HaproxyImages.lineAsked();

    public static void main(String[] args) {
        Doctor doctor = new Doctor();
        boolean canRun = doctor.examine();
        System.out.print(doctor.out);
        System.out.flush();
        System.exit(canRun ? 0 : 1);
    }

    /** What the doctor has said so far. */
    String output() {
        return out.toString();
    }

    private void say(String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    /** One missing piece: what it is for and the command per system. */
    private void fix(String what, String debianUbuntu, String fedora, String macos, String wsl2) {
        say("      fix (%s):", what);
        say("        Debian/Ubuntu   %s", debianUbuntu);
        say("        Fedora          %s", fedora);
        say("        macOS (brew)    %s", macos);
        say("        Windows (WSL2)  %s", wsl2);
        todo.add(what);
    }

    boolean examine() {
        say("lbkit doctor: what this machine offers for lbkit, and what to do next");
        say(
                "  (the parity tests meet HAProxy %s%s; lbkit models %s)",
                line.text(),
                line == HaproxyLine.DEFAULT
                        ? ""
                        : ", asked with -D"
                                + HaproxyImages.VERSION_PROPERTY
                                + " or "
                                + HaproxyLine.ENVIRONMENT,
                HaproxyLine.modelledText());
        say("");
        java();
        Optional<String> viaContainer = docker();
        Optional<String> viaBinary = binary(HaproxyLocator.binaryOnThisMachine());
        loopback();
        wrk();
        say("");
        return verdict(viaContainer, viaBinary);
    }

    private void java() {
        Runtime.Version version = Runtime.version();
        boolean ok = version.feature() >= 17;
        say(
                "%-16s %-4s %s (%s), %s",
                "Java",
                ok ? "ok" : "OLD",
                version,
                System.getProperty("java.vm.name"),
                System.getProperty("java.home"));
        if (!ok) {
            fix(
                    "a JDK 17 or newer",
                    "sudo apt-get install -y openjdk-17-jdk-headless",
                    "sudo dnf install -y java-17-openjdk-devel",
                    "brew install openjdk@17",
                    "sudo apt-get install -y openjdk-17-jdk-headless");
        }
    }

    /** Docker's facts; returns the image the tests would run, when the container route works. */
    private Optional<String> docker() {
        Optional<String> endpoint = DockerEnvironment.endpoint();
        Optional<String> version = DockerEnvironment.serverVersion();
        if (version.isEmpty()) {
            say(
                    "%-16s %-4s %s",
                    "Docker",
                    "no",
                    endpoint.map(e -> "no answer at " + e)
                            .orElse("no socket (DOCKER_HOST unset, no /var/run/docker.sock)"));
            fix(
                    "Docker, for the HAProxy container",
                    "sudo apt-get install -y docker.io && sudo usermod -aG docker \"$USER\"",
                    "sudo dnf install -y moby-engine && sudo systemctl enable --now docker",
                    "brew install --cask docker-desktop   (Docker Desktop, the cask called docker before 2025; open it once)",
                    "winget install Docker.DockerDesktop   (in PowerShell; enable WSL integration for your distro)");
            return Optional.empty();
        }
        String os = DockerEnvironment.operatingSystem().orElse("?");
        say("%-16s %-4s %s at %s (%s)", "Docker", "ok", version.get(), endpoint.orElse("?"), os);

        List<String> networks = DockerEnvironment.networks().orElse(List.of());
        boolean bridge = networks.contains("bridge");
        boolean settings = DockerEnvironment.testcontainersSettingsSet();
        say(
                "  %-14s %-4s %s",
                "networks",
                bridge || settings ? "ok" : "NO",
                String.join(", ", networks)
                        + (bridge
                                ? ""
                                : " — no 'bridge': Testcontainers needs "
                                        + DockerEnvironment.HOST_OVERRIDE
                                        + "=localhost and "
                                        + DockerEnvironment.RYUK_DISABLED
                                        + "=true"
                                        + (settings ? " (set here)" : " (NOT set)")));
        if (!bridge) {
            say(
                    "      ./lbkit sets both when it sees this; for the tests: ./mvnw test -Pdocker-bridgeless"
                            + " (or export LBKIT_DOCKER_BRIDGELESS=true)");
            if (!settings) {
                todo.add("Testcontainers settings for a bridge-less Docker");
                return Optional.empty();
            }
        }

        Registry registry = registry();
        say("  %-14s %-4s %s", "registry", registry.reachable ? "ok" : "no", registry.detail);

        Map<String, Optional<String>> images = images();
        Optional<String> imageForTests = imageForTests(images, registry.reachable);

        ContainerNetwork network = ContainerNetwork.chosen(() -> os);
        String probeImage =
                images.entrySet().stream()
                        .filter(e -> e.getValue().isPresent())
                        .map(Map.Entry::getKey)
                        .findFirst()
                        .orElse(null);
        if (probeImage == null) {
            say(
                    "  %-14s %-4s %s",
                    "host network",
                    "?",
                    "not tried: no HAProxy image here to try it with; "
                            + (network == ContainerNetwork.HOST
                                    ? "expected on Linux with a native Docker"
                                    : "the harness would publish ports"));
        } else {
            Optional<String> failure = hostNetworkingFails(probeImage);
            if (failure.isEmpty()) {
                say(
                        "  %-14s %-4s %s",
                        "host network",
                        "ok",
                        "a host-networked " + probeImage + " listened on this machine's 127.0.0.1");
            } else {
                say("  %-14s %-4s %s", "host network", "no", failure.get());
                say(
                        "      the harness then runs HAProxy on Docker's default network with published ports"
                                + " (-D%s=published; not exercised in lbkit's CI; balance source needs the PROXY protocol, issue #16)",
                        ContainerNetwork.PROPERTY);
                say(
                        "      Docker Desktop 4.34+: Settings > Resources > Network > Enable host networking, then -D%s=host",
                        ContainerNetwork.PROPERTY);
            }
        }
        return imageForTests;
    }

    private record Registry(boolean reachable, String detail) {}

    /**
     * Asks the daemon what the registry has under the image the tests would pull ({@code GET
     * /distribution/haproxy:<line>/json}): the daemon asks its registry mirrors and Docker Hub as a
     * pull would, but downloads nothing. (A pull of a tag that does not exist cannot tell: behind a
     * mirror, the daemon reports Docker Hub's error, not the mirror's.)
     */
    private Registry registry() {
        String official = HaproxyImages.official(line);
        long start = System.nanoTime();
        Optional<DockerEnvironment.Answer> answer =
                DockerEnvironment.get("/distribution/" + official + "/json", REGISTRY_TIMEOUT);
        String took = String.format(Locale.ROOT, "%.2f s", (System.nanoTime() - start) / 1e9);
        if (answer.isEmpty()) {
            return new Registry(
                    false,
                    "no answer about " + official + " in " + REGISTRY_TIMEOUT.toSeconds() + " s");
        }
        if (answer.get().ok()) {
            java.util.regex.Matcher digest =
                    java.util.regex.Pattern.compile("\"digest\"\\s*:\\s*\"([^\"]+)\"")
                            .matcher(answer.get().body());
            return new Registry(
                    true,
                    "has "
                            + official
                            + " ("
                            + (digest.find() ? digest.group(1) : "?")
                            + "), answered in "
                            + took);
        }
        return new Registry(
                false,
                "not reachable: asked for "
                        + official
                        + " in "
                        + took
                        + ": "
                        + DockerEnvironmentText.message(answer.get().body()));
    }

    /**
     * Local HAProxy images of every line, official and locally built, with the version each
     * reports.
     */
    private Map<String, Optional<String>> images() {
        Map<String, Optional<String>> found = new LinkedHashMap<>();
        say("  %-14s", "images");
        for (HaproxyLine l : HaproxyLine.values()) {
            for (String image : List.of(HaproxyImages.official(l), HaproxyImages.localBuild(l))) {
                boolean local =
                        DockerEnvironment.get("/images/" + image + "/json", Duration.ofSeconds(3))
                                .map(DockerEnvironment.Answer::ok)
                                .orElse(false);
                if (!local) {
                    if (l == line) {
                        say("    %-18s  -   not local", image);
                    }
                    found.put(image, Optional.empty());
                    continue;
                }
                try {
                    String version = Haproxy.container(image).version();
                    found.put(image, Optional.of(version));
                    say("    %-18s  ok  HAProxy %s — %s", image, version, lineText(version));
                } catch (RuntimeException broken) {
                    found.put(image, Optional.empty());
                    say(
                            "    %-18s  !!  does not report a version: %s",
                            image, oneLine(broken.getMessage()));
                }
            }
        }
        return found;
    }

    /** The image the tests would run (as HaproxyImages resolves it), if its line is modelled. */
    private Optional<String> imageForTests(
            Map<String, Optional<String>> images, boolean registryReachable) {
        String official = HaproxyImages.official(line);
        String local = HaproxyImages.localBuild(line);
        String chosen;
        String how;
        if (images.getOrDefault(official, Optional.empty()).isPresent()) {
            chosen = official;
            how = "local";
        } else if (registryReachable) {
            say("  the tests would pull %s (the registry answers)", official);
            return line.modelled()
                    ? Optional.of(official + " (pulled on first use)")
                    : Optional.empty();
        } else if (images.getOrDefault(local, Optional.empty()).isPresent()) {
            chosen = local;
            how = "the locally built one, as no registry answers";
        } else {
            say("      %s is not local, no registry answers, and %s is not built", official, local);
            fix(
                    "a HAProxy " + line.text() + " image",
                    "docker pull "
                            + official
                            + "   (where a registry answers; offline: .ci/build-haproxy-image.sh "
                            + local
                            + " from Debian 12's haproxy)",
                    "docker pull " + official,
                    "docker pull " + official,
                    "docker pull " + official);
            return Optional.empty();
        }
        HaproxyLine met = HaproxyLine.ofVersion(images.get(chosen).get());
        if (met == null || !met.modelled()) {
            say(
                    "      %s reports %s, a line lbkit does not model",
                    chosen, images.get(chosen).get());
            return Optional.empty();
        }
        return Optional.of(chosen + " (" + how + ")");
    }

    /** Starts a host-networked HAProxy that binds 127.0.0.1:PORT and connects to it from here. */
    private Optional<String> hostNetworkingFails(String image) {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        } catch (IOException e) {
            return Optional.of("no free port on 127.0.0.1: " + e.getMessage());
        }
        String config =
                String.join(
                        "\n",
                        "defaults",
                        "    mode http",
                        "    timeout connect 1s",
                        "    timeout client 2s",
                        "    timeout server 2s",
                        "frontend lbkit_doctor",
                        "    bind 127.0.0.1:" + port,
                        "    http-request return status 200",
                        "");
        try (HaproxyContainer container =
                new HaproxyContainer(image, config, ContainerNetwork.HOST)) {
            container.withStartupTimeout(Duration.ofSeconds(8));
            container.start();
            return Optional.empty();
        } catch (RuntimeException failed) {
            return Optional.of(
                    "a host-networked "
                            + image
                            + " bound 127.0.0.1:"
                            + port
                            + " but nothing listened there from this machine"
                            + " ("
                            + oneLine(failed.getMessage())
                            + ")");
        }
    }

    /**
     * The binary route for the haproxy found at {@code path} (if any); a description when its line
     * is the one asked and modelled.
     */
    Optional<String> binary(Optional<Path> path) {
        if (path.isEmpty()) {
            say(
                    "%-16s %-4s %s",
                    "HAProxy binary", "no", "no haproxy on PATH, in /usr/sbin or /usr/local/sbin");
            fix(
                    "a HAProxy " + HaproxyLine.DEFAULT.text() + " binary (or use Docker, above)",
                    "sudo apt-get install -y haproxy   (Debian 12 gives 2.6.12; Ubuntu: sudo add-apt-repository -y ppa:vbernat/haproxy-2.6 && sudo apt-get install -y haproxy=2.6.\\*)",
                    "sudo dnf install -y haproxy   (your release's line, not 2.6; run ./lbkit doctor again: lbkit models "
                            + HaproxyLine.modelledText()
                            + "; or use Docker, the tests pull haproxy:2.6)",
                    "brew install haproxy   (Homebrew's newest line, not 2.6; run ./lbkit doctor again: lbkit models "
                            + HaproxyLine.modelledText()
                            + "; or use Docker Desktop)",
                    "wsl --install -d Debian   then, in it: sudo apt-get install -y haproxy");
            return Optional.empty();
        }
        try {
            String version = Haproxy.binary(path.get()).version();
            HaproxyLine met = HaproxyLine.ofVersion(version);
            // The tests take a binary of any modelled line and lbkit balances as that line
            // (HaproxyForTests).
            boolean usable = met != null && met.modelled();
            say(
                    "%-16s %-4s %s: HAProxy %s — %s",
                    "HAProxy binary", usable ? "ok" : "--", path.get(), version, lineText(version));
            if (usable && met != line) {
                say(
                        "      the parity tests that need no container run against it, lbkit balancing as %s (asked: %s)",
                        met.text(), line.text());
            }
            return usable
                    ? Optional.of("binary " + path.get() + " (HAProxy " + version + ")")
                    : Optional.empty();
        } catch (RuntimeException broken) {
            say(
                    "%-16s %-4s %s does not report a version: %s",
                    "HAProxy binary", "!!", path.get(), oneLine(broken.getMessage()));
            return Optional.empty();
        }
    }

    private void loopback() {
        List<String> bad = new ArrayList<>();
        for (String address : List.of("127.0.1.1", "127.0.2.1", "127.0.4.250")) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            } catch (IOException e) {
                bad.add(address);
            }
        }
        if (bad.isEmpty()) {
            say(
                    "%-16s %-4s %s",
                    "loopback",
                    "ok",
                    "127.0.1.1, 127.0.2.1, 127.0.4.250 bindable (episode 03's balance source tests use 127.x.y.z client addresses)");
        } else {
            say(
                    "%-16s %-4s %s not bindable: episode 03's balance source tests will fail",
                    "loopback", "no", String.join(", ", bad));
            fix(
                    "loopback aliases for episode 03",
                    "(always there on Linux)",
                    "(always there on Linux)",
                    "for a in "
                            + String.join(" ", bad)
                            + "; do sudo ifconfig lo0 alias $a up; done   (until the PROXY protocol, issue #16)",
                    "(always there in WSL2)");
        }
    }

    private void wrk() {
        Optional<String> version = run(Duration.ofSeconds(3), "wrk", "--version");
        if (version.isPresent()) {
            say("%-16s %-4s %s", "wrk", "ok", oneLine(version.get()));
        } else {
            say("%-16s %-4s %s", "wrk", "no", "not on PATH (only ./lbkit bench needs it)");
            fix(
                    "wrk, for ./lbkit bench",
                    "sudo apt-get install -y wrk",
                    "sudo dnf install -y wrk",
                    "brew install wrk",
                    "sudo apt-get install -y wrk");
        }
    }

    /** The verdict from the two routes: true (exit 0) when the parity tests can run here. */
    boolean verdict(Optional<String> viaContainer, Optional<String> viaBinary) {
        if (!line.modelled()) {
            say(
                    "Parity tests: SKIPPED here: HAProxy %s is a line lbkit does not model yet (modelled: %s).",
                    line.text(), HaproxyLine.modelledText());
            return false;
        }
        if (viaContainer.isPresent() || viaBinary.isPresent()) {
            if (viaContainer.isPresent()) {
                say("Parity tests: they run here, against the container %s.", viaContainer.get());
                viaBinary.ifPresent(
                        b -> say("  (without Docker they would run against the %s)", b));
            } else {
                say("Parity tests: they run here, against the %s.", viaBinary.get());
            }
            if (!todo.isEmpty()) {
                say("  optional: %s", String.join("; ", todo));
            }
            boolean profileNeeded =
                    DockerEnvironment.bridgeless()
                            && !"true".equals(System.getenv("LBKIT_DOCKER_BRIDGELESS"));
            say(
                    "Next: %s./mvnw test   (./lbkit demo roundrobin shows one episode side by side)",
                    profileNeeded ? "LBKIT_DOCKER_BRIDGELESS=true " : "");
            return true;
        }
        say(
                "Parity tests: they would be SKIPPED here (and fail with CI=true): no HAProxy %s to run. Do one of the fixes above, then ./lbkit doctor again.",
                line.text());
        return false;
    }

    private static String lineText(String version) {
        HaproxyLine met = HaproxyLine.ofVersion(version);
        if (met == null) {
            return "a line lbkit does not know";
        }
        return "line "
                + met.text()
                + (met.modelled() ? ", modelled by lbkit" : ", known, not modelled yet");
    }

    private static String oneLine(String text) {
        String t = Optional.ofNullable(text).orElse("").replaceAll("\\s+", " ").strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    /** Runs a command; its output when it exits 0 within the timeout. */
    private static Optional<String> run(Duration timeout, String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // wrk --version exits 1 after printing its version
            return output.isBlank()
                    ? Optional.empty()
                    : Optional.of(output.lines().findFirst().orElse(""));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Docker's error text out of a JSON answer. */
    static final class DockerEnvironmentText {
        private DockerEnvironmentText() {}

        static String message(String body) {
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile(
                                    "\"(?:message|error)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
                            .matcher(body);
            String found = m.find() ? m.group(1).replace("\\\"", "\"") : body;
            return oneLine(found);
        }
    }
}
