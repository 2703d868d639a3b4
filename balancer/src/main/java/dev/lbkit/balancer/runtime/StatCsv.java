package dev.lbkit.balancer.runtime;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.health.HealthChecks;
import dev.lbkit.balancer.proxy.Frontend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code show stat}: the CSV of the HAProxy line lbkit runs as, same header and column order, one
 * FRONTEND row per frontend, one row per server and a BACKEND row per backend, in file order. lbkit
 * fills the columns it tracks (counts, status, weights, checks, answers by status class); the
 * others stay empty. The statistics page's {@code ;csv} is the same text without the final empty
 * line.
 */
public final class StatCsv {
    /** HAProxy 2.6's header line (2.6.12's own output), which the tests of 2.6's CSV read. */
    static final String HEADER = Layout.of(HaproxyLine.V2_6).header();

    private StatCsv() {}

    /** The columns of HAProxy 2.6's CSV, in order. */
    public static List<String> columns() {
        return columns(HaproxyLine.V2_6);
    }

    /** The columns of {@code line}'s CSV, in order. */
    public static List<String> columns(HaproxyLine line) {
        return Layout.of(line).columns();
    }

    /** The answer to {@code show stat}, ending with the empty line the runtime API sends. */
    public static String render(RunningProxies lbkit) {
        return render(lbkit, true);
    }

    /**
     * The CSV; {@code cliColumns} false gives the statistics page's, where HAProxy leaves a
     * server's {@code addr} and a backend's {@code algo} empty (checked against 2.6's binary, and
     * on 3.0, 3.2 and 3.4 by {@code OperatorPagesParityTest}).
     */
    public static String render(RunningProxies lbkit, boolean cliColumns) {
        Layout layout = Layout.of(lbkit.config().line());
        StringBuilder out = new StringBuilder(layout.header()).append('\n');
        int iid = firstIid(lbkit) - 1;
        for (ProxySection section : lbkit.config().proxies()) {
            iid++;
            if (section.hasFrontend()) {
                Optional<Frontend> frontend =
                        lbkit.frontends().stream().filter(f -> f.section() == section).findFirst();
                out.append(frontendRow(layout, section, frontend, iid));
            }
            if (section.hasBackend()) {
                Optional<Backend> backend = lbkit.backend(section.name());
                if (backend.isPresent()) {
                    out.append(
                            backendRows(
                                    layout, backend.get(), lbkit.healthChecks(), iid, cliColumns));
                }
            }
        }
        return out.append('\n').toString();
    }

    private static String frontendRow(
            Layout layout, ProxySection section, Optional<Frontend> frontend, int iid) {
        Row row = new Row(layout, section.name(), "FRONTEND");
        row.set("scur", frontend.map(f -> f.stats().current()).orElse(0));
        row.set("smax", frontend.map(f -> f.stats().max()).orElse(0));
        row.set("stot", frontend.map(f -> f.stats().total()).orElse(0L));
        row.set("req_tot", frontend.map(f -> f.stats().total()).orElse(0L));
        frontend.ifPresent(f -> setResponses(row, f.stats()::responses));
        row.set("status", "OPEN");
        row.set("pid", 1).set("iid", iid).set("sid", 0).set("type", 0).set("mode", "http");
        return row.line();
    }

    /**
     * The first proxy's {@code iid}: HAProxy numbers proxies in file order, after its internal
     * runtime API frontend. Up to 3.0 that frontend exists only when the config has a {@code stats
     * socket}, so the numbers start at 1 without one; from 3.2 it always exists and they start at 2
     * (measured on 2.6, 3.0, 3.2 and 3.4, with and without a {@code stats socket}).
     */
    public static int firstIid(RunningProxies lbkit) {
        boolean cliProxy =
                lbkit.config().line().compareTo(HaproxyLine.V3_2) >= 0
                        || !lbkit.config().global().statsSockets().isEmpty();
        return cliProxy ? 2 : 1;
    }

    private static String backendRows(
            Layout layout, Backend backend, HealthChecks checks, int iid, boolean cliColumns) {
        StringBuilder rows = new StringBuilder();
        // One lock for the whole backend, servers and checks alike (checks.of takes this same lock
        // again): the rows are one consistent picture, and no second lock is waited for (issue 25).
        synchronized (backend.lock()) {
            int scur = 0;
            long lbtot = 0;
            int activeUsable = 0;
            int backupUsable = 0;
            int activeWeight = 0;
            int backupWeight = 0;
            int activeUweight = 0;
            int backupUweight = 0;
            for (Server server : backend.servers()) {
                Row row = new Row(layout, backend.name(), server.name());
                Optional<HealthChecks.Snapshot> check = checks.of(server);
                row.set("qcur", server.queued()).set("qmax", server.maxQueued());
                if (server.spec().maxqueue() > 0) {
                    row.set("qlimit", server.spec().maxqueue());
                }
                row.set("econ", server.refusedQueueFull());
                row.set("scur", server.served());
                row.set("smax", server.maxServed());
                if (server.maxconn() > 0) {
                    row.set("slim", server.maxconn());
                }
                row.set("stot", server.sessions());
                String cookie = backend.section().cookie().serverCookies().get(server.name());
                if (cookie != null) {
                    row.set("cookie", cookie);
                }
                row.set("status", status(server, checks));
                int shown = server.uweight();
                if (server.inMaintenance() && backend.line() == HaproxyLine.V2_6) {
                    // 2.6 shows a server in maintenance with the weight it had when it went
                    // there; a weight set meanwhile shows once it leaves (3.0 on: at once).
                    shown = server.weightEnteringMaint();
                }
                // A warming server (slowstart) shows the weight it has now, rounded up, and the
                // share of its own in throttle.
                int effective = server.warming() ? server.shownWeight() : shown;
                row.set("weight", effective).set("uweight", shown);
                if (server.throttle() >= 0) {
                    row.set("throttle", server.throttle());
                }
                row.set("act", server.backup() ? 0 : 1).set("bck", server.backup() ? 1 : 0);
                row.set("pid", 1).set("iid", iid).set("sid", server.id());
                row.set("lbtot", server.lbtot()).set("type", 2);
                if (cliColumns) {
                    row.set("addr", server.spec().host() + ":" + server.spec().port());
                }
                row.set("mode", "http");
                row.set("lastchg", server.secondsSinceChange());
                setResponses(row, server::responses);
                check.ifPresent(
                        c -> {
                            row.set("chkfail", c.failedChecks())
                                    .set("chkdown", c.downTransitions());
                            // Checks pause in maintenance, and their columns stay empty there.
                            if (!server.maint()) {
                                row.set("check_status", c.lastResult());
                                row.set("check_rise", c.rise())
                                        .set("check_fall", c.fall())
                                        .set("check_health", c.health());
                            }
                        });
                rows.append(row.line());
                scur += server.served() + server.queued();
                lbtot += server.lbtot();
                if (server.usable()) {
                    if (server.backup()) {
                        backupUsable++;
                        backupWeight += server.eweight();
                        backupUweight += server.uweight();
                    } else {
                        activeUsable++;
                        activeWeight += server.eweight();
                        activeUweight += server.uweight();
                    }
                }
            }
            Row row = new Row(layout, backend.name(), "BACKEND");
            // The effective weights of the group in use, in user-weight units rounded up (a warming
            // server counts with what it has now), and its user weights.
            int weight = ((activeUsable > 0 ? activeWeight : backupWeight) + 15) / 16;
            int uweight = activeUsable > 0 ? activeUweight : backupUweight;
            // The backend's scur counts every request it holds, waiting in a queue or served.
            row.set("qcur", backend.backendQueued())
                    .set("qmax", backend.maxBackendQueued())
                    .set("econ", backend.refusedQueueFull())
                    .set("scur", scur + backend.backendQueued())
                    .set("stot", backend.cumulativeRequests());
            if (backend.section().cookie().enabled()) {
                row.set("cookie", backend.section().cookie().name());
            }
            // A backend without servers (a stats-only listen) is UP for HAProxy.
            boolean up = activeUsable + backupUsable > 0 || backend.servers().isEmpty();
            row.set("status", up ? "UP" : "DOWN");
            row.set("chkdown", backend.downTransitions());
            row.set("weight", weight).set("uweight", uweight);
            row.set("act", activeUsable).set("bck", backupUsable);
            row.set("pid", 1).set("iid", iid).set("sid", 0).set("lbtot", lbtot).set("type", 1);
            row.set("mode", "http");
            if (cliColumns) {
                row.set("algo", backend.section().balance().algorithm().keyword());
            }
            rows.append(row.line());
        }
        return rows.toString();
    }

    private static final String[] RESPONSE_COLUMNS = {
        "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"
    };

    private static void setResponses(Row row, java.util.function.IntToLongFunction responses) {
        for (int i = 0; i < RESPONSE_COLUMNS.length; i++) {
            row.set(RESPONSE_COLUMNS[i], responses.applyAsLong(i));
        }
    }

    /**
     * HAProxy's server status word: admin states first, then the operational state with the check's
     * view. A server without checks shows "no check" while UP, and DOWN or NOLB (stopping) when the
     * runtime API's {@code set server ... health} put it there; a stopping server with checks shows
     * NOLB where it would show UP ("NOLB 2/3" while failing checks: HAProxy's wording, not
     * measured).
     */
    public static String status(Server server, HealthChecks checks) {
        // A tracking server shows the check state of the server at the end of its track chain
        // (e.g. UP 1/3, as HAProxy 2.6 to 3.4 do), with its own or inherited admin states.
        Optional<HealthChecks.Snapshot> check = checks.of(server.checkedBy());
        // Inherited maintenance shows with its origin even when the server's own is on too.
        if (server.maintVia() != null) {
            return "MAINT (via " + server.maintVia() + ")";
        }
        if (server.maint()) {
            return "MAINT";
        }
        // DRAIN shows only while the server is UP: a drained server that is stopping shows NOLB,
        // a DOWN one DOWN (measured on 2.6 to 3.4).
        if (server.inDrain() && server.running() && !server.stopping()) {
            // With the checks' count when it is not full, as UP shows it: "DRAIN 1/3".
            String checked = check.map(HealthChecks.Snapshot::status).orElse("");
            return checked.startsWith("UP") ? "DRAIN" + checked.substring(2) : "DRAIN";
        }
        if (check.isEmpty()) {
            return !server.running() ? "DOWN" : server.stopping() ? "NOLB" : "no check";
        }
        String status = check.get().status();
        return server.stopping() && status.startsWith("UP") ? "NOLB" + status.substring(2) : status;
    }

    /**
     * A line's CSV columns: its header as that line's HAProxy writes it (Debian's builds, which
     * have QUIC: a build without it has no {@code h3_} and {@code quic_} columns), read from a
     * resource per line, and each column's position.
     */
    record Layout(String header, List<String> columns, Map<String, Integer> index) {
        private static final Map<HaproxyLine, Layout> LAYOUTS = new EnumMap<>(HaproxyLine.class);

        static {
            for (HaproxyLine line : HaproxyLine.values()) {
                LAYOUTS.put(line, load(line));
            }
        }

        static Layout of(HaproxyLine line) {
            return LAYOUTS.get(line);
        }

        private static Layout load(HaproxyLine line) {
            String resource = "stat-header-" + line.text() + ".txt";
            try (InputStream in = StatCsv.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + resource);
                }
                String header = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
                List<String> columns = List.of(header.substring(2).split(",", -1));
                Map<String, Integer> index = new HashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    index.putIfAbsent(columns.get(i), i);
                }
                return new Layout(header, columns, Map.copyOf(index));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read resource " + resource, e);
            }
        }
    }

    /** One CSV line under construction, every column empty until set. */
    private static final class Row {
        private final Layout layout;
        private final String[] cells;

        Row(Layout layout, String pxname, String svname) {
            this.layout = layout;
            this.cells = new String[layout.columns().size()];
            Arrays.fill(cells, "");
            set("pxname", pxname).set("svname", svname);
        }

        Row set(String column, Object value) {
            cells[layout.index().get(column)] = String.valueOf(value);
            return this;
        }

        String line() {
            return String.join(",", cells) + "\n";
        }
    }
}
