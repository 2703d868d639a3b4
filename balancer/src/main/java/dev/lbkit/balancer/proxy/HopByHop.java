package dev.lbkit.balancer.proxy;

import java.util.Set;
import java.util.TreeSet;

/**
 * The hop-by-hop headers a proxy must not forward: the fixed list of RFC 9110 plus every header the
 * message's own {@code Connection} header names.
 */
final class HopByHop {
    /** A message with no {@code Connection} header: only the fixed list. */
    static final HopByHop EMPTY = new HopByHop(Set.of());

    private final Set<String> named;

    private HopByHop(Set<String> named) {
        this.named = named;
    }

    /**
     * The hop-by-hop set of one message, given the values of all its {@code Connection} headers.
     */
    static HopByHop of(Iterable<String> connectionValues) {
        Set<String> named = null;
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String trimmed = token.trim();
                if (!trimmed.isEmpty()) {
                    if (named == null) {
                        named = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
                    }
                    named.add(trimmed);
                }
            }
        }
        return named == null ? EMPTY : new HopByHop(named);
    }

    boolean drops(String headerName) {
        return always(headerName) || (!named.isEmpty() && named.contains(headerName));
    }

    /**
     * RFC 9110's fixed list, without lower-casing the name (this runs for every header of every
     * message).
     */
    private static boolean always(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            default -> false;
        };
    }
}
