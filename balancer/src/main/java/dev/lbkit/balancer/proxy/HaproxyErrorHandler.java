package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.config.HaproxyLine;
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
 * oversized head, bad framing) the way the HAProxy line lbkit runs as does, with HAProxy's short
 * page and the connection closed. Up to 3.0 that is always {@code 400}; from 3.2 an oversized head
 * gets 431 (414 when its start line alone is too long), and two Content-Length headers of different
 * values get no answer at all, only the close. Jetty would say 414, 431 or 505 with its own page; a
 * client behind lbkit must not be able to tell it from HAProxy by the status class.
 */
final class HaproxyErrorHandler implements Request.Handler {
    /** Jetty's reason for two Content-Length headers of different values. */
    private static final String MULTIPLE_CONTENT_LENGTHS = "Multiple Content-Lengths";

    private final boolean since32;

    HaproxyErrorHandler(HaproxyLine line) {
        this.since32 = line.compareTo(HaproxyLine.V3_2) >= 0;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Throwable cause = (Throwable) request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        if (since32
                && cause instanceof HttpException refused
                && MULTIPLE_CONTENT_LENGTHS.equals(refused.getReason())) {
            request.getConnectionMetaData().getConnection().getEndPoint().close();
            callback.succeeded();
            return true;
        }
        ErrorPage page = pageFor(cause, since32);
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
     * A parser refusal is HAProxy's 400 (from 3.2, an oversized head its 431 or 414), a client too
     * slow its 408; anything else is lbkit's own failure.
     */
    static ErrorPage pageFor(Throwable cause, boolean since32) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return ErrorPage.REQUEST_TIMEOUT;
            }
        }
        if (!(cause instanceof HttpException refused)) {
            return ErrorPage.INTERNAL_ERROR;
        }
        if (since32 && refused.getCode() == 431) {
            return ErrorPage.HEADERS_TOO_LARGE;
        }
        if (since32 && refused.getCode() == 414) {
            return ErrorPage.URI_TOO_LONG;
        }
        return ErrorPage.BAD_REQUEST;
    }
}
