package dev.lbkit.balancer.algorithm;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;

/**
 * What an algorithm may look at in a request.
 *
 * @param client the client address of the front connection (what {@code balance source} hashes)
 * @param target the request-target exactly as received on the start line, e.g. {@code /a/b?x=1} or
 *     {@code http://host/a} for absolute-form (what {@code balance uri} hashes)
 * @param firstHeader the value of the first occurrence of a header, by case-insensitive name, or
 *     null when absent
 * @param method the method as received ({@code GET}, {@code POST}, ...)
 * @param headerLines the value of every occurrence of a header, by case-insensitive name, in the
 *     order received, each as one string (commas not split); empty when absent. {@code balance
 *     hash} reads the last one, or the cookies of every {@code Cookie} line
 * @param postBody the start of a POST's body, read before balancing when the backend balances on
 *     {@code url_param}; null for other requests and backends
 */
public record RequestInfo(
        InetAddress client,
        String target,
        Function<String, String> firstHeader,
        String method,
        Function<String, List<String>> headerLines,
        PostBody postBody) {

    /** A GET whose headers are only what {@code firstHeader} gives, one occurrence each. */
    public RequestInfo(InetAddress client, String target, Function<String, String> firstHeader) {
        this(client, target, firstHeader, "GET", oneLineEach(firstHeader), null);
    }

    /** A request with only a client address and a target, for tests and tools. */
    public static RequestInfo of(InetAddress client, String target) {
        return new RequestInfo(client, target, name -> null);
    }

    private static Function<String, List<String>> oneLineEach(Function<String, String> first) {
        return name -> {
            String value = first == null ? null : first.apply(name);
            return value == null ? List.of() : List.of(value);
        };
    }

    /** The same request with the start of its POST body. */
    public RequestInfo withPostBody(PostBody body) {
        return new RequestInfo(client, target, firstHeader, method, headerLines, body);
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
