package dev.lbkit.harness.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BenchConfigsTest {
    private static final List<Integer> THOUSAND_PORTS =
            IntStream.range(0, 1000).map(i -> 20000 + i).boxed().toList();

    @Test
    void bothProxiesRunTheSameConfigOverEveryServerExceptTheirPort() {
        String haproxy = BenchConfigs.proxy(7001, THOUSAND_PORTS);
        String lbkit = BenchConfigs.proxy(7002, THOUSAND_PORTS);

        assertThat(haproxy.replace("127.0.0.1:7001", "127.0.0.1:7002"))
                .as("the two configs differ only in the bind port")
                .isEqualTo(lbkit);
        assertThat(haproxy.lines().filter(l -> l.trim().startsWith("server ")))
                .as("one server line per port, in order")
                .hasSize(1000)
                .startsWith("    server app1 127.0.0.1:20000")
                .endsWith("    server app1000 127.0.0.1:20999");
        assertThat(haproxy)
                .as("maxconn raised for 1024 connections; the frontend takes it from global")
                .startsWith("global\n    maxconn 4096\ndefaults\n    mode http\n");
    }

    @Test
    void haproxyBackendsAnswerFromTheBodyFileOnEveryPort() {
        String config = BenchConfigs.haproxyBackends(THOUSAND_PORTS, 1024, Path.of("/tmp/b/body"));

        assertThat(config.lines().filter(l -> l.startsWith("frontend ")))
                .as("a frontend per port")
                .hasSize(1000);
        assertThat(config)
                .as("the last port answers with the file and names itself")
                .contains(
                        "frontend app1000\n    bind 127.0.0.1:20999\n    http-request return status 200"
                                + " content-type text/plain file /tmp/b/body hdr X-Served-By app1000\n")
                .as("1 KB fits HAProxy's default buffer")
                .doesNotContain("tune.bufsize");
    }

    @Test
    void bigBodiesRaiseHaproxysBufferToTheBodyAndItsHead() {
        assertThat(BenchConfigs.haproxyBufsize(1024)).as("1 KB: default buffer").isZero();
        assertThat(BenchConfigs.haproxyBufsize(8 * 1024)).as("8 KB: default buffer").isZero();
        assertThat(BenchConfigs.haproxyBufsize(100 * 1024))
                .as("100 KB plus 8 KB for the rewrite reserve and the head")
                .isEqualTo(108 * 1024);
        assertThat(BenchConfigs.haproxyBackends(List.of(1), 100 * 1024, Path.of("/b")))
                .as("the raised buffer is in the global section")
                .startsWith("global\n    maxconn 4096\n    tune.bufsize 110592\ndefaults\n");
    }

    @Test
    void nginxListensOnEveryPortFromOneServerBlockAndStaysInItsDirectory() {
        Path dir = Path.of("/tmp/lbkit-bench1/point-6");
        String config = BenchConfigs.nginxBackends(THOUSAND_PORTS, dir, 192);

        assertThat(config.lines().filter(l -> l.trim().startsWith("listen ")))
                .as("1000 listen lines")
                .hasSize(1000)
                .allMatch(l -> l.trim().matches("listen 127\\.0\\.0\\.1:\\d+;"));
        assertThat(config.lines().filter(l -> l.trim().startsWith("server {")))
                .as("one server block")
                .hasSize(1);
        assertThat(config)
                .as("in the foreground, files only in its directory, no site of the package")
                .startsWith("daemon off;\n")
                .contains(
                        "pid /tmp/lbkit-bench1/point-6/nginx.pid;",
                        "error_log /tmp/lbkit-bench1/point-6/nginx-error.log warn;",
                        "proxy_temp_path /tmp/lbkit-bench1/point-6/nginx-temp;",
                        "root /tmp/lbkit-bench1/point-6;",
                        "try_files /body =404;",
                        "add_header X-Served-By $server_port;",
                        "access_log off;",
                        "keepalive_requests 100000000;")
                .doesNotContain("include", "/etc/nginx", "/var/");
        assertThat(config)
                .as(
                        "room for every listener, every client and an idle connection per server and proxy")
                .contains("worker_connections 3256;", "worker_rlimit_nofile 3512;");
    }
}
