package dev.lbkit.harness.haproxy;

import com.github.dockerjava.api.DockerClient;
import java.time.Duration;
import java.time.Instant;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.utility.DockerStatus;

/**
 * Accepts a container that runs or has exited with any code: {@code haproxy -c} exits with 1 on a
 * bad config, and that exit code is the answer, not a failed start.
 */
final class RunsOrExitedStartupCheck extends StartupCheckStrategy {

    @Override
    public StartupStatus checkStartupState(DockerClient dockerClient, String containerId) {
        var state = getCurrentState(dockerClient, containerId);
        boolean started =
                DockerStatus.isContainerRunning(state, Duration.ZERO, Instant.now())
                        || DockerStatus.isContainerStopped(state);
        return started ? StartupStatus.SUCCESSFUL : StartupStatus.NOT_YET_KNOWN;
    }
}
