package dev.lbkit.harness.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The published-ports mode (Docker without host networking) as far as it can be checked here: the
 * config HAProxy would read and the container settings. It is never started on these machines:
 * traffic here stays on 127.0.0.0/8 and Docker has no bridge network (docs/docker.md).
 */
class ContainerNetworkTest {

    private static final String HARNESS_CONFIG =
            String.join(
                    "\n",
                    "global",
                    "    nbthread 1   # lbkit harness: exact runs use one thread",
                    "    stats socket ipv4@127.0.0.1:40003 level admin   # lbkit harness",
                    "defaults",
                    "    mode http",
                    "frontend fe",
                    "    bind 127.0.0.1:40001",
                    "    bind 127.0.0.1:40002,ipv4@127.0.0.1:40004 name second",
                    "    default_backend be",
                    "backend be",
                    "    balance roundrobin",
                    "    server s1 127.0.0.1:5001 check weight 2",
                    "    server s2 127.0.1.7:5002",
                    "    server s3 localhost:5003",
                    "    server far 10.1.2.3:80   # not this machine: left alone",
                    "");

    @Test
    void bindsListenOnAllInterfacesInsideAndServersAreReachedThroughTheHostGateway() {
        String rewritten = ContainerNetwork.rewriteForPublished(HARNESS_CONFIG);
        assertThat(rewritten)
                .contains("    stats socket ipv4@0.0.0.0:40003 level admin   # lbkit harness")
                .contains("    bind 0.0.0.0:40001\n")
                .contains("    bind 0.0.0.0:40002,ipv4@0.0.0.0:40004 name second")
                .contains("    server s1 host.docker.internal:5001 check weight 2")
                .contains("    server s2 host.docker.internal:5002")
                .contains("    server s3 host.docker.internal:5003")
                .contains("    server far 10.1.2.3:80   # not this machine: left alone")
                .contains("    balance roundrobin")
                .doesNotContain("127.0.0.1");
        assertThat(rewritten.lines().count()).isEqualTo(HARNESS_CONFIG.lines().count());
    }

    @Test
    void everyListeningPortIsPublishedOnLoopbackOnly() {
        assertThat(ContainerNetwork.publishedPortBindings(HARNESS_CONFIG))
                .containsExactly(
                        "127.0.0.1:40001:40001",
                        "127.0.0.1:40002:40002",
                        "127.0.0.1:40004:40004",
                        "127.0.0.1:40003:40003");
    }

    @Test
    void thePublishedContainerHasPortsAHostGatewayAndTheRewrittenConfig() {
        try (HaproxyContainer container =
                new HaproxyContainer("haproxy:2.6", HARNESS_CONFIG, ContainerNetwork.PUBLISHED)) {
            assertThat(container.getNetworkMode()).isNull(); // Docker's default network
            assertThat(container.getPortBindings())
                    .containsExactlyInAnyOrder(
                            "127.0.0.1:40001:40001/tcp",
                            "127.0.0.1:40002:40002/tcp",
                            "127.0.0.1:40004:40004/tcp",
                            "127.0.0.1:40003:40003/tcp");
            assertThat(container.getExtraHosts())
                    .containsExactly("host.docker.internal:host-gateway");
            assertThat(container.servedConfig())
                    .isEqualTo(ContainerNetwork.rewriteForPublished(HARNESS_CONFIG));
        }
    }

    @Test
    void theHostNetworkedContainerRunsTheConfigAsWritten() {
        try (HaproxyContainer container =
                new HaproxyContainer("haproxy:2.6", HARNESS_CONFIG, ContainerNetwork.HOST)) {
            assertThat(container.getNetworkMode()).isEqualTo("host");
            assertThat(container.getPortBindings()).isEmpty();
            assertThat(container.getExtraHosts()).isEmpty();
            assertThat(container.servedConfig()).isEqualTo(HARNESS_CONFIG);
        }
    }

    @Test
    void hostNetworkingOnlyWhereItReachesThisMachinesLoopback() {
        assertThat(ContainerNetwork.detect("Linux", "Debian GNU/Linux 12 (bookworm)"))
                .isEqualTo(ContainerNetwork.HOST);
        assertThat(ContainerNetwork.detect("Linux", "Docker Desktop"))
                .isEqualTo(ContainerNetwork.PUBLISHED);
        assertThat(ContainerNetwork.detect("Mac OS X", "Docker Desktop"))
                .isEqualTo(ContainerNetwork.PUBLISHED);
        assertThat(ContainerNetwork.detect("Windows 11", "Docker Desktop"))
                .isEqualTo(ContainerNetwork.PUBLISHED);
        assertThat(ContainerNetwork.detect("Mac OS X", "Ubuntu 24.04 LTS"))
                .isEqualTo(ContainerNetwork.PUBLISHED);
    }
}
