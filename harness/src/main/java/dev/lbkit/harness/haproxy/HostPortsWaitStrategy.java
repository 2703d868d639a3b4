package dev.lbkit.harness.haproxy;

import java.net.InetSocketAddress;
import java.util.List;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Ready when every listener accepts a connection on the host: the wait for host-networked
 * containers, where {@code Wait.forListeningPort()} has no mapped port and returns at once.
 */
final class HostPortsWaitStrategy extends AbstractWaitStrategy {

    private final List<InetSocketAddress> listeners;

    HostPortsWaitStrategy(List<InetSocketAddress> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    protected void waitUntilReady() {
        try {
            ListenerProbe.awaitListening(
                    listeners,
                    startupTimeout,
                    waitStrategyTarget::isRunning,
                    waitStrategyTarget::getLogs,
                    "HAProxy container");
        } catch (HaproxyStartException notListening) {
            throw new ContainerLaunchException(notListening.getMessage(), notListening);
        }
    }
}
