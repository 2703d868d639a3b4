package dev.lbkit.balancer.algorithm;

import java.net.InetAddress;
import java.util.function.Function;

/**
 * What an algorithm may look at in a request.
 *
 * @param client the client address of the front connection (what {@code balance source} hashes)
 * @param target the request-target exactly as received on the start line, e.g. {@code /a/b?x=1} or
 *     {@code http://host/a} for absolute-form (what {@code balance uri} hashes)
 * @param firstHeader the value of the first occurrence of a header, by case-insensitive name, or
 *     null when absent
 * @param postBody the start of a POST's body, read before balancing when the backend balances on
 *     {@code url_param}; null for other requests and backends
 */
public record RequestInfo(
        InetAddress client,
        String target,
        Function<String, String> firstHeader,
        PostBody postBody) {

    public RequestInfo(InetAddress client, String target, Function<String, String> firstHeader) {
        this(client, target, firstHeader, null);
    }

    /** A request with only a client address and a target, for tests and tools. */
    public static RequestInfo of(InetAddress client, String target) {
        return new RequestInfo(client, target, name -> null);
    }

    /** The same request with the start of its POST body. */
    public RequestInfo withPostBody(PostBody body) {
        return new RequestInfo(client, target, firstHeader, body);
    }

    /**
     * The start of a POST body as the proxy read it before balancing, and the size of the request's
     * head as HAProxy stores it, which decides how much of the body HAProxy has in its buffer when
     * it balances (the algorithm knows that rule, per HAProxy line).
     *
     * @param start the body's first bytes: all of it, or the first {@link #MOST_READ}
     * @param storedHeadSize the method, target and version lengths, plus, per header HAProxy keeps,
     *     its name and value lengths and 8
     */
    public record PostBody(byte[] start, int storedHeadSize) {
        /**
         * HAProxy's default buffer size: no HAProxy line holds more of a body than this when it
         * balances, so the proxy reads no further before choosing.
         */
        public static final int MOST_READ = 16_384;
    }
}
