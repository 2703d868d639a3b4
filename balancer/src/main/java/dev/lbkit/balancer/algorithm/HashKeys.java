package dev.lbkit.balancer.algorithm;

import dev.lbkit.balancer.config.Balance;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts the key that a hashing {@code balance} algorithm hashes out of a request: the client
 * address for {@code source}, part of the request-target for {@code uri}, a query parameter's value
 * for {@code url_param}, a header element for {@code hdr(name)}.
 *
 * <p>Worked example: for the target {@code /a/b/c?x=1}, {@code uri} hashes "/a/b/c",
 * {@code uri depth 2} hashes "/a/b", {@code uri whole} hashes the whole target and
 * {@code url_param x} hashes "1". A client at 127.0.1.1 has the {@code source} key 0x7F000101.
 * A Host header "www.1wt.eu" gives "1wt" with {@code hdr(host) use_domain_only}.
 *
 * <p>HAProxy documents these keys under {@code balance} in its configuration manual (section 4,
 * "balance"). Request-targets are turned into bytes as UTF-8, which is exact for the ASCII that
 * HTTP/1 request lines carry (other bytes must be percent-encoded).
 */
public final class HashKeys {

    private HashKeys() {
    }

    /**
     * The {@code source} key: an IPv4 address read as a big-endian 32-bit integer, or the XOR of
     * the four big-endian words of an IPv6 address. No hash function is applied (HAProxy ignores the
     * configured one here; only {@code avalanche} may follow).
     *
     * <p>Java turns a v4-mapped IPv6 address into an {@link Inet4Address} when parsing; a caller
     * that accepted an IPv4 client on a dual-stack socket must pass an {@code Inet6Address} to get
     * HAProxy's key (0x0000FFFF XOR the IPv4 integer).
     */
    // snippet:start source-key
    public static int source(InetAddress client) {
        byte[] address = client.getAddress();
        int key = 0;
        for (int i = 0; i + 4 <= address.length; i += 4) {
            key ^= ((address[i] & 0xff) << 24) | ((address[i + 1] & 0xff) << 16)
                    | ((address[i + 2] & 0xff) << 8) | (address[i + 3] & 0xff);
        }
        return key;
    }
    // snippet:end source-key

    // snippet:start uri-key
    /**
     * The {@code uri} key: the target (or only its path and query with {@code path-only}), first
     * cut to {@code len} bytes, then up to but excluding the (depth+1)-th '/' and, unless
     * {@code whole}, the first '?'.
     */
    public static byte[] uri(String target, Balance balance) {
        byte[] input = bytes(target);
        int from = 0;
        if (balance.uriPathOnly()) {
            from = pathStart(input);
        }
        int to = input.length;
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
        return Arrays.copyOfRange(input, from, end);
    }
    // snippet:end uri-key

    /**
     * The {@code url_param} key: the raw value of the first query segment that starts with
     * {@code name=}, up to the next '&amp;'. An empty value is a key (""); null means the parameter
     * is missing and the algorithm falls back to round robin.
     */
    public static byte[] urlParam(String target, String name) {
        byte[] uri = bytes(target);
        byte[] param = bytes(name);
        int query = indexOf(uri, (byte) '?', 0);
        if (query < 0) {
            return null;
        }
        int segment = query + 1;
        // A segment matches only if "name=" fits entirely before the end: the '=' must be there.
        while (uri.length - segment > param.length) {
            if (uri[segment + param.length] == '=' && startsWith(uri, segment, param)) {
                int valueStart = segment + param.length + 1;
                int valueEnd = indexOf(uri, (byte) '&', valueStart);
                return Arrays.copyOfRange(uri, valueStart, valueEnd < 0 ? uri.length : valueEnd);
            }
            int amp = indexOf(uri, (byte) '&', segment);
            if (amp < 0) {
                return null;
            }
            segment = amp + 1;
        }
        return null;
    }

    /**
     * The {@code hdr(name)} key from the value of the header's first occurrence: its first
     * comma-separated element (commas inside double quotes do not split) with spaces and tabs
     * trimmed, reduced to the domain label with {@code use_domain_only}. Null means absent or empty,
     * and the algorithm falls back to round robin.
     */
    public static byte[] header(String firstOccurrence, boolean useDomainOnly) {
        if (firstOccurrence == null) {
            return null;
        }
        byte[] value = bytes(firstOccurrence);
        int from = 0;
        while (from < value.length && isSpaceOrTab(value[from])) {
            from++;
        }
        int to = elementEnd(value, from);
        while (to > from && isSpaceOrTab(value[to - 1])) {
            to--;
        }
        if (to == from) {
            return null;
        }
        if (!useDomainOnly) {
            return Arrays.copyOfRange(value, from, to);
        }
        return domainLabel(value, from, to);
    }

    /**
     * The label before the last dot ("www.1wt.eu" gives "1wt", "example.com" gives "example", no
     * dot gives the whole value), scanning backwards as HAProxy does. HAProxy's scan starts one byte
     * past the value and may read a '.' there; lbkit treats that byte as "not a dot", which is what
     * HAProxy sees whenever another header follows.
     */
    private static byte[] domainLabel(byte[] value, int from, int to) {
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
        return Arrays.copyOfRange(value, p, end);
    }

    /** Where the path starts, as {@code path-only} sees it: skips "scheme://authority"; no path gives the end. */
    static int pathStart(byte[] target) {
        if (target.length == 0 || target[0] == '*') {
            return target.length;
        }
        if (target[0] == '/') {
            return 0;
        }
        int p = 0;
        if (!isAlpha(target[p])) {
            return target.length; // authority-form (CONNECT host:port): no path
        }
        p++;
        while (p < target.length && (isAlnum(target[p]) || target[p] == '+' || target[p] == '-' || target[p] == '.')) {
            p++;
        }
        if (p + 3 > target.length || target[p] != ':' || target[p + 1] != '/' || target[p + 2] != '/') {
            return target.length;
        }
        p += 3;
        while (p < target.length && target[p] != '/') {
            p++;
        }
        return p;
    }

    private static int elementEnd(byte[] value, int from) {
        boolean quoted = false;
        boolean escaped = false;
        for (int i = from; i < value.length; i++) {
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
        return value.length;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, byte wanted, int from) {
        for (int i = from; i < bytes.length; i++) {
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
