package dev.lbkit.harness.haproxy;

import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * HAProxy in a container with host networking, running a configuration copied in before start.
 *
 * <p>The image must follow the official layout: entrypoint {@code docker-entrypoint.sh}, which
 * runs {@code haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg} in the foreground.
 * Host networking means the config's {@code bind} lines listen on this machine directly, so bind
 * {@code 127.0.0.1:<port>}, never {@code *}.
 */
public final class HaproxyContainer extends GenericContainer<HaproxyContainer> {

    /** The official image of the HAProxy version lbkit follows; override with {@code -Dhaproxy.image}. */
    public static final String DEFAULT_IMAGE = "haproxy:2.6";
    public static final String CONFIG_PATH = "/usr/local/etc/haproxy/haproxy.cfg";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    /** A container that serves {@code configText} once started; ready when every bind port accepts. */
    public HaproxyContainer(String image, String configText) {
        super(DockerImageName.parse(image));
        List<BindAddress> binds = BindAddress.allIn(configText);
        withNetworkMode("host");
        withCopyToContainer(Transferable.of(configText), CONFIG_PATH);
        if (binds.stream().anyMatch(BindAddress::privileged)) {
            // The official image runs as user haproxy, which may not bind ports below 1024.
            withCreateContainerCmdModifier(create -> create.withUser("root"));
        }
        waitingFor(new HostPortsWaitStrategy(binds.stream().map(BindAddress::probeAddress).toList())
                .withStartupTimeout(STARTUP_TIMEOUT));
    }

    /** Makes the container run {@code haproxy <arguments>} once (e.g. {@code -c -f ...}) instead of serving. */
    /** Runs {@code script} with the image's shell once (images built from Debian have one). */
    HaproxyContainer shellOnce(String script) {
        return withCommand("sh", "-c", script)
                .withStartupCheckStrategy(new RunsOrExitedStartupCheck())
                .waitingFor(new HostPortsWaitStrategy(List.of()));
    }

    HaproxyContainer runningOnce(String... arguments) {
        String[] command = new String[arguments.length + 1];
        command[0] = "haproxy";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return withCommand(command)
                .withStartupCheckStrategy(new RunsOrExitedStartupCheck())
                .waitingFor(new HostPortsWaitStrategy(List.of()));
    }
}
