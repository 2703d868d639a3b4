package dev.lbkit.harness.haproxy;

import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * HAProxy in a container, running a configuration copied in before start: with host networking (the
 * default, and what CI runs) or on Docker's default network with published ports ({@link
 * ContainerNetwork}).
 *
 * <p>The image must follow the official layout: entrypoint {@code docker-entrypoint.sh}, which runs
 * {@code haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg} in the foreground. Host networking
 * means the config's {@code bind} lines listen on this machine directly, so bind {@code
 * 127.0.0.1:<port>}, never {@code *}.
 */
public final class HaproxyContainer extends GenericContainer<HaproxyContainer> {

    /**
     * The official image of the HAProxy version lbkit follows; override with {@code
     * -Dhaproxy.image}.
     */
    public static final String DEFAULT_IMAGE = "haproxy:2.6";

    public static final String CONFIG_PATH = "/usr/local/etc/haproxy/haproxy.cfg";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final String servedConfig;

    /**
     * A host-networked container that serves {@code configText} once started; ready when every bind
     * port accepts.
     */
    public HaproxyContainer(String image, String configText) {
        this(image, configText, ContainerNetwork.HOST);
    }

    /**
     * A container that serves {@code configText} once started, networked as {@code network} says:
     * with {@link ContainerNetwork#PUBLISHED}, the config is rewritten for Docker's default network
     * (see {@link ContainerNetwork#rewriteForPublished}), each listening port is published on
     * 127.0.0.1 and {@value ContainerNetwork#HOST_GATEWAY_NAME} names this machine.
     */
    public HaproxyContainer(String image, String configText, ContainerNetwork network) {
        super(DockerImageName.parse(image));
        List<BindAddress> binds = BindAddress.allIn(configText);
        String served = configText;
        if (network == ContainerNetwork.HOST) {
            withNetworkMode("host");
        } else {
            served = ContainerNetwork.rewriteForPublished(configText);
            setPortBindings(ContainerNetwork.publishedPortBindings(configText));
            withExtraHost(ContainerNetwork.HOST_GATEWAY_NAME, "host-gateway");
        }
        servedConfig = served;
        withCopyToContainer(Transferable.of(served), CONFIG_PATH);
        if (binds.stream().anyMatch(BindAddress::privileged)) {
            // The official image runs as user haproxy, which may not bind ports below 1024.
            withCreateContainerCmdModifier(create -> create.withUser("root"));
        }
        // Host networking: ready when every bind address accepts on this machine. Published ports
        // accept as soon as Docker's proxy listens, before HAProxy does, so there HAProxy's own
        // "Loading success." (master-worker mode, as the official image runs it) says when.
        waitingFor(
                network == ContainerNetwork.HOST
                        ? new HostPortsWaitStrategy(
                                        binds.stream().map(BindAddress::probeAddress).toList())
                                .withStartupTimeout(STARTUP_TIMEOUT)
                        : Wait.forLogMessage(".*Loading success.*", 1)
                                .withStartupTimeout(STARTUP_TIMEOUT));
    }

    /**
     * The configuration HAProxy reads in the container: as given, or rewritten for published ports.
     */
    public String servedConfig() {
        return servedConfig;
    }

    /**
     * Makes the container run {@code haproxy <arguments>} once (e.g. {@code -c -f ...}) instead of
     * serving.
     */
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
