package dev.lbkit.balancer.runtime;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.health.HealthChecks;
import dev.lbkit.balancer.proxy.Frontend;
import java.util.List;
import java.util.Optional;

/**
 * What the runtime API reads and changes in a running lbkit. {@code Lbkit} implements it and starts
 * the API with itself, so this package never depends on the class that starts it.
 */
public interface RunningProxies {

    /** The configuration being run. */
    Config config();

    /** Every running frontend (and listen) section, in file order. */
    List<Frontend> frontends();

    /** The running backend with that name (a {@code backend} or {@code listen} section). */
    Optional<Backend> backend(String name);

    /** The health checks (state of each checked server). */
    HealthChecks healthChecks();
}
