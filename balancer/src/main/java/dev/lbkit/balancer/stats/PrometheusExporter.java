package dev.lbkit.balancer.stats;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.health.HealthChecks;
import dev.lbkit.balancer.proxy.Frontend;
import dev.lbkit.balancer.proxy.FrontendStats;
import dev.lbkit.balancer.runtime.RunningProxies;
import dev.lbkit.balancer.runtime.StatCsv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code http-request use-service prometheus-exporter}: the counters of every frontend, backend and
 * server in the Prometheus text format (version 0.0.4), under the metric names and labels of
 * HAProxy's own exporter ({@code haproxy_frontend_*}, {@code haproxy_backend_*}, {@code
 * haproxy_server_*}, labels {@code proxy}, {@code server}, {@code state}, {@code code}). Only
 * metrics lbkit counts are written; HAProxy's others (bytes, times, queues, connections, errors,
 * ...) are left out rather than written as zeros. The help texts are lbkit's own.
 */
public final class PrometheusExporter {
    /** The content type of the text format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final String[] CODES = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
    private static final String[] SERVER_STATES = {"DOWN", "UP", "MAINT", "DRAIN", "NOLB"};

    /** The check results HAProxy's exporter labels {@code haproxy_server_check_status} with. */
    private static final String[] CHECK_STATES = {
        "HANA",
        "SOCKERR",
        "L4OK",
        "L4TOUT",
        "L4CON",
        "L6OK",
        "L6TOUT",
        "L6RSP",
        "L7TOUT",
        "L7RSP",
        "L7OK",
        "L7OKC",
        "L7STS",
        "PROCERR",
        "PROCTOUT",
        "PROCOK"
    };

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final HaproxyLine line;

    private PrometheusExporter(HaproxyLine line) {
        this.line = line;
    }

    /** The exporter's answer: 200 with every metric lbkit has. */
    static PageAnswer answer(RunningProxies lbkit) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", "no-cache");
        headers.put("Content-Type", CONTENT_TYPE);
        return new PageAnswer(200, headers, render(lbkit));
    }

    /** The metrics of a running lbkit, in the text format. */
    public static String render(RunningProxies lbkit) {
        PrometheusExporter out = new PrometheusExporter(lbkit.config().line());
        for (Frontend frontend : lbkit.frontends()) {
            out.frontend(frontend.section().name(), frontend.stats());
        }
        for (ProxySection section : lbkit.config().proxies()) {
            if (section.hasBackend()) {
                lbkit.backend(section.name())
                        .ifPresent(backend -> out.backend(backend, lbkit.healthChecks()));
            }
        }
        StringBuilder text = new StringBuilder();
        for (Family family : out.families.values()) {
            text.append("# HELP ").append(family.name).append(' ').append(family.help).append('\n');
            text.append("# TYPE ").append(family.name).append(' ').append(family.type).append('\n');
            family.samples.forEach(sample -> text.append(sample).append('\n'));
        }
        return text.toString();
    }

    private void frontend(String proxy, FrontendStats stats) {
        String labels = "proxy=\"" + escape(proxy) + "\"";
        gauge(
                        "haproxy_frontend_status",
                        "Whether the frontend is up (1 on the label of its state).")
                .add(labels + ",state=\"DOWN\"", 0)
                .add(labels + ",state=\"UP\"", 1);
        gauge("haproxy_frontend_current_sessions", "Requests in progress on the frontend.")
                .add(labels, stats.current());
        gauge("haproxy_frontend_max_sessions", "Most requests in progress on the frontend at once.")
                .add(labels, stats.max());
        counter(
                        "haproxy_frontend_sessions_total",
                        "Requests the frontend received (lbkit counts one session per request).")
                .add(labels, stats.total());
        counter("haproxy_frontend_http_requests_total", "HTTP requests the frontend received.")
                .add(labels, stats.total());
        Family responses =
                counter(
                        "haproxy_frontend_http_responses_total",
                        "HTTP answers the frontend sent, by status class.");
        for (int i = 0; i < CODES.length; i++) {
            responses.add(labels + ",code=\"" + CODES[i] + "\"", stats.responses(i));
        }
    }

    private void backend(Backend backend, HealthChecks checks) {
        String labels = "proxy=\"" + escape(backend.name()) + "\"";
        long cumulative = backend.cumulativeRequests();
        synchronized (backend.lock()) {
            int current = 0;
            long lbtot = 0;
            int active = 0;
            int backup = 0;
            int activeWeight = 0;
            int backupWeight = 0;
            List<Runnable> serverRows = new ArrayList<>();
            for (Server server : backend.servers()) {
                current += server.served();
                lbtot += server.lbtot();
                if (server.usable()) {
                    if (server.backup()) {
                        backup++;
                        backupWeight += server.eweight();
                    } else {
                        active++;
                        activeWeight += server.eweight();
                    }
                }
                Optional<HealthChecks.Snapshot> check = checks.of(server);
                String status = StatCsv.status(server, checks);
                int uweight = server.shownWeight();
                int served = server.served();
                int maxServed = server.maxServed();
                long picks = server.lbtot();
                long sessions = server.sessions();
                long[] answers = new long[CODES.length];
                for (int i = 0; i < answers.length; i++) {
                    answers[i] = server.responses(i);
                }
                String serverLabels = labels + ",server=\"" + escape(server.name()) + "\"";
                serverRows.add(
                        () ->
                                server(
                                        serverLabels,
                                        status,
                                        uweight,
                                        served,
                                        maxServed,
                                        picks,
                                        sessions,
                                        answers,
                                        check));
            }
            boolean up = active + backup > 0 || backend.servers().isEmpty();
            gauge(
                            "haproxy_backend_status",
                            "Whether the backend can serve (1 on the label of its state).")
                    .add(labels + ",state=\"DOWN\"", up ? 0 : 1)
                    .add(labels + ",state=\"UP\"", up ? 1 : 0);
            gauge(
                            "haproxy_backend_current_sessions",
                            "Requests in progress on the backend's servers.")
                    .add(labels, current);
            counter("haproxy_backend_sessions_total", "Requests that reached the backend.")
                    .add(labels, cumulative);
            counter(
                            "haproxy_backend_http_requests_total",
                            "HTTP requests that reached the backend.")
                    .add(labels, cumulative);
            counter(
                            "haproxy_backend_loadbalanced_total",
                            "Times the backend's algorithm chose a server.")
                    .add(labels, lbtot);
            gauge("haproxy_backend_active_servers", "Active servers that can take requests.")
                    .add(labels, active);
            gauge("haproxy_backend_backup_servers", "Backup servers that can take requests.")
                    .add(labels, backup);
            int weight = ((active > 0 ? activeWeight : backupWeight) + 15) / 16;
            gauge("haproxy_backend_weight", "Sum of the weights of the servers in use.")
                    .add(labels, weight);
            gauge("haproxy_backend_uweight", "Sum of the user weights of the servers in use.")
                    .add(labels, weight);
            serverRows.forEach(Runnable::run);
        }
    }

    private void server(
            String labels,
            String status,
            int uweight,
            int served,
            int maxServed,
            long picks,
            long sessions,
            long[] answers,
            Optional<HealthChecks.Snapshot> check) {
        String state =
                status.startsWith("DOWN")
                        ? "DOWN"
                        : status.equals("MAINT")
                                ? "MAINT"
                                : status.equals("DRAIN")
                                        ? "DRAIN"
                                        : status.startsWith("NOLB") ? "NOLB" : "UP";
        Family states =
                gauge("haproxy_server_status", "The server's state (1 on the label of its state).");
        for (String candidate : SERVER_STATES) {
            states.add(labels + ",state=\"" + candidate + "\"", candidate.equals(state) ? 1 : 0);
        }
        gauge("haproxy_server_current_sessions", "Requests in progress on the server.")
                .add(labels, served);
        gauge("haproxy_server_max_sessions", "Most requests in progress on the server at once.")
                .add(labels, maxServed);
        counter("haproxy_server_sessions_total", "Requests sent to the server.")
                .add(labels, sessions);
        counter("haproxy_server_loadbalanced_total", "Times the algorithm chose the server.")
                .add(labels, picks);
        gauge("haproxy_server_weight", "The server's weight.").add(labels, uweight);
        gauge("haproxy_server_uweight", "The server's user weight.").add(labels, uweight);
        Family responses =
                counter(
                        "haproxy_server_http_responses_total",
                        "HTTP answers the server sent, by status class.");
        for (int i = 0; i < CODES.length; i++) {
            responses.add(labels + ",code=\"" + CODES[i] + "\"", answers[i]);
        }
        check.ifPresent(
                c -> {
                    checkCount(
                                    "haproxy_server_check_failures_total",
                                    "Failed health checks of the server.")
                            .add(labels, c.failedChecks());
                    checkCount(
                                    "haproxy_server_check_up_down_total",
                                    "Times the health checks took the server DOWN.")
                            .add(labels, c.downTransitions());
                    Family results =
                            gauge(
                                    "haproxy_server_check_status",
                                    "The last health check's result (1 on its label).");
                    for (String result : CHECK_STATES) {
                        results.add(
                                labels + ",state=\"" + result + "\"",
                                result.equals(c.lastResult()) ? 1 : 0);
                    }
                });
    }

    /**
     * The two counts of a server's checks: counters up to 3.0, typed gauge from 3.2 although their
     * names still end in {@code _total} (measured on each line's exporter).
     */
    private Family checkCount(String name, String help) {
        return line.compareTo(HaproxyLine.V3_2) >= 0 ? gauge(name, help) : counter(name, help);
    }

    private Family gauge(String name, String help) {
        return families.computeIfAbsent(name, n -> new Family(n, help, "gauge"));
    }

    private Family counter(String name, String help) {
        return families.computeIfAbsent(name, n -> new Family(n, help, "counter"));
    }

    /** A label value as the text format writes it: backslash, double quote and newline escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** One metric family: its name, help, type and samples in order. */
    private static final class Family {
        final String name;
        final String help;
        final String type;
        final List<String> samples = new ArrayList<>();

        Family(String name, String help, String type) {
            this.name = name;
            this.help = help;
            this.type = type;
        }

        Family add(String labels, long value) {
            samples.add(name + "{" + labels + "} " + value);
            return this;
        }
    }
}
