package dev.lbkit.balancer;

import dev.lbkit.balancer.config.Config;
import java.util.Optional;

/**
 * A running lbkit: every frontend listening, every backend balancing, health checks and the
 * runtime API started, all from one {@link Config}. Close it to stop everything it started.
 */
public final class Lbkit implements AutoCloseable {

    private Lbkit() {
    }

    /** Starts everything the config describes; returns once every listener is bound. */
    public static Lbkit start(Config config) {
        throw new UnsupportedOperationException("proxy not written yet");
    }

    /** The running backend with that name (a {@code backend} or {@code listen} section). */
    public Optional<Backend> backend(String name) {
        return Optional.empty();
    }

    /** Stops listeners, health checks and the runtime API; waits for in-flight requests briefly. */
    @Override
    public void close() {
    }
}
