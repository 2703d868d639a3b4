package dev.lbkit.balancer.stats;

import dev.lbkit.balancer.config.OperatorPages;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.RequestCondition;
import dev.lbkit.balancer.config.ServiceRule;
import dev.lbkit.balancer.config.StatsPage;
import dev.lbkit.balancer.proxy.OwnPages;
import dev.lbkit.balancer.runtime.RunningProxies;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pages one frontend answers itself, as Javalin routes: its {@code http-request use-service
 * prometheus-exporter} rules first, then its statistics page, then those of the backend it sends
 * requests to (a stats page may sit in a backend, as in HAProxy). A request goes to one of them
 * when its target starts with the page's {@code stats uri}, or when a service rule's condition
 * matches its path.
 */
public final class OperatorPageRoutes implements OwnPages {
    private final List<ServiceRule> services = new ArrayList<>();
    private final StatsPage stats;
    private final String statsProxy;
    private final RunningProxies lbkit;

    private OperatorPageRoutes(ProxySection frontend, ProxySection backend, RunningProxies lbkit) {
        this.lbkit = lbkit;
        services.addAll(frontend.operatorPages().services());
        if (backend != null && backend != frontend) {
            services.addAll(backend.operatorPages().services());
        }
        if (frontend.operatorPages().stats() != null) {
            stats = frontend.operatorPages().stats();
            statsProxy = frontend.name();
        } else if (backend != null && backend.operatorPages().stats() != null) {
            stats = backend.operatorPages().stats();
            statsProxy = backend.name();
        } else {
            stats = null;
            statsProxy = null;
        }
    }

    /**
     * The pages of {@code frontend} (routing to {@code backend}, which may be null), or {@link
     * OwnPages#NONE}. Refuses, before anything listens, a condition lbkit cannot evaluate.
     */
    public static OwnPages of(ProxySection frontend, ProxySection backend, RunningProxies lbkit) {
        OperatorPages own = frontend.operatorPages();
        OperatorPages behind = backend != null ? backend.operatorPages() : OperatorPages.NONE;
        if (own.isEmpty() && behind.isEmpty()) {
            return OwnPages.NONE;
        }
        OperatorPageRoutes routes = new OperatorPageRoutes(frontend, backend, lbkit);
        for (ServiceRule rule : routes.services) {
            refuseNotModelled(
                    rule.condition(),
                    "http-request use-service " + rule.service(),
                    rule.where().toString());
        }
        if (routes.stats != null && routes.stats.admin() != null) {
            refuseNotModelled(
                    routes.stats.admin(), "stats admin", routes.stats.adminWhere().toString());
        }
        return routes;
    }

    private static void refuseNotModelled(RequestCondition condition, String rule, String where) {
        if (!condition.modelled()) {
            throw new IllegalArgumentException(
                    "parsing ["
                            + where
                            + "] : '"
                            + rule
                            + " "
                            + condition.asWritten()
                            + "': lbkit evaluates only the conditions TRUE, FALSE, LOCALHOST, { path <p> } and"
                            + " { path_beg <p> } (with if or unless). Use one of these, or run this config with HAProxy.");
        }
    }

    @Override
    public boolean claims(String rawTarget, String clientAddress) {
        return serviceFor(rawTarget, isLocal(clientAddress)).isPresent()
                || (stats != null && rawTarget.startsWith(stats.uri()));
    }

    private Optional<ServiceRule> serviceFor(String rawTarget, boolean localClient) {
        String path = pathOf(rawTarget);
        return services.stream()
                .filter(rule -> rule.condition().matches(path, localClient))
                .findFirst();
    }

    @Override
    public void addRoutes(JavalinConfig config) {
        Handler handler = this::serve;
        config.routes.get("/", handler);
        config.routes.get("/<path>", handler);
        config.routes.head("/", handler);
        config.routes.head("/<path>", handler);
        config.routes.post("/", handler);
        config.routes.post("/<path>", handler);
    }

    private void serve(Context ctx) {
        String rawTarget =
                Optional.ofNullable((String) ctx.attribute(RAW_TARGET)).orElse(ctx.path());
        boolean local = isLocal(ctx.req().getRemoteAddr());
        Optional<ServiceRule> service = serviceFor(rawTarget, local);
        PageAnswer answer;
        if (service.isPresent()) {
            answer = PrometheusExporter.answer(lbkit);
        } else if (stats != null && rawTarget.startsWith(stats.uri())) {
            answer =
                    new StatsPageServer(stats, statsProxy, lbkit)
                            .answer(
                                    new StatsPageServer.Request(
                                            ctx.method().name(),
                                            rawTarget,
                                            ctx.body(),
                                            local,
                                            ctx.header("Authorization")));
        } else {
            answer = PageAnswer.text(503, "No server is available to handle this request.\n");
        }
        ctx.status(answer.status());
        answer.headers().forEach(ctx::header);
        ctx.result(answer.body());
    }

    /**
     * The path of a target: up to the query string, the scheme and authority of an absolute form
     * removed.
     */
    static String pathOf(String rawTarget) {
        String target = rawTarget;
        int scheme = target.indexOf("://");
        if (scheme > 0 && !target.startsWith("/")) {
            int slash = target.indexOf('/', scheme + 3);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** HAProxy's {@code LOCALHOST} ACL: a client in 127.0.0.0/8 or ::1. */
    static boolean isLocal(String address) {
        try {
            InetAddress client = InetAddress.getByName(address);
            return client.isLoopbackAddress()
                    || (client.getAddress().length == 16 && address.startsWith("::ffff:127."));
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
