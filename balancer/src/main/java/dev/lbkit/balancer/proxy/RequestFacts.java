package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.config.AclTest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * What ACLs read from a request, taken from Jetty's view of it as HAProxy would see it: the one
 * view both {@code use_backend} routing and the frontend's own pages ({@code stats admin}, {@code
 * use-service}) evaluate their conditions on.
 */
final class RequestFacts implements AclTest.Facts {
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
