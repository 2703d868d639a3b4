package dev.lbkit.all.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import dev.lbkit.harness.haproxy.HaproxyLines;
import dev.lbkit.harness.haproxy.RunningHaproxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The statistics page's {@code ;csv} and the Prometheus exporter, side by side: a real HAProxy and
 * lbkit run the same config, get the same requests (200s and 404s on weighted roundrobin, a
 * disabled server, one server drained through each one's stats page admin form), and then both
 * pages are fetched and compared. The CSV is compared on every cell lbkit fills; the metrics lbkit
 * writes must be a subset of HAProxy's (name, labels, type) with equal values.
 */
class OperatorPagesParityTest {
    static final String CONFIG =
            """
            global
                nbthread 1
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:{WEB}
                http-request use-service prometheus-exporter if { path /metrics }
                default_backend be
            backend be
                balance roundrobin
                server s1 127.0.0.1:{APP1}
                server s2 127.0.0.1:{APP2} weight 2
                server s3 127.0.0.1:{APP3} weight 3
                server s4 127.0.0.1:{APP3} disabled
                server s5 127.0.0.1:{APP1} check inter 200ms
            listen stats
                bind 127.0.0.1:{STATS}
                stats enable
                stats uri /
                stats refresh 10s
                stats admin if LOCALHOST
            """;

    /** Cells that depend on when they are read, not on what happened: never compared. */
    static final Map<String, String> TIME_COLUMNS =
            Map.of("lastchg", "seconds since the last state change");

    /**
     * Cells not compared, by row and column, with why (listed in docs/parity.md): a frontend's
     * smax, the most sessions open at once, depends on timing even on one-at-a-time traffic. lbkit
     * may end a forwarded request in its counts after the client has read the answer and sent its
     * next request (fe: lbkit 2 where HAProxy 1 in the runs seen); HAProxy keeps the session of the
     * harness's readiness probe open while the first request runs (stats: HAProxy 2, lbkit 1).
     */
    static final Map<String, String> KNOWN_DIFFERENCES =
            Map.of(
                    "fe/FRONTEND smax",
                            "lbkit may count a forwarded request's end after the client's next request starts",
                    "stats/FRONTEND smax",
                            "HAProxy's session of the readiness probe may overlap the first request");

    /** The frontend's smax, as the exporter names it (see {@link #KNOWN_DIFFERENCES}). */
    static final Map<String, String> KNOWN_METRIC_DIFFERENCES =
            Map.of(
                    "haproxy_frontend_max_sessions{proxy=\"fe\",}",
                    "as fe/FRONTEND smax",
                    "haproxy_frontend_max_sessions{proxy=\"stats\",}",
                    "as stats/FRONTEND smax");

    /**
     * Counters compared as increments from a first read right after start: the harness's readiness
     * probe (a connection opened and closed on each bind) counts in HAProxy as a session and a 4xx
     * before any traffic, and never reaches lbkit's handlers.
     */
    static final Set<String> COUNTERS =
            Set.of(
                    "stot",
                    "req_tot",
                    "lbtot",
                    "hrsp_1xx",
                    "hrsp_2xx",
                    "hrsp_3xx",
                    "hrsp_4xx",
                    "hrsp_5xx",
                    "hrsp_other");

    private static final List<FlaskReplica> APPS = new ArrayList<>();

    @BeforeAll
    static void startApps() {
        for (int app = 1; app <= 3; app++) {
            APPS.add(FlaskReplica.start(app, "127.0.0.1", 0, Duration.ZERO));
        }
    }

    @AfterAll
    static void stopApps() {
        APPS.forEach(FlaskReplica::close);
    }

    /** One side: its ports, and the pages fetched after the traffic. */
    record Pages(String csvBefore, String csv, String metricsBefore, String metrics) {}

    /**
     * Against the HAProxy found here, lbkit running as its line (a HAProxy of a line lbkit does not
     * model is met by a 2.6 instead).
     */
    @Test
    void csvAndMetricsAreHaproxys() throws Exception {
        Haproxy found = HaproxyForTests.get();
        HaproxyLine line = HaproxyLine.ofVersion(found.version());
        if (line == null || !line.modelled()) {
            found = HaproxyForTests.modelled26(found, "operator pages");
            line = HaproxyLine.V2_6;
        }
        assertSamePages(found, line);
    }

    /** Against each line after 2.6 in every run, lbkit running as that line. */
    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_2", "V3_4"})
    void csvAndMetricsAreEachLines(HaproxyLine line) throws Exception {
        assertSamePages(HaproxyLines.get(line), line);
    }

    static void assertSamePages(Haproxy haproxy, HaproxyLine line) throws Exception {
        Pages[] sides = run(haproxy, UnaryOperator.identity(), line);
        CsvComparison csv = CsvComparison.of(sides[0], sides[1]);
        MetricsComparison metrics = MetricsComparison.of(sides[0], sides[1]);
        String summary =
                "HAProxy met: "
                        + haproxy.describe()
                        + ", lbkit runs as "
                        + line.text()
                        + "\n"
                        + csv.summary()
                        + "\n"
                        + metrics.summary();
        System.out.println("[lbkit] " + summary);
        Report.writeLine(
                "operators", "stats-csv-and-metrics-" + line.text(), summary.replace("\n", " | "));
        assertThat(csv.sameHeader())
                .as("lbkit's CSV header is HAProxy %s's, column for column", line.text())
                .isTrue();
        assertThat(csv.differences())
                .as("lbkit's ;csv cells that differ from HAProxy's (%s)", csv.summary())
                .isEmpty();
        assertThat(csv.compared()).as("cells compared").isGreaterThan(100);
        assertThat(metrics.notInHaproxy())
                .as("metrics lbkit writes that HAProxy's exporter does not")
                .isEmpty();
        assertThat(metrics.differences()).as("metric values that differ from HAProxy's").isEmpty();
        assertThat(metrics.compared()).as("samples compared").isGreaterThan(50);
    }

    /**
     * lbkit running as 2.6 against a 3.4: the header, the proxies' numbers and two metrics' types
     * are 3.4's own, and the comparison must see each.
     */
    @Test
    @Tag(NegativeControl.TAG)
    void comparisonRejects26sPagesAgainst34() throws Exception {
        Pages[] sides =
                run(HaproxyLines.get(HaproxyLine.V3_4), UnaryOperator.identity(), HaproxyLine.V2_6);
        CsvComparison csv = CsvComparison.of(sides[0], sides[1]);
        MetricsComparison metrics = MetricsComparison.of(sides[0], sides[1]);
        NegativeControl.record(
                "operator-pages-2.6-on-3.4",
                "stats page ;csv and /metrics against HAProxy 3.4's",
                "lbkit runs as 2.6",
                "rejected: header "
                        + (csv.sameHeader() ? "same" : "differs")
                        + ", "
                        + csv.differences().size()
                        + " CSV cells differ, "
                        + metrics.notInHaproxy().size()
                        + " metrics typed otherwise");
        assertThat(csv.sameHeader()).as("the comparison sees 2.6's header").isFalse();
        assertThat(csv.differences())
                .as("the comparison sees 2.6's proxy numbers")
                .anyMatch(d -> d.startsWith("fe/FRONTEND iid: HAProxy 2, lbkit 1"));
        assertThat(metrics.notInHaproxy())
                .as("the comparison sees 2.6's metric types")
                .anyMatch(d -> d.startsWith("haproxy_server_check_failures_total (counter"));
    }

    @Test
    @Tag(NegativeControl.TAG)
    void comparisonRejectsAnLbkitWithAnotherWeight() throws Exception {
        Haproxy haproxy = HaproxyForTests.get();
        HaproxyLine line = HaproxyLine.ofVersion(haproxy.version());
        if (line == null || !line.modelled()) {
            haproxy = HaproxyForTests.modelled26(haproxy, "operator pages");
            line = HaproxyLine.V2_6;
        }
        Pages[] sides =
                run(
                        haproxy,
                        NegativeControl.replace(
                                "(server s2 127\\.0\\.0\\.1:\\d+) weight 2", "$1 weight 1"),
                        line);
        CsvComparison csv = CsvComparison.of(sides[0], sides[1]);
        MetricsComparison metrics = MetricsComparison.of(sides[0], sides[1]);
        NegativeControl.record(
                "operator-pages-weight",
                "stats page ;csv and /metrics against HAProxy's",
                "'server s2 ... weight 1' for 'weight 2'",
                "rejected: "
                        + csv.differences().size()
                        + " CSV cells and "
                        + metrics.differences().size()
                        + " metric samples differ");
        assertThat(csv.differences()).as("the CSV comparison sees the wrong weight").isNotEmpty();
        assertThat(metrics.differences())
                .as("the metrics comparison sees the wrong weight")
                .isNotEmpty();
    }

    /**
     * Runs the traffic on HAProxy (first) and lbkit (second, running as {@code line}, its config
     * rewritten by {@code mistake}).
     */
    static Pages[] run(Haproxy haproxy, UnaryOperator<String> mistake, HaproxyLine line)
            throws Exception {
        Map<String, Integer> haproxyPorts = ports();
        Map<String, Integer> lbkitPorts = ports();
        Pages[] pages = new Pages[2];
        try (RunningHaproxy running = haproxy.start(fill(CONFIG, haproxyPorts))) {
            pages[0] = traffic(haproxyPorts, () -> {});
        }
        String lbkitConfig = mistake.apply(fill(CONFIG, lbkitPorts));
        try (Lbkit lbkit = Lbkit.start(ConfigParser.parse(lbkitConfig, "operators.cfg", line))) {
            pages[1] = traffic(lbkitPorts, () -> awaitIdle(lbkit));
        }
        return pages;
    }

    static Map<String, Integer> ports() throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("WEB", SideBySide.freePort());
        ports.put("STATS", SideBySide.freePort());
        for (int i = 0; i < APPS.size(); i++) {
            ports.put("APP" + (i + 1), APPS.get(i).port());
        }
        return ports;
    }

    static String fill(String template, Map<String, Integer> ports) {
        String text = template;
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            text = text.replace("{" + port.getKey() + "}", Integer.toString(port.getValue()));
        }
        return text;
    }

    /**
     * The same requests on each side, each on a new connection (HAProxy counts sessions, lbkit
     * requests: one request per connection makes them the same thing): 36 requests, one in four to
     * a path the apps answer with 404, then s2 drained through the stats page, 12 more.
     */
    static Pages traffic(Map<String, Integer> ports, Runnable idle) throws IOException {
        InetSocketAddress web = new InetSocketAddress("127.0.0.1", ports.get("WEB"));
        InetSocketAddress stats = new InetSocketAddress("127.0.0.1", ports.get("STATS"));
        String csvBefore = settledCsv(stats);
        String metricsBefore = get(web, "/metrics").body();
        for (int i = 0; i < 36; i++) {
            get(web, i % 4 == 3 ? "/missing" : "/");
        }
        get(stats, "/");
        String answer = post(stats, "/", "s=s2&action=drain&b=be");
        assertThat(answer)
                .as("the admin form's answer")
                .contains("303")
                .containsIgnoringCase("location: /;st=DONE");
        for (int i = 0; i < 12; i++) {
            get(web, i % 4 == 3 ? "/missing" : "/data");
        }
        idle.run();
        String csv = get(stats, "/;csv").body();
        idle.run();
        String metrics = get(web, "/metrics").body();
        return new Pages(csvBefore, csv, metricsBefore, metrics);
    }

    /**
     * Waits (up to 5 s) until no frontend of lbkit's holds a request, so that scur is read once the
     * last client connection has ended, as on HAProxy. lbkit counts a request's end when the last
     * write of its answer completes, which can come a moment after the client has read it and moved
     * on; the wait goes through lbkit's own counters, so it adds no request to the pages compared.
     * A count that never drops is still read as it is, and the comparison then fails.
     */
    static void awaitIdle(Lbkit lbkit) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (lbkit.frontends().stream().anyMatch(f -> f.stats().current() != 0)
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The CSV once s5's checks have settled (fully UP: health at rise + fall - 1, which the CSV
     * writes as a plain "UP"), so both sides are read in the same check state. Read before the
     * traffic: the polls count in the stats frontend, whose counters are compared as increments
     * from the last of them.
     */
    static String settledCsv(InetSocketAddress stats) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String csv = get(stats, "/;csv").body();
            Map<String, String> s5 = CsvComparison.rows(csv).get("be/s5");
            if ((s5 != null
                            && s5.get("status").equals("UP")
                            && s5.get("check_status").equals("L4OK"))
                    || System.nanoTime() > deadline) {
                return csv;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    static RawHttpClient.Response get(InetSocketAddress to, String target) throws IOException {
        try (RawHttpClient client =
                new RawHttpClient(to, InetAddress.getByName("127.0.0.1"), 5000)) {
            return client.get(target, "127.0.0.1", List.of(), false);
        }
    }

    /** A form POST on a new connection; the answer's head as text. */
    static String post(InetSocketAddress to, String target, String form) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(to, 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST "
                                    + target
                                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                                    + form.length()
                                    + "\r\n\r\n"
                                    + form)
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** The ;csv pages compared cell by cell, on the cells lbkit fills. */
    record CsvComparison(
            int rows,
            Set<String> columns,
            int compared,
            List<String> differences,
            boolean sameHeader) {
        static CsvComparison of(Pages haproxy, Pages lbkit) {
            Map<String, Map<String, String>> expected = rows(haproxy.csv());
            Map<String, Map<String, String>> actual = rows(lbkit.csv());
            Map<String, Map<String, String>> expectedBefore = rows(haproxy.csvBefore());
            Map<String, Map<String, String>> actualBefore = rows(lbkit.csvBefore());
            assertThat(actual.keySet())
                    .as("lbkit's CSV rows are HAProxy's, in order")
                    .containsExactlyElementsOf(expected.keySet());
            Set<String> columns = new java.util.TreeSet<>();
            List<String> differences = new ArrayList<>();
            int compared = 0;
            for (String row : actual.keySet()) {
                for (Map.Entry<String, String> cell : actual.get(row).entrySet()) {
                    String column = cell.getKey();
                    if (cell.getValue().isEmpty()
                            || TIME_COLUMNS.containsKey(column)
                            || KNOWN_DIFFERENCES.containsKey(row + " " + column)) {
                        continue;
                    }
                    compared++;
                    columns.add(column);
                    String theirs = expected.get(row).getOrDefault(column, "(no column)");
                    String ours = cell.getValue();
                    if (COUNTERS.contains(column)) {
                        theirs = increment(theirs, expectedBefore.get(row).get(column));
                        ours = increment(ours, actualBefore.get(row).get(column));
                    }
                    if (!theirs.equals(ours)) {
                        differences.add(
                                row + " " + column + ": HAProxy " + theirs + ", lbkit " + ours);
                    }
                }
            }
            boolean sameHeader =
                    haproxy.csv().lines().findFirst().equals(lbkit.csv().lines().findFirst());
            return new CsvComparison(actual.size(), columns, compared, differences, sameHeader);
        }

        static String increment(String after, String before) {
            if (after.isEmpty() || before == null || before.isEmpty()) {
                return after;
            }
            return "+" + (Long.parseLong(after) - Long.parseLong(before));
        }

        static Map<String, Map<String, String>> rows(String csv) {
            List<String> lines = csv.lines().filter(l -> !l.isEmpty()).toList();
            List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
            Map<String, Map<String, String>> rows = new LinkedHashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.size() && i < cells.length; i++) {
                    row.put(header.get(i), cells[i]);
                }
                rows.put(cells[0] + "/" + cells[1], row);
            }
            return rows;
        }

        String summary() {
            return "stats ;csv: header "
                    + (sameHeader ? "the same" : "differs")
                    + ", "
                    + rows
                    + " rows, "
                    + columns.size()
                    + " columns compared ("
                    + String.join(" ", columns)
                    + "), "
                    + (compared - differences.size())
                    + "/"
                    + compared
                    + " cells equal";
        }
    }

    /**
     * lbkit's metrics against HAProxy's exporter: names, labels and types a subset, values equal.
     */
    record MetricsComparison(
            int families, int compared, List<String> notInHaproxy, List<String> differences) {
        static MetricsComparison of(Pages haproxy, Pages lbkit) {
            PrometheusText.Exposition expected = PrometheusText.parse(haproxy.metrics());
            PrometheusText.Exposition actual = PrometheusText.parse(lbkit.metrics());
            PrometheusText.Exposition expectedBefore =
                    PrometheusText.parse(haproxy.metricsBefore());
            PrometheusText.Exposition actualBefore = PrometheusText.parse(lbkit.metricsBefore());
            List<String> missing = new ArrayList<>();
            List<String> differences = new ArrayList<>();
            actual.types()
                    .forEach(
                            (name, type) -> {
                                if (!type.equals(expected.types().get(name))) {
                                    missing.add(
                                            name
                                                    + " ("
                                                    + type
                                                    + "; HAProxy: "
                                                    + expected.types().get(name)
                                                    + ")");
                                }
                            });
            for (PrometheusText.Sample sample : actual.samples().values()) {
                PrometheusText.Sample theirs = expected.samples().get(sample.key());
                if (theirs == null) {
                    missing.add(sample.key());
                } else if (KNOWN_METRIC_DIFFERENCES.containsKey(sample.key())) {
                    continue;
                } else {
                    double ours = sample.value();
                    double expectedValue = theirs.value();
                    if ("counter".equals(actual.types().get(sample.name()))) {
                        // Counters as increments, for the same reason as the CSV's (the start-up
                        // probe).
                        ours -= actualBefore.samples().get(sample.key()).value();
                        expectedValue -= expectedBefore.samples().get(sample.key()).value();
                    }
                    if (Double.compare(expectedValue, ours) != 0) {
                        differences.add(
                                sample.key()
                                        + ": HAProxy "
                                        + expectedValue
                                        + ", lbkit "
                                        + ours
                                        + ("counter".equals(actual.types().get(sample.name()))
                                                ? " (increments)"
                                                : ""));
                    }
                }
            }
            return new MetricsComparison(
                    actual.types().size(), actual.samples().size(), missing, differences);
        }

        String summary() {
            return "metrics: "
                    + families
                    + " families, "
                    + (compared - notInHaproxy.size() - differences.size())
                    + "/"
                    + compared
                    + " samples present in HAProxy's exporter with equal values";
        }
    }
}
