package dev.lbkit.harness.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class BindAddressTest {

    @Test
    void findsEveryTcpAddressOfEveryBindLine() {
        String config =
                """
                frontend a
                    bind 127.0.0.1:8080 # the main one
                    bind 127.0.0.2:9000,127.0.0.3:9001 ssl crt /x.pem
                listen b
                    bind ipv4@127.0.0.1:7000-7002
                    bind unix@/run/haproxy.sock
                    bind /run/other.sock
                    bind "127.0.0.1:${PORT}"
                #   bind 127.0.0.1:1
                """;

        assertThat(BindAddress.allIn(config))
                .as("TCP addresses in order; sockets, variables and comments skipped")
                .containsExactly(
                        new BindAddress("127.0.0.1", 8080),
                        new BindAddress("127.0.0.2", 9000),
                        new BindAddress("127.0.0.3", 9001),
                        new BindAddress("127.0.0.1", 7000),
                        new BindAddress("127.0.0.1", 7001),
                        new BindAddress("127.0.0.1", 7002));
    }

    @Test
    void wildcardIsProbedThroughLoopback() {
        assertThat(BindAddress.allIn("frontend f\n  bind *:80\n  bind :81\n"))
                .extracting(BindAddress::probeAddress)
                .as("'*' and an empty host listen everywhere, so 127.0.0.1 reaches them")
                .containsExactly(
                        new InetSocketAddress("127.0.0.1", 80),
                        new InetSocketAddress("127.0.0.1", 81));
    }

    @Test
    void portsBelow1024AreThePrivilegedOnes() {
        assertThat(new BindAddress("*", 80).privileged()).as("port 80 needs root").isTrue();
        assertThat(new BindAddress("*", 1024).privileged()).as("port 1024 does not").isFalse();
    }
}
