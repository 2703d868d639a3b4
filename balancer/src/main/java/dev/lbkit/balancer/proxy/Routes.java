package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.AclTest;
import dev.lbkit.balancer.config.UseBackend;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Which backend a frontend sends a request to: the first {@code use_backend} rule whose condition
 * holds, else the default backend (the {@code default_backend}, or a listen section's own), else
 * none.
 */
public final class Routes {
    /** A {@code use_backend} rule with the running backend it names. */
    public record Route(UseBackend rule, Backend backend) {}

    private final List<Route> rules;
    private final Backend defaultBackend;

    public Routes(List<Route> rules, Backend defaultBackend) {
        this.rules = List.copyOf(rules);
        this.defaultBackend = defaultBackend;
    }

    /** Only a default backend (which may be null). */
    public static Routes to(Backend defaultBackend) {
        return new Routes(List.of(), defaultBackend);
    }

    /** Every backend a request may reach from here. */
    Set<Backend> backends() {
        Set<Backend> all = Collections.newSetFromMap(new IdentityHashMap<>());
        rules.forEach(route -> all.add(route.backend()));
        if (defaultBackend != null) {
            all.add(defaultBackend);
        }
        return all;
    }

    /**
     * The backend for {@code request}, or null when no rule applies and there is no default
     * backend.
     */
    Backend backendFor(Request request) {
        if (rules.isEmpty()) {
            return defaultBackend;
        }
        AclTest.Facts facts = new RequestFacts(request);
        for (Route route : rules) {
            if (route.rule().appliesTo(facts)) {
                return route.backend();
            }
        }
        return defaultBackend;
    }

    /** What ACLs read from a request, taken from Jetty's view of it as HAProxy would see it. */
    private static final class RequestFacts implements AclTest.Facts {
        private final Request request;
        private final String target;

        RequestFacts(Request request) {
            this.request = request;
            this.target = RawTargetConnectionFactory.rawTarget(request);
        }

        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public String target() {
            return target;
        }

        @Override
        public String path() {
            String t = target;
            if (!t.startsWith("/")) {
                int scheme = t.indexOf("://");
                if (scheme < 0) {
                    return t;
                }
                int slash = t.indexOf('/', scheme + 3);
                if (slash < 0) {
                    return "";
                }
                t = t.substring(slash);
            }
            int query = t.indexOf('?');
            return query < 0 ? t : t.substring(0, query);
        }

        @Override
        public List<String> headerValues(String name) {
            List<String> values = new ArrayList<>();
            for (HttpField field : request.getHeaders()) {
                if (field.getName().equalsIgnoreCase(name)) {
                    String value = field.getValue() == null ? "" : field.getValue();
                    for (String part : value.split(",", -1)) {
                        values.add(part.strip());
                    }
                }
            }
            return values;
        }

        @Override
        public InetAddress client() {
            return ProxyHandler.balancingAddress(request);
        }

        @Override
        public String version() {
            String version = request.getConnectionMetaData().getHttpVersion().asString();
            return version.startsWith("HTTP/") ? version.substring(5) : version;
        }

        @Override
        public boolean hasBody() {
            long length = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
            return length > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        }
    }
}
