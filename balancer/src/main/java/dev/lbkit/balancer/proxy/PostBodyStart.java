package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.config.Algorithm;
import java.io.IOException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The start of a POST body, read before choosing a server when the backend balances on {@code
 * url_param}: HAProxy then waits for the body (all of it, or until its buffer is full) and looks
 * for the parameter there when the query string lacks it, with or without {@code check_post}. The
 * bytes read are put back in front of the rest, so the server receives the body unchanged.
 */
final class PostBodyStart {

    /** The start line's version ("HTTP/1.1"), as HAProxy stores it. */
    private static final int VERSION_LENGTH = 8;

    /** What HAProxy's buffer spends per header besides its name and value. */
    private static final int PER_HEADER = 8;

    private PostBodyStart() {}

    /**
     * Whether HAProxy looks into this request's body: a {@code POST} (exactly so: {@code post} is
     * another method) to a backend balancing on {@code url_param}. Content-Type plays no part.
     */
    static boolean wanted(Backend backend, Request request) {
        return backend.section().balance().algorithm() == Algorithm.URL_PARAM
                && request.getMethod().equals("POST");
    }

    /** Reads the start of {@code body} (blocking: a worker thread) and puts it back. */
    static RequestInfo.PostBody read(Request request, ProxyHandler.ClientBody body)
            throws IOException {
        return new RequestInfo.PostBody(
                body.readStart(RequestInfo.PostBody.MOST_READ), storedHeadSize(request));
    }

    /**
     * The head's size as HAProxy's buffer holds it: method, target and version, then each header's
     * name and value plus 8. HAProxy drops {@code Connection} from what it stores (measured: a
     * {@code Connection: close} header leaves the room for the body unchanged).
     */
    static int storedHeadSize(Request request) {
        int size =
                request.getMethod().length()
                        + RawTargetConnectionFactory.rawTarget(request).length()
                        + VERSION_LENGTH;
        for (HttpField field : request.getHeaders()) {
            if (field.getHeader() == HttpHeader.CONNECTION) {
                continue;
            }
            size += PER_HEADER + field.getName().length() + field.getValue().length();
        }
        return size;
    }
}
