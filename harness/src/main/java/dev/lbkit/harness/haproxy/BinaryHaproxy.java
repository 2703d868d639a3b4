package dev.lbkit.harness.haproxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The local {@code haproxy} binary, run as {@code haproxy -db -f <file>}: in the foreground, so it
 * is this JVM's child and is stopped by its PID (SIGTERM), even when the config says {@code
 * daemon}.
 */
final class BinaryHaproxy implements Haproxy {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Path binary;
    private volatile String version;

    BinaryHaproxy(Path binary) {
        this.binary = binary;
    }

    @Override
    public Kind kind() {
        return Kind.BINARY;
    }

    @Override
    public String where() {
        return binary.toString();
    }

    @Override
    public String version() {
        if (version == null) {
            CheckResult result = runToEnd(List.of(binary.toString(), "-v"), null);
            version = Versions.fromVersionOutput(result.output(), binary.toString());
        }
        return version;
    }

    @Override
    public RunningHaproxy start(String configText) {
        List<InetSocketAddress> listeners =
                BindAddress.allIn(configText).stream().map(BindAddress::probeAddress).toList();
        ListenerProbe.requireFree(listeners);
        Path workDir = createWorkDir();
        Path config = write(workDir, configText);
        Path log = workDir.resolve("haproxy.log");
        Process process;
        try {
            process =
                    new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
                            .directory(workDir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
        } catch (IOException cannotRun) {
            deleteQuietly(workDir);
            throw new HaproxyStartException(
                    "cannot run " + binary + ": " + cannotRun.getMessage(), cannotRun);
        }
        Running running = new Running(process, listeners, workDir, log);
        try {
            ListenerProbe.awaitListening(
                    listeners,
                    STARTUP_TIMEOUT,
                    process::isAlive,
                    running::logs,
                    "HAProxy " + binary + " (pid " + process.pid() + ")");
        } catch (HaproxyStartException notListening) {
            running.close();
            throw notListening;
        }
        return running;
    }

    @Override
    public CheckResult check(String configText) {
        Path workDir = createWorkDir();
        try {
            Path config = write(workDir, configText);
            return runToEnd(List.of(binary.toString(), "-c", "-f", config.toString()), workDir);
        } finally {
            deleteQuietly(workDir);
        }
    }

    /** Each config is written under its own name and checked from its folder, so alerts name it. */
    @Override
    public java.util.Map<String, CheckResult> checkEach(
            java.util.Map<String, String> configsByName) {
        java.util.Map<String, CheckResult> results = new java.util.LinkedHashMap<>();
        Path workDir = createWorkDir();
        try {
            for (java.util.Map.Entry<String, String> config : configsByName.entrySet()) {
                Files.writeString(
                        workDir.resolve(config.getKey()),
                        config.getValue(),
                        StandardCharsets.ISO_8859_1);
                results.put(
                        config.getKey(),
                        runToEnd(List.of(binary.toString(), "-c", "-f", config.getKey()), workDir));
            }
        } catch (IOException cannotWrite) {
            throw new HaproxyStartException(
                    "cannot write a config to check in "
                            + workDir
                            + ": "
                            + cannotWrite.getMessage(),
                    cannotWrite);
        } finally {
            deleteQuietly(workDir);
        }
        return results;
    }

    private CheckResult runToEnd(List<String> command, Path workDir) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            Process process = builder.start();
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new CheckResult(process.waitFor(), output);
        } catch (IOException cannotRun) {
            throw new HaproxyStartException(
                    "cannot run " + String.join(" ", command) + ": " + cannotRun.getMessage(),
                    cannotRun);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new HaproxyStartException(
                    "interrupted while running " + String.join(" ", command), interrupted);
        }
    }

    private static Path createWorkDir() {
        try {
            return Files.createTempDirectory("lbkit-haproxy-");
        } catch (IOException cannotCreate) {
            throw new UncheckedIOException(
                    "cannot create a temporary directory for haproxy.cfg", cannotCreate);
        }
    }

    /**
     * Named haproxy.cfg so that HAProxy's "[haproxy.cfg:12]" messages read like the user's file.
     */
    private static Path write(Path workDir, String configText) {
        try {
            return Files.writeString(workDir.resolve("haproxy.cfg"), configText);
        } catch (IOException cannotWrite) {
            throw new UncheckedIOException("cannot write haproxy.cfg into " + workDir, cannotWrite);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException alreadyGone) {
            // a leftover temp dir is harmless
        }
    }

    private static final class Running implements RunningHaproxy {

        private final Process process;
        private final List<InetSocketAddress> listeners;
        private final Path workDir;
        private final Path log;
        private volatile String finalLogs;

        Running(Process process, List<InetSocketAddress> listeners, Path workDir, Path log) {
            this.process = process;
            this.listeners = List.copyOf(listeners);
            this.workDir = workDir;
            this.log = log;
        }

        @Override
        public List<InetSocketAddress> listeners() {
            return listeners;
        }

        @Override
        public String logs() {
            if (finalLogs != null) {
                return finalLogs;
            }
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException notThere) {
                return "";
            }
        }

        @Override
        public boolean isRunning() {
            return process.isAlive();
        }

        @Override
        public synchronized void close() {
            if (finalLogs != null) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly()
                            .waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException interrupted) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            finalLogs = logs();
            deleteQuietly(workDir);
        }

        @Override
        public String toString() {
            return "haproxy pid " + process.pid() + " on " + listeners;
        }
    }
}
