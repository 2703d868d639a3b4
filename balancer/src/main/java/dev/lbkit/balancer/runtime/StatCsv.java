package dev.lbkit.balancer.runtime;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.health.HealthChecks;
import dev.lbkit.balancer.proxy.Frontend;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code show stat}: HAProxy 2.6's CSV, same header and column order, one FRONTEND row per
 * frontend, one row per server and a BACKEND row per backend, in file order. lbkit fills the
 * columns it tracks (counts, status, weights, checks, answers by status class); the others stay
 * empty. The statistics page's {@code ;csv} is the same text without the final empty line.
 */
public final class StatCsv {
    /** HAProxy 2.6.12's header line, taken from the binary's own output. */
    static final String HEADER =
            "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,";

    private static final List<String> COLUMNS = Arrays.asList(HEADER.substring(2).split(",", -1));
    private static final Map<String, Integer> INDEX = new HashMap<>();

    static {
        for (int i = 0; i < COLUMNS.size(); i++) {
            INDEX.putIfAbsent(COLUMNS.get(i), i);
        }
    }

    private StatCsv() {}

    /** The columns of HAProxy 2.6's CSV, in order. */
    public static List<String> columns() {
        return List.copyOf(COLUMNS);
    }

    /** The answer to {@code show stat}, ending with the empty line the runtime API sends. */
    public static String render(RunningProxies lbkit) {
        return render(lbkit, true);
    }

    /**
     * The CSV; {@code cliColumns} false gives the statistics page's, where HAProxy 2.6 leaves a
     * server's {@code addr} and a backend's {@code algo} empty (checked against the binary).
     */
    public static String render(RunningProxies lbkit, boolean cliColumns) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        int iid = firstIid(lbkit) - 1;
        for (ProxySection section : lbkit.config().proxies()) {
            iid++;
            if (section.hasFrontend()) {
                Optional<Frontend> frontend =
                        lbkit.frontends().stream().filter(f -> f.section() == section).findFirst();
                out.append(frontendRow(section, frontend, iid));
            }
            if (section.hasBackend()) {
                Optional<Backend> backend = lbkit.backend(section.name());
                if (backend.isPresent()) {
                    out.append(backendRows(backend.get(), lbkit.healthChecks(), iid, cliColumns));
                }
            }
        }
        return out.append('\n').toString();
    }

    private static String frontendRow(ProxySection section, Optional<Frontend> frontend, int iid) {
        Row row = new Row(section.name(), "FRONTEND");
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
     * The first proxy's {@code iid}: HAProxy numbers proxies in file order from 1, after its
     * internal runtime API frontend when the config has a {@code stats socket}.
     */
    public static int firstIid(RunningProxies lbkit) {
        return lbkit.config().global().statsSockets().isEmpty() ? 1 : 2;
    }

    private static String backendRows(
            Backend backend, HealthChecks checks, int iid, boolean cliColumns) {
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
            for (Server server : backend.servers()) {
                Row row = new Row(backend.name(), server.name());
                Optional<HealthChecks.Snapshot> check = checks.of(server);
                row.set("qcur", server.queued()).set("qmax", server.maxQueued());
                if (server.spec().maxqueue() > 0) {
                    row.set("qlimit", server.spec().maxqueue());
                }
                row.set("econ", server.refusedQueueFull());
                row.set("scur", server.served());
                row.set("smax", server.maxServed());
                if (server.spec().maxconn() > 0) {
                    row.set("slim", server.spec().maxconn());
                }
                row.set("stot", server.lbtot());
                row.set("status", status(server, check));
                row.set("weight", server.uweight()).set("uweight", server.uweight());
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
                            row.set("check_status", c.lastResult());
                            row.set("check_rise", c.rise())
                                    .set("check_fall", c.fall())
                                    .set("check_health", c.health());
                        });
                rows.append(row.line());
                scur += server.served() + server.queued();
                lbtot += server.lbtot();
                if (server.usable()) {
                    if (server.backup()) {
                        backupUsable++;
                        backupWeight += server.uweight();
                    } else {
                        activeUsable++;
                        activeWeight += server.uweight();
                    }
                }
            }
            Row row = new Row(backend.name(), "BACKEND");
            int weight = activeUsable > 0 ? activeWeight : backupWeight;
            // The backend's scur counts every request it holds, waiting in a queue or served.
            row.set("qcur", backend.backendQueued())
                    .set("qmax", backend.maxBackendQueued())
                    .set("econ", backend.refusedQueueFull())
                    .set("scur", scur + backend.backendQueued())
                    .set("stot", backend.cumulativeRequests());
            // A backend without servers (a stats-only listen) is UP for HAProxy.
            boolean up = activeUsable + backupUsable > 0 || backend.servers().isEmpty();
            row.set("status", up ? "UP" : "DOWN");
            row.set("weight", weight).set("uweight", weight);
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

    /** HAProxy's server status word: admin states first, then the check's view. */
    public static String status(Server server, Optional<HealthChecks.Snapshot> check) {
        if (server.maint()) {
            return "MAINT";
        }
        if (server.drain()) {
            return "DRAIN";
        }
        return check.map(HealthChecks.Snapshot::status).orElse("no check");
    }

    /** One CSV line under construction, every column empty until set. */
    private static final class Row {
        private final String[] cells = new String[COLUMNS.size()];

        Row(String pxname, String svname) {
            Arrays.fill(cells, "");
            set("pxname", pxname).set("svname", svname);
        }

        Row set(String column, Object value) {
            cells[INDEX.get(column)] = String.valueOf(value);
            return this;
        }

        String line() {
            return String.join(",", cells) + "\n";
        }
    }
}
