package dev.lbkit.balancer.proxy;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The hop-by-hop headers a proxy must not forward: the fixed list of RFC 9110 plus every header
 * the message's own {@code Connection} header names.
 */
final class HopByHop {
    private static final Set<String> ALWAYS = Set.of(
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

    private final Set<String> named = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    private HopByHop() {
    }

    /** The hop-by-hop set of one message, given the values of all its {@code Connection} headers. */
    static HopByHop of(Iterable<String> connectionValues) {
        HopByHop hop = new HopByHop();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String trimmed = token.trim();
                if (!trimmed.isEmpty()) {
                    hop.named.add(trimmed);
                }
            }
        }
        return hop;
    }

    boolean drops(String headerName) {
        return ALWAYS.contains(headerName.toLowerCase(Locale.ROOT)) || named.contains(headerName);
    }
}
