package dev.lbkit.balancer.proxy;

import java.util.Locale;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The checks HAProxy 2.6 makes on a request that Jetty's parser lets through: what HAProxy refuses,
 * lbkit must refuse too, and with the same status, before anything reaches a server.
 */
final class RequestRules {
    /** HAProxy's {@code tune.http.maxhdr} default: more header lines than this get a 400. */
    static final int MAX_HEADER_LINES = 100;

    private RequestRules() {}

    /** The error page HAProxy would answer this request with, or empty when it would forward it. */
    static Optional<ErrorPage> refusal(String rawTarget, HttpFields headers) {
        if (!isVisibleAscii(rawTarget)) {
            // Bytes above 0x7E in the target: HAProxy refuses them; Jetty would pass them on
            // decoded as UTF-8 (or as U+FFFD), so the server would get a different target.
            return Optional.of(ErrorPage.BAD_REQUEST);
        }
        if (headers.size() > MAX_HEADER_LINES) {
            return Optional.of(ErrorPage.BAD_REQUEST);
        }
        for (HttpField field : headers) {
            if (field.getHeader() == HttpHeader.TRANSFER_ENCODING
                    && hasCodingOtherThanChunked(field.getValue())) {
                // lbkit (like HAProxy) only frames chunked bodies; "gzip, chunked" would reach the
                // server as a chunked body that claims no gzip.
                return Optional.of(ErrorPage.UNPROCESSABLE);
            }
        }
        return Optional.empty();
    }

    private static boolean isVisibleAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasCodingOtherThanChunked(String value) {
        if (value == null) {
            return false;
        }
        for (String coding : value.split(",")) {
            String name = coding.strip().toLowerCase(Locale.ROOT);
            if (!name.isEmpty() && !name.equals("chunked")) {
                return true;
            }
        }
        return false;
    }
}
