package dev.lbkit.balancer.stats;

import dev.lbkit.balancer.config.AclTest;
import dev.lbkit.balancer.config.Condition;
import dev.lbkit.balancer.config.OperatorPages;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.ServiceRule;
import dev.lbkit.balancer.config.StatsPage;
import dev.lbkit.balancer.proxy.OwnPages;
import dev.lbkit.balancer.runtime.RunningProxies;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pages one frontend answers itself, as Javalin routes: its {@code http-request use-service
 * prometheus-exporter} rules first, then its statistics page, then those of the backend it sends
 * requests to (a stats page may sit in a backend, as in HAProxy). A request goes to one of them
 * when its target starts with the page's {@code stats uri}, or when a service rule's condition
 * holds for it (conditions are read and evaluated as {@code use_backend}'s are).
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

    private static void refuseNotModelled(Condition condition, String rule, String where) {
        List<String> reasons = condition == null ? List.of() : condition.unmodelled();
        if (!reasons.isEmpty()) {
            throw new IllegalArgumentException(
                    "parsing ["
                            + where
                            + "] : '"
                            + rule
                            + " "
                            + condition.asWritten()
                            + "' uses "
                            + String.join(" and ", reasons)
                            + ", which lbkit cannot evaluate yet. Write the condition with path, url,"
                            + " hdr(name) and their _beg/_end/_sub/_reg/_dom forms, method, src or the"
                            + " predefined ACLs (TRUE, LOCALHOST, METH_GET...), or run this config with HAProxy.");
        }
    }

    @Override
    public boolean claims(AclTest.Facts request) {
        return serviceFor(request).isPresent()
                || (stats != null && request.target().startsWith(stats.uri()));
    }

    private Optional<ServiceRule> serviceFor(AclTest.Facts request) {
        return services.stream().filter(rule -> rule.appliesTo(request)).findFirst();
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
        AclTest.Facts request = ctx.attribute(FACTS);
        String rawTarget = request.target();
        Optional<ServiceRule> service = serviceFor(request);
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
                                            request,
                                            ctx.header("Authorization")));
        } else {
            answer = PageAnswer.text(503, "No server is available to handle this request.\n");
        }
        ctx.status(answer.status());
        answer.headers().forEach(ctx::header);
        ctx.result(answer.body());
    }
}
