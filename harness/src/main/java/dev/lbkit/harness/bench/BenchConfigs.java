package dev.lbkit.harness.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The configs the benchmark generates: the proxy config HAProxy and lbkit both run, and the two
 * kinds of backend (HAProxy answering with {@code http-request return}, or nginx serving a file).
 * Pure text, so the tests can read what a run with 1000 servers would start.
 */
final class BenchConfigs {
    /**
     * Enough for 1024 client connections plus one server connection each, on both proxies. HAProxy
     * sizes its file-descriptor limit from it, and its frontends take it as their own limit when
     * they set none (2.6 shows {@code slim} 4096 in {@code show stat}); lbkit reads the same line.
     */
    static final int MAXCONN = 4096;

    /**
     * HAProxy answers {@code http-request return} from one buffer: the answer must fit in {@code
     * tune.bufsize} minus the space kept for header rewriting ({@code tune.maxrewrite}, 1 KB). Up
     * to this size the default 16 KB buffer does.
     */
    static final int DEFAULT_BUFSIZE_FITS = 8 * 1024;

    /** Bodies above this size go to nginx when the backend is {@code auto}. */
    static final int HAPROXY_RETURN_AUTO_LIMIT = 1024 * 1024;

    private BenchConfigs() {}

    /** The global and defaults sections both proxies and the HAProxy backends start from. */
    private static String globalAndDefaults(String extraGlobal) {
        return "global\n"
                + "    maxconn "
                + MAXCONN
                + "\n"
                + extraGlobal
                + "defaults\n"
                + "    mode http\n"
                + "    timeout client 30s\n"
                + "    timeout connect 5s\n"
                + "    timeout server 30s\n";
    }

    /**
     * The config both proxies run: one frontend, {@code balance roundrobin} over every backend
     * port, keep-alive on both sides. Only the listening port differs between the two.
     */
    static String proxy(int port, List<Integer> backendPorts) {
        StringBuilder c = new StringBuilder(globalAndDefaults(""));
        c.append("frontend fe\n")
                .append("    bind 127.0.0.1:")
                .append(port)
                .append('\n')
                .append("    default_backend app\n")
                .append("backend app\n")
                .append("    balance roundrobin\n");
        for (int i = 0; i < backendPorts.size(); i++) {
            c.append("    server app")
                    .append(i + 1)
                    .append(" 127.0.0.1:")
                    .append(backendPorts.get(i))
                    .append('\n');
        }
        return c.toString();
    }

    /**
     * The buffer HAProxy needs to answer {@code bodyBytes} with {@code http-request return}, or 0
     * when the default does: the body, the rewrite reserve and room for the answer's head.
     */
    static int haproxyBufsize(int bodyBytes) {
        if (bodyBytes <= DEFAULT_BUFSIZE_FITS) {
            return 0;
        }
        int needed = bodyBytes + 8 * 1024;
        return (needed + 1023) / 1024 * 1024;
    }

    /**
     * One HAProxy answering every request itself on every port, a frontend per port, with the body
     * read from {@code bodyFile} at start. Bodies above 8 KB raise {@code tune.bufsize} (see {@link
     * #haproxyBufsize}); that buffer is taken per connection, which is why big bodies are better
     * served by nginx.
     */
    static String haproxyBackends(List<Integer> ports, int bodyBytes, Path bodyFile) {
        int bufsize = haproxyBufsize(bodyBytes);
        StringBuilder c =
                new StringBuilder(
                        globalAndDefaults(
                                bufsize == 0 ? "" : "    tune.bufsize " + bufsize + "\n"));
        for (int i = 0; i < ports.size(); i++) {
            String app = "app" + (i + 1);
            c.append("frontend ")
                    .append(app)
                    .append('\n')
                    .append("    bind 127.0.0.1:")
                    .append(ports.get(i))
                    .append('\n')
                    .append("    http-request return status 200 content-type text/plain file ")
                    .append(bodyFile)
                    .append(" hdr X-Served-By ")
                    .append(app)
                    .append('\n');
        }
        return c.toString();
    }

    /**
     * nginx in the foreground as the benchmark's own process: no default site, no access log, no
     * path outside {@code workDir}, one server block listening on every port and answering every
     * request with {@code workDir/body} ({@code X-Served-By} is the port). Keep-alive connections
     * are never closed by a request count, so neither proxy has to reconnect.
     */
    static String nginxBackends(List<Integer> ports, Path workDir, int maxConnections) {
        // Each worker counts its listening sockets among its connections, and each proxy keeps an
        // idle connection to every server: with fewer, nginx closes idle connections ("worker
        // connections are not enough, reusing connections") and the proxies reconnect per request.
        int workerConnections = 3 * ports.size() + maxConnections + 64;
        StringBuilder c = new StringBuilder();
        c.append("daemon off;\n")
                .append("master_process on;\n")
                .append("worker_processes 2;\n")
                .append("worker_rlimit_nofile ")
                .append(workerConnections + maxConnections + 64)
                .append(";\n")
                .append("pid ")
                .append(workDir.resolve("nginx.pid"))
                .append(";\n")
                .append("error_log ")
                .append(workDir.resolve("nginx-error.log"))
                .append(" warn;\n")
                .append("events { worker_connections ")
                .append(workerConnections)
                .append("; }\n")
                .append("http {\n")
                .append("    access_log off;\n")
                .append("    sendfile on;\n")
                .append("    tcp_nopush on;\n")
                .append("    keepalive_requests 100000000;\n")
                .append("    keepalive_timeout 60s;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            c.append("    ")
                    .append(temp)
                    .append("_temp_path ")
                    .append(workDir.resolve("nginx-temp"))
                    .append(";\n");
        }
        c.append("    server {\n");
        for (int port : ports) {
            c.append("        listen 127.0.0.1:").append(port).append(";\n");
        }
        c.append("        location / {\n")
                .append("            root ")
                .append(workDir)
                .append(";\n")
                .append("            try_files /body =404;\n")
                .append("            default_type text/plain;\n")
                .append("            add_header X-Served-By $server_port;\n")
                .append("        }\n")
                .append("    }\n")
                .append("}\n");
        return c.toString();
    }
}
