package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigRewriterTest {
    private static final String ARTICLE =
            """
            global
                log stdout format raw local0
                daemon
                nbthread 4
                stats socket /run/haproxy/admin.sock mode 660 level admin

            defaults
                mode    http
                timeout connect 5000ms

            frontend http_front
                bind *:80
                default_backend servers

            backend servers
                balance roundrobin
                hash-type consistent djb2
                server server1 app1:5001 weight 2 check
                server server2 app2:5002 weight 1 check inter 1s
                server server3 app3:5003 weight 3 check
            """;

    @Test
    void changesOnlyAddressesAndLeavesBalancingLinesAsWritten() {
        String out =
                ConfigRewriter.rewrite(
                        ARTICLE,
                        new ConfigRewriter.Plan(
                                List.of(18080), List.of(19001, 19002, 19003), 0, false));

        assertThat(out.lines().toList())
                .as("bind and server addresses go to loopback ports, options stay")
                .contains(
                        "    bind 127.0.0.1:18080",
                        "    server server1 127.0.0.1:19001 weight 2 check",
                        "    server server2 127.0.0.1:19002 weight 1 check inter 1s",
                        "    server server3 127.0.0.1:19003 weight 3 check");
        assertThat(
                        out.lines()
                                .filter(l -> l.contains("balance") || l.contains("hash-type"))
                                .toList())
                .as("balancing lines are never rewritten")
                .containsExactly("    balance roundrobin", "    hash-type consistent djb2");
        assertThat(out)
                .as("without an exact run, nbthread and the stats socket stay as written")
                .contains("    nbthread 4", "stats socket /run/haproxy/admin.sock");
    }

    @Test
    void exactRunsForceOneThreadAndAddTheirOwnRuntimeSocket() {
        String out =
                ConfigRewriter.rewrite(
                        ARTICLE,
                        new ConfigRewriter.Plan(List.of(18080), List.of(1, 2, 3), 19999, true));

        assertThat(out)
                .as("one thread and a loopback admin socket replace the config's own")
                .contains("nbthread 1", "stats socket ipv4@127.0.0.1:19999 level admin")
                .contains("# lbkit harness: replaced: nbthread 4")
                .contains(
                        "# lbkit harness: replaced: stats socket /run/haproxy/admin.sock mode 660 level admin");
        assertThat(out.indexOf("nbthread 1"))
                .as("the additions stay inside global")
                .isLessThan(out.indexOf("defaults"));
    }

    @Test
    void addsAGlobalSectionWhenTheConfigHasNone() {
        String out =
                ConfigRewriter.rewrite(
                        "backend b\n    server s1 x:1\n",
                        new ConfigRewriter.Plan(List.of(), List.of(5), 7, true));
        assertThat(out).startsWith("global\n    nbthread 1").contains("server s1 127.0.0.1:5");
    }

    @Test
    void countsBindsAndServersAndNamesServersInOrder() {
        assertThat(ConfigRewriter.countBindsAndServers(ARTICLE)).containsExactly(1, 3);
        assertThat(ConfigRewriter.serverNames(ARTICLE))
                .containsExactly("server1", "server2", "server3");
    }
}
