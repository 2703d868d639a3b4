package dev.lbkit.balancer.stats;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.AclTest;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.StatsPage;
import dev.lbkit.balancer.health.HealthChecks;
import dev.lbkit.balancer.proxy.Frontend;
import dev.lbkit.balancer.runtime.RunningProxies;
import dev.lbkit.balancer.runtime.RuntimeApi;
import dev.lbkit.balancer.runtime.StatCsv;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One statistics page ({@code stats uri}): an HTML table per proxy with a row per frontend, server
 * and backend, {@code ;csv} for the same CSV as the runtime API's {@code show stat}, and, with
 * {@code stats admin}, a form per backend whose actions (ready, drain, maint) run as the runtime
 * API's {@code set server <b>/<s> state ...}. Addresses follow HAProxy's: {@code <uri>;csv}, {@code
 * <uri>;norefresh}, a POST to {@code <uri>} answered by a 303 to {@code <uri>;st=DONE}.
 */
final class StatsPageServer {

    /**
     * What the page needs of a request; {@code facts} are what {@code stats admin}'s condition is
     * evaluated on.
     */
    record Request(
            String method,
            String rawTarget,
            String body,
            AclTest.Facts facts,
            String authorization) {}

    /** Admin outcomes, by HAProxy's code in {@code ;st=}. */
    private static final Map<String, String> OUTCOMES =
            Map.of(
                    "DONE", "Action processed successfully.",
                    "ERRP",
                            "Action not processed: the request was not understood (backend, server or action).",
                    "DENY", "Action denied: this client may not use the admin actions.");

    private final StatsPage page;
    private final String proxy;
    private final RunningProxies lbkit;

    StatsPageServer(StatsPage page, String proxy, RunningProxies lbkit) {
        this.page = page;
        this.proxy = proxy;
        this.lbkit = lbkit;
    }

    PageAnswer answer(Request request) {
        if (!page.users().isEmpty() && !authorized(request.authorization())) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Cache-Control", "no-cache");
            headers.put("Content-Type", "text/html");
            headers.put("WWW-Authenticate", "Basic realm=\"" + page.realm() + "\"");
            return new PageAnswer(
                    401,
                    headers,
                    "<html><body><h1>401 Unauthorized</h1>\n"
                            + "You need a valid user and password to access this content.\n</body></html>\n");
        }
        String options = request.rawTarget().substring(page.uri().length());
        if (request.method().equals("POST")) {
            String outcome = admin(request);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Cache-Control", "no-cache");
            headers.put("Content-Type", "text/plain");
            headers.put("Location", page.uri() + ";st=" + outcome);
            return new PageAnswer(303, headers, "");
        }
        if (options.contains(";csv")) {
            String csv = StatCsv.render(lbkit, false);
            // show stat ends with an empty line; the page does not.
            return PageAnswer.text(
                    200, csv.endsWith("\n\n") ? csv.substring(0, csv.length() - 1) : csv);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", "no-cache");
        headers.put("Content-Type", "text/html");
        boolean refresh = page.refreshSeconds() > 0 && !options.contains(";norefresh");
        if (refresh) {
            headers.put("Refresh", Integer.toString(page.refreshSeconds()));
        }
        return new PageAnswer(
                200, headers, html(adminAllowed(request), outcomeOf(options), refresh));
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String pair;
        try {
            pair =
                    new String(
                            Base64.getDecoder().decode(header.substring(6).trim()),
                            StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return page.users().contains(pair);
    }

    private boolean adminAllowed(Request request) {
        return page.adminAllowed(request.facts());
    }

    /**
     * Runs the form's action on each named server through the runtime API's own command, so the
     * page and the socket cannot act differently. DENY when this client may not, ERRP when the
     * backend, a server or the action is unknown (nothing is changed then), DONE otherwise.
     */
    private String admin(Request request) {
        if (!adminAllowed(request)) {
            return "DENY";
        }
        Map<String, List<String>> form = form(request.body());
        String action = first(form, "action");
        String backendRef = first(form, "b");
        List<String> servers = form.getOrDefault("s", List.of());
        Optional<Backend> backend = backendByReference(backendRef);
        if (!List.of("ready", "drain", "maint").contains(action)
                || backend.isEmpty()
                || servers.isEmpty()
                || !servers.stream().allMatch(s -> backend.get().server(s).isPresent())) {
            return "ERRP";
        }
        for (String server : servers) {
            String answer =
                    RuntimeApi.runAsAdmin(
                            lbkit,
                            "set server "
                                    + backend.get().name()
                                    + "/"
                                    + server
                                    + " state "
                                    + action);
            if (!answer.isBlank()) {
                return "ERRP";
            }
        }
        return "DONE";
    }

    /**
     * A backend by name, or by {@code #<iid>} (its proxy number, as the CSV's iid column gives it).
     */
    private Optional<Backend> backendByReference(String reference) {
        if (reference.startsWith("#")) {
            List<ProxySection> proxies = lbkit.config().proxies();
            for (int i = 0; i < proxies.size(); i++) {
                if (reference.equals("#" + (i + StatCsv.firstIid(lbkit)))
                        && proxies.get(i).hasBackend()) {
                    return lbkit.backend(proxies.get(i).name());
                }
            }
            return Optional.empty();
        }
        return lbkit.backend(reference);
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.getOrDefault(name, List.of());
        return values.isEmpty() ? "" : values.get(0);
    }

    private static Map<String, List<String>> form(String body) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name =
                    URLDecoder.decode(
                            eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value =
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return form;
    }

    private static String outcomeOf(String options) {
        int at = options.indexOf(";st=");
        if (at < 0) {
            return null;
        }
        String code = options.substring(at + 4);
        code = code.length() > 4 ? code.substring(0, 4) : code;
        return OUTCOMES.get(code);
    }

    private String html(boolean admin, String outcome, boolean refresh) {
        StringBuilder out = new StringBuilder();
        out.append(
                        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Statistics Report for lbkit</title>\n")
                .append("<style>\n")
                .append("body{font-family:sans-serif;font-size:13px;margin:1em}h1{font-size:20px}")
                .append("table{border-collapse:collapse;margin-bottom:1.5em}")
                .append("th,td{border:1px solid #999;padding:2px 6px;text-align:right}")
                .append("th{background:#ddd}td.name{text-align:left;font-weight:bold}")
                .append("caption{text-align:left;font-weight:bold;font-size:15px;padding:4px 0}")
                .append(
                        "tr.UP td{background:#c0ffc0}tr.DOWN td{background:#ff9090}tr.MAINT td{background:#c07820}")
                .append(
                        "tr.DRAIN td{background:#b0d0ff}tr.OPEN td{background:#e0e0e0}tr.transition td{background:#ffffa0}")
                .append(
                        "tr.backend td{font-weight:bold}.outcome{padding:4px;background:#ffd;border:1px solid #cc9}\n")
                .append("</style></head><body>\n")
                .append("<h1>lbkit statistics</h1>\n")
                .append("<p>Served by the proxy <b>")
                .append(escape(proxy))
                .append("</b>")
                .append(refresh ? " (refreshes every " + page.refreshSeconds() + " s)" : "")
                .append(". <a href=\"")
                .append(escape(page.uri()))
                .append(";csv;norefresh\">CSV export</a>")
                .append(
                        refresh
                                ? " · <a href=\""
                                        + escape(page.uri())
                                        + ";norefresh\">Disable refresh</a>"
                                : "")
                .append(". Bytes in/out, queues and times are not counted by lbkit.</p>\n");
        if (outcome != null) {
            out.append("<p class=\"outcome\" id=\"outcome\">")
                    .append(escape(outcome))
                    .append("</p>\n");
        }
        for (ProxySection section : lbkit.config().proxies()) {
            out.append("<table class=\"proxy\" data-proxy=\"")
                    .append(escape(section.name()))
                    .append("\">\n<caption>")
                    .append(escape(section.name()))
                    .append("</caption>\n<tr><th>name</th><th>status</th><th>weight</th>")
                    .append(
                            "<th>cur</th><th>max</th><th>total</th><th>LB total</th><th>2xx</th><th>4xx</th><th>5xx</th>")
                    .append("<th>check</th><th>last change</th><th>bytes in</th><th>bytes out</th>")
                    .append(admin && section.hasBackend() ? "<th>select</th>" : "")
                    .append("</tr>\n");
            if (section.hasFrontend()) {
                lbkit.frontends().stream()
                        .filter(f -> f.section() == section)
                        .findFirst()
                        .ifPresent(f -> frontendRow(out, f, admin && section.hasBackend()));
            }
            if (section.hasBackend()) {
                lbkit.backend(section.name())
                        .ifPresent(b -> backendRows(out, b, lbkit.healthChecks(), admin));
            }
            out.append("</table>\n");
            if (admin
                    && section.hasBackend()
                    && lbkit.backend(section.name())
                            .map(b -> !b.servers().isEmpty())
                            .orElse(false)) {
                out.append(adminForm(section.name()));
            }
        }
        return out.append("</body></html>\n").toString();
    }

    private static void frontendRow(StringBuilder out, Frontend frontend, boolean adminColumn) {
        var stats = frontend.stats();
        out.append(
                        "<tr class=\"frontend OPEN\" data-row=\"FRONTEND\" data-status=\"OPEN\"><td class=\"name\">Frontend</td>")
                .append("<td>OPEN</td><td></td>")
                .append(cell(stats.current()))
                .append(cell(stats.max()))
                .append(cell(stats.total()))
                .append("<td></td>")
                .append(cell(stats.responses(1)))
                .append(cell(stats.responses(3)))
                .append(cell(stats.responses(4)))
                .append("<td></td><td></td><td>-</td><td>-</td>")
                .append(adminColumn ? "<td></td>" : "")
                .append("</tr>\n");
    }

    private void backendRows(
            StringBuilder out, Backend backend, HealthChecks checks, boolean admin) {
        String name = backend.name();
        synchronized (backend.lock()) {
            int current = 0;
            long total = 0;
            int weight = 0;
            boolean up = backend.servers().isEmpty();
            for (Server server : backend.servers()) {
                Optional<HealthChecks.Snapshot> check = checks.of(server);
                String status = StatCsv.status(server, checks);
                String css =
                        status.equals("no check")
                                ? "UP"
                                : status.contains(" ") ? "transition" : status;
                out.append("<tr class=\"server ")
                        .append(escape(css))
                        .append("\" data-row=\"")
                        .append(escape(server.name()))
                        .append("\" data-status=\"")
                        .append(escape(status))
                        .append("\"><td class=\"name\">")
                        .append(escape(server.name()))
                        .append("</td><td>")
                        .append(escape(status))
                        .append("</td>")
                        .append(cell(server.shownWeight()))
                        .append(cell(server.served()))
                        .append(cell(server.maxServed()))
                        .append(cell(server.sessions()))
                        .append(cell(server.lbtot()))
                        .append(cell(server.responses(1)))
                        .append(cell(server.responses(3)))
                        .append(cell(server.responses(4)))
                        .append("<td>")
                        .append(escape(check.map(HealthChecks.Snapshot::lastResult).orElse("")))
                        .append("</td>")
                        .append("<td>")
                        .append(duration(server.secondsSinceChange()))
                        .append("</td><td>-</td><td>-</td>");
                if (admin) {
                    out.append("<td><input type=\"checkbox\" form=\"admin-")
                            .append(escape(name))
                            .append("\" name=\"s\" value=\"")
                            .append(escape(server.name()))
                            .append("\"></td>");
                }
                out.append("</tr>\n");
                current += server.served();
                total += server.sessions();
                if (server.usable()) {
                    up = true;
                    weight += server.backup() ? 0 : server.uweight();
                }
            }
            String status = up ? "UP" : "DOWN";
            out.append("<tr class=\"backend ")
                    .append(status)
                    .append("\" data-row=\"BACKEND\" data-status=\"")
                    .append(status)
                    .append("\"><td class=\"name\">Backend</td><td>")
                    .append(status)
                    .append("</td>")
                    .append(cell(weight))
                    .append(cell(current))
                    .append("<td></td>")
                    .append(cell(backend.cumulativeRequests()))
                    .append(cell(total))
                    .append("<td></td><td></td><td></td><td></td><td></td><td>-</td><td>-</td>")
                    .append(admin ? "<td></td>" : "")
                    .append("</tr>\n");
        }
    }

    private String adminForm(String backend) {
        return "<form method=\"post\" action=\""
                + escape(page.uri())
                + "\" id=\"admin-"
                + escape(backend)
                + "\">"
                + "<input type=\"hidden\" name=\"b\" value=\""
                + escape(backend)
                + "\">"
                + "Set the selected servers of "
                + escape(backend)
                + " to: <select name=\"action\">"
                + "<option value=\"ready\">READY</option><option value=\"drain\">DRAIN</option>"
                + "<option value=\"maint\">MAINT</option></select> <input type=\"submit\" value=\"Apply\"></form>\n";
    }

    private static String cell(long value) {
        return "<td>" + value + "</td>";
    }

    /** HAProxy's way of writing an age: {@code 2h3m}, {@code 4m12s}, {@code 9s}. */
    static String duration(long seconds) {
        if (seconds >= 86400) {
            return seconds / 86400 + "d" + seconds % 86400 / 3600 + "h";
        }
        if (seconds >= 3600) {
            return seconds / 3600 + "h" + seconds % 3600 / 60 + "m";
        }
        if (seconds >= 60) {
            return seconds / 60 + "m" + seconds % 60 + "s";
        }
        return seconds + "s";
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
