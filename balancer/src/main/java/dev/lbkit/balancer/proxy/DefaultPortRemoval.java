package dev.lbkit.balancer.proxy;

/**
 * Removes a default port from an absolute-form request-target, as HAProxy 2.6 does while parsing an
 * HTTP/1 request ("scheme-based normalization"): {@code http://h:80/a} is stored as {@code
 * http://h/a}, {@code https://h:443/a} as {@code https://h/a}, and an empty port ({@code
 * http://h:/a}) goes for any scheme. The Host header then holds the host without the port.
 * Everything after the stored target ({@code balance uri}, {@code hdr(host)}) sees the shorter
 * form.
 *
 * <p>Checked against HAProxy 2.6.12 with {@code http-request return ... "%[url]"}: the scheme
 * compares case-insensitively ({@code HTTP://h:80/} loses its port too), the port text must be
 * exactly "80" or "443" ("080" stays), userinfo stays in the target, {@code [::1]:80} becomes
 * {@code [::1]}, only the last ":port" of the authority counts, and origin-form targets never
 * change.
 */
final class DefaultPortRemoval {

    /**
     * The target and Host value HAProxy would store.
     *
     * @param target the request-target, without a default port
     * @param host the value every Host header takes, or null when nothing was removed
     */
    record Result(String target, String host) {
        boolean changed() {
            return host != null;
        }
    }

    private DefaultPortRemoval() {}

    // snippet:start default-port
    /**
     * Applies the rule to {@code target} as received; origin-form and other targets come back
     * unchanged.
     */
    static Result apply(String target) {
        int schemeEnd = schemeEnd(target);
        if (schemeEnd < 0) {
            return new Result(target, null);
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = target.indexOf('/', authorityStart);
        if (authorityEnd < 0) {
            authorityEnd = target.length();
        }
        int at = target.indexOf('@', authorityStart);
        int hostStart = at >= 0 && at < authorityEnd ? at + 1 : authorityStart;
        int colon = portColon(target, hostStart, authorityEnd);
        if (colon < 0) {
            return new Result(target, null);
        }
        String scheme = target.substring(0, schemeEnd);
        String port = target.substring(colon + 1, authorityEnd);
        boolean isDefault =
                port.isEmpty()
                        || (scheme.equalsIgnoreCase("http") && port.equals("80"))
                        || (scheme.equalsIgnoreCase("https") && port.equals("443"));
        if (!isDefault) {
            return new Result(target, null);
        }
        return new Result(
                target.substring(0, colon) + target.substring(authorityEnd),
                target.substring(hostStart, colon));
    }

    // snippet:end default-port

    /** Where "://" starts after a scheme (a letter, then letters, digits, '+', '-', '.'), or -1. */
    private static int schemeEnd(String target) {
        if (target.isEmpty() || !isLetter(target.charAt(0))) {
            return -1;
        }
        int p = 1;
        while (p < target.length()
                && (isLetter(target.charAt(p))
                        || isDigit(target.charAt(p))
                        || target.charAt(p) == '+'
                        || target.charAt(p) == '-'
                        || target.charAt(p) == '.')) {
            p++;
        }
        return target.startsWith("://", p) ? p : -1;
    }

    /**
     * The ':' before a trailing run of digits (maybe empty) at the end of the host, or -1 when
     * there is none.
     */
    private static int portColon(String target, int hostStart, int authorityEnd) {
        int p = authorityEnd - 1;
        while (p >= hostStart && isDigit(target.charAt(p))) {
            p--;
        }
        return p >= hostStart && target.charAt(p) == ':' ? p : -1;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
