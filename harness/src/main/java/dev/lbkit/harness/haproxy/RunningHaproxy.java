package dev.lbkit.harness.haproxy;

import java.net.InetSocketAddress;
import java.util.List;

/** A started HAProxy; {@link #close()} stops it (and removes its container). */
public interface RunningHaproxy extends AutoCloseable {

    /** Where the config's {@code bind} lines listen, as a client on this machine reaches them. */
    List<InetSocketAddress> listeners();

    /** Everything HAProxy wrote to stdout and stderr so far: alerts, warnings, access logs. */
    String logs();

    boolean isRunning();

    /** Stops HAProxy; safe to call twice. */
    @Override
    void close();
}
