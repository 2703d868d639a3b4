package dev.lbkit.balancer.config;

/**
 * A {@code balance} line with its arguments parsed. Fields that do not apply to the algorithm keep
 * their neutral value.
 *
 * @param algorithm the algorithm
 * @param uriWhole {@code uri whole}
 * @param uriLen {@code uri len N}, or 0 when absent
 * @param uriDepth {@code uri depth N}, or 0 when absent
 * @param uriPathOnly {@code uri path-only}
 * @param randomDraws {@code random(N)}; 2 for plain {@code random}
 * @param name the parameter of {@code url_param}, the header of {@code hdr(name)}, the cookie of
 *     {@code rdp-cookie(name)}, or the expression of {@code hash}; null otherwise
 * @param checkPost {@code url_param ... check_post}
 * @param useDomainOnly {@code hdr(...) use_domain_only}
 */
public record Balance(
        Algorithm algorithm,
        boolean uriWhole,
        int uriLen,
        int uriDepth,
        boolean uriPathOnly,
        int randomDraws,
        String name,
        boolean checkPost,
        boolean useDomainOnly,
        Where where) {

    /** HAProxy 2.6's default when a backend has no {@code balance} line. */
    public static Balance roundrobin(Where where) {
        return of(Algorithm.ROUNDROBIN, where);
    }

    /**
     * What a backend with no {@code balance} line uses in that HAProxy line: roundrobin up to 3.2,
     * {@code random} from 3.3 on, with ONE draw (HAProxy leaves the draw count unset on that path,
     * so its loop runs once; a written {@code balance random} still means two).
     */
    public static Balance defaultOf(HaproxyLine line, Where where) {
        if (line.compareTo(HaproxyLine.V3_4) >= 0) {
            return new Balance(Algorithm.RANDOM, false, 0, 0, false, 1, null, false, false, where);
        }
        return roundrobin(where);
    }

    public static Balance of(Algorithm algorithm, Where where) {
        return new Balance(algorithm, false, 0, 0, false, 2, null, false, false, where);
    }
}
