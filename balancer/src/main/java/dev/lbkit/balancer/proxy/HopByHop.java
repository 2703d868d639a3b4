package dev.lbkit.balancer.proxy;

import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The hop-by-hop headers a proxy must not forward: the fixed list of RFC 9110 plus every header the
 * message's own {@code Connection} header names. A name Jetty knows as a header is kept as that
 * header, so a field of that header is found by its kind, with no comparison of names; any other
 * name is kept as it was sent, compared without regard to case.
 */
final class HopByHop {
    /** A message with no {@code Connection} header: only the fixed list. */
    static final HopByHop EMPTY = new HopByHop(EnumSet.noneOf(HttpHeader.class), Set.of(), false);

    /** RFC 9110's fixed list, as Jetty knows those headers. */
    private static final Set<HttpHeader> ALWAYS =
            EnumSet.of(
                    HttpHeader.TE,
                    HttpHeader.TRAILER,
                    HttpHeader.UPGRADE,
                    HttpHeader.CONNECTION,
                    HttpHeader.KEEP_ALIVE,
                    HttpHeader.PROXY_CONNECTION,
                    HttpHeader.TRANSFER_ENCODING);

    /** The named headers Jetty knows. */
    private final Set<HttpHeader> namedHeaders;

    /** The other names, any case. */
    private final Set<String> namedOthers;

    /** Whether {@code close} was among the tokens. */
    private final boolean close;

    private HopByHop(Set<HttpHeader> namedHeaders, Set<String> namedOthers, boolean close) {
        this.namedHeaders = namedHeaders;
        this.namedOthers = namedOthers;
        this.close = close;
    }

    /**
     * The hop-by-hop set of one message, given the values of all its {@code Connection} headers.
     */
    static HopByHop of(Iterable<String> connectionValues) {
        Set<HttpHeader> headers = null;
        Set<String> others = null;
        boolean close = false;
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String trimmed = token.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                close |= trimmed.equalsIgnoreCase("close");
                HttpHeader header = HttpHeader.CACHE.get(trimmed);
                if (header != null) {
                    if (headers == null) {
                        headers = EnumSet.noneOf(HttpHeader.class);
                    }
                    headers.add(header);
                } else {
                    if (others == null) {
                        others = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
                    }
                    others.add(trimmed);
                }
            }
        }
        if (headers == null && others == null) {
            return EMPTY;
        }
        return new HopByHop(
                headers == null ? EMPTY.namedHeaders : headers,
                others == null ? Set.of() : others,
                close);
    }

    /**
     * Whether {@code field} is hop-by-hop, by the header Jetty found for it when the field was made
     * (its name in any case), or else by its name.
     */
    boolean drops(HttpField field) {
        HttpHeader header = field.getHeader();
        if (header != null) {
            return ALWAYS.contains(header) || namedHeaders.contains(header);
        }
        return !namedOthers.isEmpty() && namedOthers.contains(field.getName());
    }

    /** Whether the {@code Connection} headers named {@code close} (any case). */
    boolean close() {
        return close;
    }

    /** Whether the {@code Connection} headers named {@code header}. */
    boolean names(HttpHeader header) {
        return namedHeaders.contains(header);
    }
}
