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

    // snippet:start source-key
    /**
     * The {@code source} key: an IPv4 address read as a big-endian 32-bit integer, or the XOR of
     * the four big-endian words of an IPv6 address. No hash function is applied (HAProxy ignores the
     * configured one here; only {@code avalanche} may follow).
     *
     * <p>Java turns a v4-mapped IPv6 address into an {@link Inet4Address} when parsing; a caller
     * that accepted an IPv4 client on a dual-stack socket must pass an {@code Inet6Address} to get
     * HAProxy's key (0x0000FFFF XOR the IPv4 integer).
     */
    public static int source(InetAddress client) {
        if (client instanceof Inet4Address) {
            // OpenJDK's Inet4Address hash code is the address read big-endian: the same key with no
            // copy of the address bytes, so a pick allocates nothing (HashKeysTest pins the equality).
            return client.hashCode();
        }
        byte[] address = client.getAddress();
        int key = 0;
        for (int i = 0; i + 4 <= address.length; i += 4) {
            key ^= ((address[i] & 0xff) << 24) | ((address[i + 1] & 0xff) << 16)
                    | ((address[i + 2] & 0xff) << 8) | (address[i + 3] & 0xff);
        }
        return key;
    }
    // snippet:end source-key

    /** No key: the parameter or header is missing, and the algorithm falls back to round robin. */
    static final long NO_KEY = -1L;

    // snippet:start uri-key
    /**
     * The {@code uri} key: the target (or only its path and query with {@code path-only}), first
     * cut to {@code len} bytes, then up to but excluding the (depth+1)-th '/' and, unless
     * {@code whole}, the first '?'.
     */
    public static byte[] uri(String target, Balance balance) {
        byte[] input = bytes(target);
        return copy(input, uriRange(input, input.length, balance));
    }

    /** As {@link #uri(String, Balance)} on {@code input[0..length)}, giving the key's {@link #range}. */
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
     * The {@code url_param} key: the raw value of the first query segment that starts with
     * {@code name=}, up to the next '&amp;'. An empty value is a key (""); null means the parameter
     * is missing and the algorithm falls back to round robin.
     */
    public static byte[] urlParam(String target, String name) {
        byte[] uri = bytes(target);
        return copy(uri, urlParamRange(uri, uri.length, bytes(name)));
    }

    /** As {@link #urlParam(String, String)} on {@code uri[0..length)}, giving the value's {@link #range} or {@link #NO_KEY}. */
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
        return copy(value, headerRange(value, value.length, useDomainOnly));
    }

    /** As {@link #header(String, boolean)} on {@code value[0..length)}, giving the key's {@link #range} or {@link #NO_KEY}. */
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
     * dot gives the whole value), scanning backwards as HAProxy does. HAProxy's scan starts one byte
     * past the value and may read a '.' there; lbkit treats that byte as "not a dot", which is what
     * HAProxy sees whenever another header follows.
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

    /** A key's place in its buffer, {@code [from, to)}, packed in one long so cutting a key allocates nothing. */
    static long range(int from, int to) {
        return ((long) from << 32) | (to & 0xffffffffL);
    }

    static int rangeFrom(long range) {
        return (int) (range >>> 32);
    }

    static int rangeTo(long range) {
        return (int) range;
    }

    private static byte[] copy(byte[] bytes, long range) {
        return range == NO_KEY ? null : Arrays.copyOfRange(bytes, rangeFrom(range), rangeTo(range));
    }

    /**
     * Writes {@code text} into {@code buffer} as the bytes the key functions read, when it is all
     * ASCII (then UTF-8 is one byte per char) and fits; returns its length, or -1 when the caller
     * must use {@link #bytes(String)} instead. Request lines and header values are ASCII in
     * practice, so picks reuse one buffer and allocate nothing.
     */
    static int asciiInto(String text, byte[] buffer) {
        int length = text.length();
        if (length > buffer.length) {
            return -1;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return -1;
            }
            buffer[i] = (byte) c;
        }
        return length;
    }

    /** Where the path starts, as {@code path-only} sees it: skips "scheme://authority"; no path gives the end. */
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
        while (p < length && (isAlnum(target[p]) || target[p] == '+' || target[p] == '-' || target[p] == '.')) {
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

    private static int elementEnd(byte[] value, int length, int from) {
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

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
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
