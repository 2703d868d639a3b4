package dev.lbkit.balancer.config;

import dev.lbkit.balancer.log.LogFormat;
import dev.lbkit.balancer.log.LogSettings;
import dev.lbkit.balancer.log.LogTarget;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the proxies once the whole file is read, as HAProxy does after parsing: default_backend
 * targets, duplicate server names, frontends without {@code bind}, and server addresses that do not
 * resolve; it also turns the drafts into {@link ProxySection}s.
 */
final class AfterParsing {

    private AfterParsing() {}

    /**
     * Checks every proxy (default_backend, duplicate server names, a frontend without bind) in file
     * order, and returns them as sections.
     */
    static List<ProxySection> checkAfterParsing(
            List<ProxyDraft> proxies,
            Diagnostics diag,
            HaproxyLine line,
            List<LogTarget> globalLogTargets) {
        List<ProxySection> sections = new ArrayList<>();
        for (ProxyDraft proxy : proxies) {
            diag.at(proxy.where.line());
            if (proxy.hasFrontend() && proxy.defaultBackend != null) {
                checkDefaultBackend(proxy, proxies, diag);
            }
            for (UseBackend rule : proxy.useBackends) {
                boolean found =
                        rule.backend().contains("%[")
                                || proxies.stream()
                                        .anyMatch(
                                                p ->
                                                        !p.isDefaults
                                                                && p.hasBackend()
                                                                && p.name.equals(rule.backend()));
                if (!found) {
                    diag.rawAlert(
                            "[ALERT] Proxy '"
                                    + proxy.name
                                    + "': unable to find required use_backend: '"
                                    + rule.backend()
                                    + "'. Declare a backend named '"
                                    + rule.backend()
                                    + "' or fix the name on the use_backend line at "
                                    + rule.where()
                                    + ".");
                }
            }
            Map<String, ServerDraft> byName = new LinkedHashMap<>();
            for (ServerDraft server : proxy.servers) {
                ServerDraft earlier = byName.putIfAbsent(server.name(), server);
                if (earlier != null) {
                    diag.rawAlert(
                            "[ALERT] parsing ["
                                    + server.where()
                                    + "] : "
                                    + proxy.typeWord()
                                    + " '"
                                    + proxy.name
                                    + "', another server named '"
                                    + server.name()
                                    + "' was already defined at line "
                                    + earlier.where().line()
                                    + ", please use distinct names.");
                }
            }
            checkHashExpression(proxy, diag);
            checkForwardForOnPostBodies(proxy, proxies, diag);
            if (proxy.hasFrontend()
                    && proxy.binds.isEmpty()
                    && proxy.kind == ProxySection.Kind.FRONTEND) {
                diag.rawWarning("[WARNING] frontend '" + proxy.name + "' has no 'bind' directive.");
            }
            sections.add(toSection(proxy, line, diag, logSettings(proxy, globalLogTargets, diag)));
        }
        return sections;
    }

    private static void checkDefaultBackend(
            ProxyDraft frontend, List<ProxyDraft> proxies, Diagnostics diag) {
        ProxyDraft target = null;
        for (ProxyDraft candidate : proxies) {
            if (candidate.hasBackend() && candidate.name.equals(frontend.defaultBackend)) {
                target = candidate;
                break;
            }
        }
        if (target == null) {
            diag.rawAlert(
                    "[ALERT] Proxy '"
                            + frontend.name
                            + "': unable to find required default_backend: '"
                            + frontend.defaultBackend
                            + "'. Declare a backend named '"
                            + frontend.defaultBackend
                            + "' or fix the name on the default_backend line of "
                            + frontend.sectionName()
                            + " '"
                            + frontend.name
                            + "' (section starts at line "
                            + frontend.where.line()
                            + ").");
        } else if (target == frontend) {
            diag.rawAlert(
                    "[ALERT] Proxy '"
                            + frontend.name
                            + "': loop detected for default_backend: '"
                            + frontend.defaultBackend
                            + "'.");
        } else if (frontend.mode == Mode.HTTP && target.mode == Mode.TCP) {
            diag.rawAlert(
                    "[ALERT] http "
                            + frontend.sectionName()
                            + " '"
                            + frontend.name
                            + "' ("
                            + frontend.where
                            + ") tries to use incompatible tcp "
                            + target.sectionName()
                            + " '"
                            + target.name
                            + "' ("
                            + target.where
                            + ") as its default backend (see 'mode').");
        }
    }

    /**
     * {@code balance url_param} looks into POST bodies; when {@code option forwardfor} applies to
     * the backend (on itself, or on a frontend that names it in {@code default_backend} or {@code
     * use_backend}), how much of a body HAProxy reads depends on when the body arrives, which lbkit
     * does not model: a warning names the {@code balance} line.
     */
    private static void checkForwardForOnPostBodies(
            ProxyDraft backend, List<ProxyDraft> proxies, Diagnostics diag) {
        if (backend.isDefaults
                || !backend.hasBackend()
                || backend.balance == null
                || backend.balance.algorithm() != Algorithm.URL_PARAM) {
            return;
        }
        List<String> sources = new ArrayList<>();
        if (backend.forwardFor != null) {
            sources.add("this " + backend.sectionName());
        }
        for (ProxyDraft frontend : proxies) {
            if (frontend == backend
                    || frontend.isDefaults
                    || !frontend.hasFrontend()
                    || frontend.forwardFor == null) {
                continue;
            }
            boolean routesHere =
                    backend.name.equals(frontend.defaultBackend)
                            || frontend.useBackends.stream()
                                    .anyMatch(rule -> rule.backend().equals(backend.name));
            if (routesHere) {
                sources.add(
                        frontend.sectionName()
                                + " '"
                                + frontend.name
                                + "' ("
                                + frontend.where
                                + ")");
            }
        }
        if (sources.isEmpty()) {
            return;
        }
        diag.rawWarning(
                "[WARNING] parsing ["
                        + backend.balance.where()
                        + "] : "
                        + backend.sectionName()
                        + " '"
                        + backend.name
                        + "' balances on url_param '"
                        + backend.balance.name()
                        + "', which HAProxy also looks for in POST bodies, and 'option forwardfor'"
                        + " applies to it (from "
                        + String.join(", ", sources)
                        + "). With it, how much of a body HAProxy reads depends on when the body"
                        + " arrives (the header it adds can take buffer room); lbkit does not model"
                        + " that and reads the body as without the option, so a POST whose"
                        + " parameter is only in a body near the buffer's size (about 15 kB) may go"
                        + " to another server than in HAProxy. To be sure of the same server, put"
                        + " the parameter in the query string, keep it near the start of the body,"
                        + " or leave 'option forwardfor' out of the sections that reach this"
                        + " backend.");
    }

    /**
     * A {@code balance hash} expression is read after the whole file, as HAProxy does: an unknown
     * fetch or converter is named with the backend's line (every backend that has one, inherited
     * from a defaults section included).
     */
    private static void checkHashExpression(ProxyDraft proxy, Diagnostics diag) {
        if (!proxy.hasBackend()
                || proxy.balance == null
                || proxy.balance.algorithm() != Algorithm.HASH) {
            return;
        }
        SampleExpression.read(
                proxy.balance.name(),
                why ->
                        diag.rawAlert(
                                "[ALERT] config : "
                                        + proxy.typeWord()
                                        + " '"
                                        + proxy.name
                                        + "' ["
                                        + proxy.where
                                        + "]: "
                                        + why));
    }

    /**
     * A frontend's log: its {@code log} lines ({@code log global} standing for the global
     * section's) and its format, read now as HAProxy reads a {@code log-format} after the whole
     * file (an alert naming the format's line when it cannot be read).
     */
    private static LogSettings logSettings(
            ProxyDraft proxy, List<LogTarget> globalLogTargets, Diagnostics diag) {
        if (!proxy.hasFrontend()) {
            return LogSettings.OFF;
        }
        List<LogTarget> targets = new ArrayList<>();
        for (LogTarget target : proxy.logTargets) {
            if (target == null) {
                targets.addAll(globalLogTargets);
            } else {
                targets.add(target);
            }
        }
        LogFormat format = null;
        if (proxy.logFormat != null) {
            try {
                format = LogFormat.compile(proxy.logFormat);
            } catch (LogFormat.Invalid e) {
                diag.rawAlert(
                        "[ALERT] Parsing ["
                                + proxy.logFormatWhere
                                + "]: failed to parse log-format : "
                                + e.getMessage());
                return LogSettings.OFF;
            }
            if (targets.isEmpty()) {
                diag.rawWarning(
                        "[WARNING] log format ignored for "
                                + proxy.typeWord()
                                + " '"
                                + proxy.name
                                + "' since it has no log address.");
            }
        }
        return new LogSettings(targets, format, proxy.dontLogNull, !diag.since(HaproxyLine.V3_4));
    }

    private static ProxySection toSection(
            ProxyDraft proxy, HaproxyLine line, Diagnostics diag, LogSettings log) {
        if (proxy.hashPreserveAffinity != null && !proxy.hashPreserveAffinity.equals("always")) {
            diag.rawWarning(
                    "[WARNING] "
                            + proxy.typeWord()
                            + " '"
                            + proxy.name
                            + "': 'hash-preserve-affinity "
                            + proxy.hashPreserveAffinity
                            + "' is read but not modelled by lbkit, which balances as with 'always'.");
        }
        List<ServerSpec> servers = new ArrayList<>();
        java.util.Map<String, String> serverCookies = new java.util.LinkedHashMap<>();
        List<Integer> ids =
                ServerIds.resolve(proxy.servers.stream().map(ServerDraft::explicitId).toList());
        for (int i = 0; i < proxy.servers.size(); i++) {
            ServerDraft draft = proxy.servers.get(i);
            ServerOptions o = draft.options();
            if (o.check && draft.port() == 0 && !o.checkPort) {
                // No port to check: none written, 0, or an offset from the client's (measured on
                // 2.6.12); with an HTTP check HAProxy adds that no check rule names one either.
                diag.rawAlert(
                        "[ALERT] config: "
                                + proxy.typeWord()
                                + " '"
                                + proxy.name
                                + "': server '"
                                + draft.name()
                                + "' has neither service port nor check port"
                                + (proxy.httpCheck != null
                                        ? " nor tcp_check rule 'connect' with port information"
                                        : "")
                                + ". Give it a port (address:port) or 'port <n>' for its checks"
                                + " (the server is on line "
                                + draft.where().line()
                                + ").");
            }
            if (o.cookie != null) {
                serverCookies.putIfAbsent(draft.name(), o.cookie);
            }
            servers.add(
                    new ServerSpec(
                            draft.name(),
                            draft.host(),
                            draft.port(),
                            o.weight,
                            ids.get(i),
                            draft.explicitId() != null,
                            o.check,
                            o.interMs,
                            o.rise,
                            o.fall,
                            o.backup,
                            o.disabled,
                            o.maxconn,
                            draft.where(),
                            o.hashKey,
                            draft.guid(),
                            o.fastinterMs,
                            o.downinterMs,
                            o.maxqueue,
                            (o.slowstartMs + 999) / 1000,
                            o.track));
        }
        Balance balance =
                proxy.balance != null ? proxy.balance : Balance.defaultOf(line, proxy.where);
        if (balance.algorithm() == Algorithm.LOG_HASH) {
            diag.rawWarning(
                    "[WARNING] Unusable balance algorithm for backend '"
                            + proxy.name
                            + "' (needs 'mode log'). Falling back to round robin.");
            balance = Balance.roundrobin(balance.where());
        }
        boolean frontendOnly = proxy.kind == ProxySection.Kind.FRONTEND;
        return new ProxySection(
                proxy.kind,
                proxy.name,
                proxy.where,
                proxy.mode,
                proxy.binds,
                proxy.kind == ProxySection.Kind.BACKEND ? null : proxy.defaultBackend,
                balance,
                proxy.hashType,
                servers,
                new Timeouts(
                        proxy.connectMs,
                        proxy.clientMs,
                        proxy.serverMs,
                        proxy.checkMs,
                        proxy.queueMs),
                proxy.retries,
                proxy.redispatch,
                proxy.redispatchEvery,
                proxy.forwardFor,
                frontendOnly ? null : httpCheck(proxy, diag),
                proxy.allBackups,
                proxy.hashBalanceFactor,
                proxy.httpReuse,
                proxy.useBackends,
                OperatorPagesReader.pagesOf(proxy, diag),
                log,
                proxy.abortOnClose != null
                        ? proxy.abortOnClose
                        : diag.since(HaproxyLine.V3_4) && !frontendOnly,
                frontendOnly
                        ? CookiePersistence.NONE
                        : proxy.cookie.withServers(serverCookies, proxy.persist));
    }

    /**
     * {@code track}: the tracked server must exist (in this backend, or in the named proxy), have
     * checks of its own or track another itself, and no chain may loop; HAProxy 2.6's alerts.
     */
    static void checkTracking(List<ProxySection> sections, Diagnostics diag) {
        Map<ServerSpec, ServerSpec> links = new IdentityHashMap<>();
        for (ProxySection proxy : sections) {
            for (ServerSpec server : proxy.servers()) {
                if (server.track() == null) {
                    continue;
                }
                String where =
                        "[ALERT] ["
                                + server.where()
                                + "] : 'server "
                                + proxy.name()
                                + "/"
                                + server.name()
                                + "' : ";
                ProxySection owner =
                        server.trackBackend() == null
                                ? proxy
                                : sections.stream()
                                        .filter(
                                                p ->
                                                        p.name().equals(server.trackBackend())
                                                                && p.hasBackend())
                                        .findFirst()
                                        .orElse(null);
                if (owner == null) {
                    diag.rawAlert(
                            where
                                    + "unable to find required proxy '"
                                    + server.trackBackend()
                                    + "' for tracking.");
                    continue;
                }
                ServerSpec tracked =
                        owner.servers().stream()
                                .filter(s -> s.name().equals(server.trackServer()))
                                .findFirst()
                                .orElse(null);
                if (tracked == null) {
                    diag.rawAlert(
                            where
                                    + "unable to find required server '"
                                    + server.trackServer()
                                    + "' for tracking.");
                    continue;
                }
                if (!tracked.check() && tracked.track() == null) {
                    diag.rawAlert(
                            where
                                    + "unable to use "
                                    + owner.name()
                                    + "/"
                                    + tracked.name()
                                    + " for tracking as it does not have any check nor agent"
                                    + " enabled.");
                    continue;
                }
                // Follow the links made so far (servers earlier in the file): HAProxy resolves
                // them in that order, so a loop is named at its last server.
                ServerSpec step = tracked;
                while (step != null && step != server) {
                    step = links.get(step);
                }
                if (step == server) {
                    diag.rawAlert(
                            where
                                    + "unable to track "
                                    + owner.name()
                                    + "/"
                                    + tracked.name()
                                    + " as it belongs to a tracking chain looping back to "
                                    + proxy.name()
                                    + "/"
                                    + server.name()
                                    + ".");
                } else {
                    links.put(server, tracked);
                }
            }
        }
    }

    /** Alerts for each server whose host name does not resolve. */
    static void resolveServerAddresses(List<ProxySection> sections, Diagnostics diag) {
        for (ProxySection section : sections) {
            for (ServerSpec server : section.servers()) {
                if (!server.host().isEmpty() && Address.resolve(server.host(), null) == null) {
                    diag.rawAlert(
                            "[ALERT] ["
                                    + server.where()
                                    + "] : 'server "
                                    + section.name()
                                    + "/"
                                    + server.name()
                                    + "' : could not resolve address '"
                                    + server.host()
                                    + "'.");
                }
            }
        }
    }

    /**
     * {@code option httpchk} with the section's {@code http-check} lines applied; without the
     * option HAProxy ignores the lines, and says so. As measured on 2.6.12: a section that writes
     * neither inherits its defaults' check whole; one that writes the option drops the inherited
     * lines; one that writes lines but not the option checks with its lines alone, on the default
     * request ({@code OPTIONS / HTTP/1.0}) changed by its {@code send}, and without a {@code send}
     * sends nothing (its checks time out: L7TOUT).
     */
    private static HttpCheck httpCheck(ProxyDraft proxy, Diagnostics diag) {
        HttpCheck.Rules rules = proxy.httpCheckRules;
        if (rules == null) {
            return proxy.httpCheck;
        }
        if (proxy.httpCheck == null) {
            diag.rawWarning(
                    "[WARNING] "
                            + proxy.typeWord()
                            + " '"
                            + proxy.name
                            + "' uses http-check rules without 'option httpchk', so the rules are"
                            + " ignored.");
            return null;
        }
        return proxy.httpCheckRulesOwn && !proxy.httpCheckOwn
                ? rules.applyTo(null)
                : rules.applyTo(proxy.httpCheck);
    }
}
