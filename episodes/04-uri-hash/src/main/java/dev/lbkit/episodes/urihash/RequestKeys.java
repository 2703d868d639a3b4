package dev.lbkit.episodes.urihash;

import static dev.lbkit.episodes.sourcehash.HashKeys.NO_KEY;
import static dev.lbkit.episodes.sourcehash.HashKeys.bytes;
import static dev.lbkit.episodes.sourcehash.HashKeys.range;
import static dev.lbkit.episodes.sourcehash.HashKeys.rangeFrom;
import static dev.lbkit.episodes.sourcehash.HashKeys.rangeTo;

import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.HaproxyLine;
import java.util.Arrays;

/**
 * Cuts the key that {@code uri}, {@code url_param} and {@code hdr(name)} hash out of a request:
 * part of the request-target, a query parameter's value, a header element. Each cut returns a range
 * of the buffer it was given (see {@code HashKeys} in episode 03), or {@code NO_KEY}.
 *
 * <p>Worked example: for the target {@code /a/b/c?x=1}, {@code uri} hashes "/a/b/c", {@code uri
 * depth 2} hashes "/a/b", {@code uri whole} hashes the whole target and {@code url_param x} hashes
 * "1". A Host header "www.1wt.eu" gives "1wt" with {@code hdr(host) use_domain_only}.
 *
 * <p>HAProxy documents these keys under {@code balance} in its configuration manual (section 4,
 * "balance"). Request-targets are turned into bytes as UTF-8, which is exact for the ASCII that
 * HTTP/1 request lines carry (other bytes must be percent-encoded).
 */
public final class RequestKeys {

    private RequestKeys() {}

    // snippet:start uri-key
    /**
     * The {@code uri} key: the target (or only its path and query with {@code path-only}), first
     * cut to {@code len} bytes, then up to but excluding the (depth+1)-th '/' and, unless {@code
     * whole}, the first '?'.
     */
    public static byte[] uri(String target, Balance balance) {
        byte[] input = bytes(target);
        return copy(input, uriRange(input, input.length, balance));
    }

    /**
     * As {@link #uri(String, Balance)} on {@code input[0..length)}, giving the key's {@link
     * #range}.
     */
    static long uriRange(byte[] input, int length, Balance balance) {
        int from = 0;
        if (balance.uriPathOnly()) {
            from = pathStart(input, length);
        }
        int to = length;
        if (balance.uriLen() > 0) {
            to = Math.min(to, from + balance.uriLen());
        }
        int stopAtSlash = balance.uriDepth() > 0 ? balance.uriDepth() + 1 : 0;
        int slashes = 0;
        int end = from;
        while (end < to) {
            byte c = input[end];
            if (c == '/') {
                slashes++;
                if (slashes == stopAtSlash) {
                    break;
                }
            } else if (c == '?' && !balance.uriWhole()) {
                break;
            }
            end++;
        }
        return range(from, end);
    }

    // snippet:end uri-key

    /**
     * The {@code url_param} key: the raw value of the first query segment that starts with {@code
     * name=}, up to the next '&amp;'. An empty value is a key (""); null means the parameter is
     * missing and the algorithm falls back to round robin.
     */
    public static byte[] urlParam(String target, String name) {
        byte[] uri = bytes(target);
        return copy(uri, urlParamRange(uri, uri.length, bytes(name)));
    }

    /**
     * As {@link #urlParam(String, String)} on {@code uri[0..length)}, giving the value's {@link
     * #range} or {@link #NO_KEY}.
     */
    static long urlParamRange(byte[] uri, int length, byte[] param) {
        int query = indexOf(uri, length, (byte) '?', 0);
        if (query < 0) {
            return NO_KEY;
        }
        int segment = query + 1;
        // A segment matches only if "name=" fits entirely before the end: the '=' must be there.
        while (length - segment > param.length) {
            if (uri[segment + param.length] == '=' && startsWith(uri, segment, param)) {
                int valueStart = segment + param.length + 1;
                int valueEnd = indexOf(uri, length, (byte) '&', valueStart);
                return range(valueStart, valueEnd < 0 ? length : valueEnd);
            }
            int amp = indexOf(uri, length, (byte) '&', segment);
            if (amp < 0) {
                return NO_KEY;
            }
            segment = amp + 1;
        }
        return NO_KEY;
    }

    /**
     * How many bytes of a POST body HAProxy {@code line} holds when it balances, for a request
     * whose head takes {@code storedHeadSize} (see {@code RequestInfo.PostBody}): its buffer, less
     * what the head and the buffer's bookkeeping take. Measured with the default 16 kB buffer by
     * moving the parameter to the end of ever longer bodies: with a 27-byte head HAProxy 2.6, 3.0
     * and 3.2 see 15213 bytes, 3.4 sees 15221, and every byte more of head is a byte less of body.
     */
    public static int postBodySeen(HaproxyLine line, int storedHeadSize) {
        int room = line.compareTo(HaproxyLine.V3_4) >= 0 ? 15_275 : 15_267;
        return Math.max(0, room - storedHeadSize);
    }

    /**
     * The {@code url_param} key in a POST body {@code body[0..length)}, scanned as the query string
     * is (the parameter at the start or after a '&', its value up to the next '&'), with one more
     * rule: the value must look URL-encoded. HAProxy 3.2 and later check every byte of the value: a
     * space, tab, CR or LF ends it, any other byte that is not an HTTP token character means "no
     * key" (round robin). HAProxy 2.6 and 3.0 check only the value's first byte, over and over: a
     * space there gives the empty key, another non-token byte no key, and otherwise the value runs
     * to the next '&' whatever it holds ("a/b" is hashed whole on 2.6, not at all on 3.4).
     */
    static long postParamRange(byte[] body, int length, byte[] param, HaproxyLine line) {
        boolean everyByte = line.compareTo(HaproxyLine.V3_2) >= 0;
        int segment = 0;
        while (length - segment > param.length) {
            if (body[segment + param.length] == '=' && startsWith(body, segment, param)) {
                int valueStart = segment + param.length + 1;
                int end = valueStart;
                while (end < length && body[end] != '&') {
                    byte checked = everyByte ? body[end] : body[valueStart];
                    if (!isToken(checked)) {
                        if (isLinearSpace(checked)) {
                            break;
                        }
                        return NO_KEY;
                    }
                    end++;
                }
                return range(valueStart, end);
            }
            int amp = indexOf(body, length, (byte) '&', segment);
            if (amp < 0) {
                return NO_KEY;
            }
            segment = amp + 1;
        }
        return NO_KEY;
    }

    /** RFC 9110's token characters, which HAProxy's HTTP_IS_TOKEN accepts. */
    private static boolean isToken(byte c) {
        return isAlnum(c) || (c > 0 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }

    private static boolean isLinearSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /**
     * The {@code hdr(name)} key from the value of the header's first occurrence: its first
     * comma-separated element (commas inside double quotes do not split) with spaces and tabs
     * trimmed, reduced to the domain label with {@code use_domain_only}. Null means absent or
     * empty, and the algorithm falls back to round robin.
     */
    public static byte[] header(String firstOccurrence, boolean useDomainOnly) {
        if (firstOccurrence == null) {
            return null;
        }
        byte[] value = bytes(firstOccurrence);
        return copy(value, headerRange(value, value.length, useDomainOnly));
    }

    /**
     * As {@link #header(String, boolean)} on {@code value[0..length)}, giving the key's {@link
     * #range} or {@link #NO_KEY}.
     */
    static long headerRange(byte[] value, int length, boolean useDomainOnly) {
        int from = 0;
        while (from < length && isSpaceOrTab(value[from])) {
            from++;
        }
        int to = elementEnd(value, length, from);
        while (to > from && isSpaceOrTab(value[to - 1])) {
            to--;
        }
        if (to == from) {
            return NO_KEY;
        }
        if (!useDomainOnly) {
            return range(from, to);
        }
        return domainLabel(value, from, to);
    }

    /**
     * The label before the last dot ("www.1wt.eu" gives "1wt", "example.com" gives "example", no
     * dot gives the whole value), scanning backwards as HAProxy does. HAProxy's scan starts one
     * byte past the value and may read a '.' there; lbkit treats that byte as "not a dot", which is
     * what HAProxy sees whenever another header follows.
     */
    private static long domainLabel(byte[] value, int from, int to) {
        int p = to; // one past the value: HAProxy reads that byte too
        int end = to;
        int len = to - from;
        boolean inLabel = false;
        while (len > 0) {
            if (inLabel) {
                if (value[p - 1] == '.') {
                    break;
                }
            } else if (p < to && value[p] == '.') {
                end = p;
                inLabel = true;
            }
            p--;
            len--;
        }
        return range(p, end);
    }

    private static byte[] copy(byte[] bytes, long range) {
        return range == NO_KEY ? null : Arrays.copyOfRange(bytes, rangeFrom(range), rangeTo(range));
    }

    /**
     * Where the path starts, as {@code path-only} sees it: skips "scheme://authority"; no path
     * gives the end.
     */
    static int pathStart(byte[] target) {
        return pathStart(target, target.length);
    }

    private static int pathStart(byte[] target, int length) {
        if (length == 0 || target[0] == '*') {
            return length;
        }
        if (target[0] == '/') {
            return 0;
        }
        int p = 0;
        if (!isAlpha(target[p])) {
            return length; // authority-form (CONNECT host:port): no path
        }
        p++;
        while (p < length
                && (isAlnum(target[p])
                        || target[p] == '+'
                        || target[p] == '-'
                        || target[p] == '.')) {
            p++;
        }
        if (p + 3 > length || target[p] != ':' || target[p + 1] != '/' || target[p + 2] != '/') {
            return length;
        }
        p += 3;
        while (p < length && target[p] != '/') {
            p++;
        }
        return p;
    }

    /**
     * Where the comma-separated element that starts at {@code from} ends (a comma inside double
     * quotes does not end it): the index of its comma, or {@code length}.
     */
    static int elementEnd(byte[] value, int length, int from) {
        boolean quoted = false;
        boolean escaped = false;
        for (int i = from; i < length; i++) {
            byte c = value[i];
            if (escaped) {
                escaped = false;
            } else if (quoted) {
                if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                return i;
            }
        }
        return length;
    }

    private static int indexOf(byte[] bytes, int length, byte wanted, int from) {
        for (int i = from; i < length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        return Arrays.equals(bytes, at, at + prefix.length, prefix, 0, prefix.length);
    }

    private static boolean isSpaceOrTab(byte c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isAlpha(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAlnum(byte c) {
        return isAlpha(c) || (c >= '0' && c <= '9');
    }
}
