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
 */
public record RequestInfo(InetAddress client, String target, Function<String, String> firstHeader) {

    /** A request with only a client address and a target, for tests and tools. */
    public static RequestInfo of(InetAddress client, String target) {
        return new RequestInfo(client, target, name -> null);
    }
}
