package dev.lbkit.harness.haproxy;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.ContainerLaunchException;

/** HAProxy run by Testcontainers from an image; one container per {@link #start} or {@link #check}. */
final class ContainerHaproxy implements Haproxy {

    private static final long ONE_SHOT_TIMEOUT_SECONDS = 30;

    private static volatile ContainerNetwork network;

    private final String image;
    private volatile String version;

    ContainerHaproxy(String image) {
        this.image = image;
    }

    /**
     * How the containers are networked here ({@code -Dlbkit.haproxy.network}, else detected once per
     * JVM): host networking where it reaches this machine's loopback, else published ports.
     */
    static ContainerNetwork network() {
        if (network == null) {
            synchronized (ContainerHaproxy.class) {
                if (network == null) {
                    network = ContainerNetwork.chosen(() -> {
                        try {
                            return org.testcontainers.DockerClientFactory.instance().getInfo().getOperatingSystem();
                        } catch (RuntimeException unknown) {
                            return "";
                        }
                    });
                    if (network == ContainerNetwork.PUBLISHED) {
                        System.out.println("[lbkit] Docker has no host networking here: HAProxy containers run on Docker's"
                                + " default network with published ports, reaching this machine as "
                                + ContainerNetwork.HOST_GATEWAY_NAME + " (-D" + ContainerNetwork.PROPERTY + "=host to override)");
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
                throw new HaproxyStartException("'haproxy -v' in image " + image + " exited with "
                        + result.exitCode() + ":\n" + result.output());
            }
            version = Versions.fromVersionOutput(result.output(), "image " + image);
        }
        return version;
    }

    @Override
    public RunningHaproxy start(String configText) {
        List<InetSocketAddress> listeners = BindAddress.allIn(configText).stream().map(BindAddress::probeAddress).toList();
        ListenerProbe.requireFree(listeners);
        HaproxyContainer container = new HaproxyContainer(image, configText, network());
        try {
            container.start();
        } catch (ContainerLaunchException failed) {
            String logs = logsOfFailedStart(container);
            container.stop();
            if (logs.isBlank()) {
                // Docker lost the log of a container that exited at once (seen in full test runs):
                // HAProxy's verdict on the same config, from a one-shot 'haproxy -c', says why instead.
                try {
                    logs = check(configText).output();
                } catch (RuntimeException checkFailed) {
                    logs = "";
                }
            }
            String why = rootMessage(failed);
            boolean logsShown = logs.isBlank() || why.contains(logs.strip());
            throw new HaproxyStartException("HAProxy container " + image + " did not start: " + why
                    + (logsShown ? "" : "\nIts output:\n" + logs), failed);
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

    /** Every check in one container (one shell loop), as starting a container per file costs a second each. */
    @Override
    public Map<String, CheckResult> checkEach(Map<String, String> configsByName) {
        StringBuilder script = new StringBuilder("mkdir -p /tmp/lbkit-check && cd /tmp/lbkit-check\n");
        int i = 0;
        for (Map.Entry<String, String> config : configsByName.entrySet()) {
            String marker = "LBKIT_END_OF_CONFIG_" + i++;
            if (config.getValue().contains(marker) || !config.getKey().matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("config '" + config.getKey() + "' cannot be checked in a batch");
            }
            script.append("cat > '").append(config.getKey()).append("' <<'").append(marker).append("'\n")
                    .append(config.getValue()).append(config.getValue().endsWith("\n") ? "" : "\n")
                    .append(marker).append('\n')
                    .append("echo '").append(BATCH_START).append(config.getKey()).append("'\n")
                    .append("haproxy -c -f '").append(config.getKey()).append("' 2>&1\n")
                    .append("echo \"").append(BATCH_END).append("$?\"\n");
        }
        String output;
        try (HaproxyContainer container = new HaproxyContainer(image, "").shellOnce(script.toString())) {
            container.start();
            int exitCode = container.getDockerClient().waitContainerCmd(container.getContainerId()).start()
                    .awaitStatusCode(ONE_SHOT_TIMEOUT_SECONDS * 4, TimeUnit.SECONDS);
            output = container.getLogs();
            if (exitCode != 0) {
                throw new HaproxyStartException("the batch of 'haproxy -c' in image " + image + " exited with "
                        + exitCode + " (has the image a shell?):\n" + output);
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
                results.put(name, new CheckResult(Integer.parseInt(line.substring(BATCH_END.length()).strip()),
                        one.toString()));
                name = null;
            } else if (name != null) {
                one.append(line).append('\n');
            }
        }
        if (!results.keySet().equals(configsByName.keySet())) {
            throw new HaproxyStartException("the batch of 'haproxy -c' in image " + image + " answered for "
                    + results.keySet() + " instead of " + configsByName.keySet() + ":\n" + output);
        }
        return results;
    }

    private static final String BATCH_START = "=== lbkit check of ";
    private static final String BATCH_END = "=== lbkit check exit ";

    private OneShot runOnce(String configText, String... arguments) {
        try (HaproxyContainer container = new HaproxyContainer(image, configText).runningOnce(arguments)) {
            container.start();
            int exitCode = container.getDockerClient().waitContainerCmd(container.getContainerId()).start()
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

    private record OneShot(int exitCode, String output) {
    }

    private record Running(HaproxyContainer container, List<InetSocketAddress> listeners) implements RunningHaproxy {

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
