package dev.lbkit.balancer.proxy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the requests Jetty refuses before the proxy sees them (bad start line, bad header,
 * oversized head, bad framing) the way HAProxy does: always {@code 400} with HAProxy's short page
 * and the connection closed. Jetty would say 414, 431 or 505 with its own page; a client behind
 * lbkit must not be able to tell it from HAProxy by the status class.
 */
final class HaproxyErrorHandler implements Request.Handler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Throwable cause = (Throwable) request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        ErrorPage page = pageFor(cause);
        byte[] body = page.body();
        response.setStatus(page.status());
        HttpFields.Mutable headers = response.getHeaders();
        headers.clear();
        headers.put(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length));
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
        headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        headers.put(HttpHeader.CONTENT_TYPE, "text/html");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /**
     * A parser refusal is HAProxy's 400, a client too slow its 408; anything else is lbkit's own
     * failure.
     */
    static ErrorPage pageFor(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return ErrorPage.REQUEST_TIMEOUT;
            }
        }
        return cause instanceof HttpException ? ErrorPage.BAD_REQUEST : ErrorPage.INTERNAL_ERROR;
    }
}
