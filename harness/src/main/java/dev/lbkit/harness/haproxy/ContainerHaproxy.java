package dev.lbkit.harness.haproxy;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.ContainerLaunchException;

/**
 * HAProxy run by Testcontainers from an image; one container per {@link #start} or {@link #check}.
 */
final class ContainerHaproxy implements Haproxy {

    private static final long ONE_SHOT_TIMEOUT_SECONDS = 30;

    private static volatile ContainerNetwork network;

    private final String image;
    private volatile String version;

    ContainerHaproxy(String image) {
        this.image = image;
    }

    /**
     * How the containers are networked here ({@code -Dlbkit.haproxy.network}, else detected once
     * per JVM): host networking where it reaches this machine's loopback, else published ports.
     */
    static ContainerNetwork network() {
        if (network == null) {
            synchronized (ContainerHaproxy.class) {
                if (network == null) {
                    network =
                            ContainerNetwork.chosen(
                                    () -> {
                                        try {
                                            return org.testcontainers.DockerClientFactory.instance()
                                                    .getInfo()
                                                    .getOperatingSystem();
                                        } catch (RuntimeException unknown) {
                                            return "";
                                        }
                                    });
                    if (network == ContainerNetwork.PUBLISHED) {
                        System.out.println(
                                "[lbkit] Docker has no host networking here: HAProxy containers run on Docker's"
                                        + " default network with published ports, reaching this machine as "
                                        + ContainerNetwork.HOST_GATEWAY_NAME
                                        + " (-D"
                                        + ContainerNetwork.PROPERTY
                                        + "=host to override)");
                    }
                }
            }
        }
        return network;
    }

    @Override
    public Kind kind() {
        return Kind.CONTAINER;
    }

    @Override
    public String where() {
        return image;
    }

    @Override
    public String version() {
        if (version == null) {
            OneShot result = runOnce("", "-v");
            if (result.exitCode() != 0) {
                throw new HaproxyStartException(
                        "'haproxy -v' in image "
                                + image
                                + " exited with "
                                + result.exitCode()
                                + ":\n"
                                + result.output());
            }
            version = Versions.fromVersionOutput(result.output(), "image " + image);
        }
        return version;
    }

    @Override
    public RunningHaproxy start(String configText) {
        List<InetSocketAddress> listeners =
                BindAddress.allIn(configText).stream().map(BindAddress::probeAddress).toList();
        ListenerProbe.requireFree(listeners);
        HaproxyContainer container = new HaproxyContainer(image, configText, network());
        try {
            container.start();
        } catch (ContainerLaunchException failed) {
            String logs = logsOfFailedStart(container);
            container.stop();
            if (logs.isBlank()) {
                // Docker lost the log of a container that exited at once (seen in full test runs):
                // HAProxy's verdict on the same config, from a one-shot 'haproxy -c', says why
                // instead.
                try {
                    logs = check(configText).output();
                } catch (RuntimeException checkFailed) {
                    logs = "";
                }
            }
            String why = rootMessage(failed);
            boolean logsShown = logs.isBlank() || why.contains(logs.strip());
            throw new HaproxyStartException(
                    "HAProxy container "
                            + image
                            + " did not start: "
                            + why
                            + (logsShown ? "" : "\nIts output:\n" + logs),
                    failed);
        }
        return new Running(container, listeners);
    }

    /**
     * The output of a container that exited during start. Docker can hand out a just-exited
     * container's log a moment late (seen once in a full test run: an empty log), so an empty one
     * is asked for again for up to a second.
     */
    private static String logsOfFailedStart(HaproxyContainer container) {
        if (container.getContainerId() == null) {
            return "";
        }
        String logs = "";
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                logs = container.getLogs();
            } catch (RuntimeException e) {
                return logs;
            }
            if (!logs.isBlank()) {
                return logs;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return logs;
            }
        }
        return logs;
    }

    @Override
    public CheckResult check(String configText) {
        OneShot result = runOnce(configText, "-c", "-f", HaproxyContainer.CONFIG_PATH);
        return new CheckResult(result.exitCode(), result.output());
    }

    /**
     * Every check in one container per batch (one shell script), as starting a container per file
     * costs a second each. The script uses shell built-ins only ({@code printf}, {@code cd}, {@code
     * echo}): the locally built images have a shell but no {@code cat} or {@code mkdir}. A batch
     * stays under Linux's limit on one argument's length (128 KiB), so a long list runs as several
     * containers.
     */
    @Override
    public Map<String, CheckResult> checkEach(Map<String, String> configsByName) {
        Map<String, CheckResult> results = new LinkedHashMap<>();
        StringBuilder script = new StringBuilder();
        Map<String, String> batch = new LinkedHashMap<>();
        for (Map.Entry<String, String> config : configsByName.entrySet()) {
            if (!config.getKey().matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException(
                        "config '" + config.getKey() + "' cannot be checked in a batch");
            }
            String step = checkStep(config.getKey(), config.getValue());
            if (!batch.isEmpty() && script.length() + step.length() > MAX_SCRIPT_CHARS) {
                results.putAll(checkBatch(script.toString(), batch));
                script.setLength(0);
                batch.clear();
            }
            script.append(step);
            batch.put(config.getKey(), config.getValue());
        }
        if (!batch.isEmpty()) {
            results.putAll(checkBatch(script.toString(), batch));
        }
        return results;
    }

    /**
     * Room for the script in one argument (Linux: 128 KiB), counting a character as up to 2 bytes.
     */
    private static final int MAX_SCRIPT_CHARS = 60_000;

    /** Writes one config under its name in /tmp and checks it there, between markers. */
    private static String checkStep(String name, String text) {
        return "cd /tmp || exit 1\n"
                + "printf '%s' '"
                + text.replace("'", "'\\''")
                + (text.endsWith("\n") ? "" : "\n")
                + "' > '"
                + name
                + "' || exit 1\n"
                + "echo '"
                + BATCH_START
                + name
                + "'\n"
                + "haproxy -c -f '"
                + name
                + "' 2>&1\n"
                + "echo \""
                + BATCH_END
                + "$?\"\n";
    }

    private Map<String, CheckResult> checkBatch(String script, Map<String, String> configsByName) {
        String output;
        try (HaproxyContainer container = new HaproxyContainer(image, "").shellOnce(script)) {
            container.start();
            int exitCode =
                    container
                            .getDockerClient()
                            .waitContainerCmd(container.getContainerId())
                            .start()
                            .awaitStatusCode(ONE_SHOT_TIMEOUT_SECONDS * 4, TimeUnit.SECONDS);
            output = container.getLogs();
            if (exitCode != 0) {
                throw new HaproxyStartException(
                        "the batch of 'haproxy -c' in image "
                                + image
                                + " exited with "
                                + exitCode
                                + " (has the image a shell?):\n"
                                + output);
            }
        }
        Map<String, CheckResult> results = new LinkedHashMap<>();
        String name = null;
        StringBuilder one = new StringBuilder();
        for (String line : output.split("\n", -1)) {
            if (line.startsWith(BATCH_START)) {
                name = line.substring(BATCH_START.length());
                one.setLength(0);
            } else if (line.startsWith(BATCH_END) && name != null) {
                results.put(
                        name,
                        new CheckResult(
                                Integer.parseInt(line.substring(BATCH_END.length()).strip()),
                                one.toString()));
                name = null;
            } else if (name != null) {
                one.append(line).append('\n');
            }
        }
        if (!results.keySet().equals(configsByName.keySet())) {
            throw new HaproxyStartException(
                    "the batch of 'haproxy -c' in image "
                            + image
                            + " answered for "
                            + results.keySet()
                            + " instead of "
                            + configsByName.keySet()
                            + ":\n"
                            + output);
        }
        return results;
    }

    private static final String BATCH_START = "=== lbkit check of ";
    private static final String BATCH_END = "=== lbkit check exit ";

    private OneShot runOnce(String configText, String... arguments) {
        try (HaproxyContainer container =
                new HaproxyContainer(image, configText).runningOnce(arguments)) {
            container.start();
            int exitCode =
                    container
                            .getDockerClient()
                            .waitContainerCmd(container.getContainerId())
                            .start()
                            .awaitStatusCode(ONE_SHOT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new OneShot(exitCode, container.getLogs());
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    private record OneShot(int exitCode, String output) {}

    private record Running(HaproxyContainer container, List<InetSocketAddress> listeners)
            implements RunningHaproxy {

        @Override
        public String logs() {
            return container.getLogs();
        }

        @Override
        public boolean isRunning() {
            return container.isRunning();
        }

        @Override
        public void close() {
            container.stop();
        }
    }
}
