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
 */
public record RequestInfo(
        InetAddress client,
        String target,
        Function<String, String> firstHeader,
        String method,
        Function<String, List<String>> headerLines) {

    /** A GET whose headers are only what {@code firstHeader} gives, one occurrence each. */
    public RequestInfo(InetAddress client, String target, Function<String, String> firstHeader) {
        this(client, target, firstHeader, "GET", oneLineEach(firstHeader));
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
}
