package dev.lbkit.episodes.sourcehash;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * The {@code source} key, and the byte ranges every hashing key is cut into: a key is a range
 * {@code [from, to)} of a reused buffer, packed in one long, so a pick allocates nothing. Episode
 * 04 cuts its keys (uri, url_param, hdr) with the same tools in {@code RequestKeys}.
 *
 * <p>Worked example: a client at 127.0.1.1 has the {@code source} key 0x7F000101.
 *
 * <p>HAProxy documents the keys under {@code balance} in its configuration manual (section 4).
 */
public final class HashKeys {

    private HashKeys() {}

    // snippet:start source-key
    /**
     * The {@code source} key: an IPv4 address read as a big-endian 32-bit integer, or the XOR of
     * the four big-endian words of an IPv6 address. No hash function is applied (HAProxy ignores
     * the configured one here; only {@code avalanche} may follow).
     *
     * <p>Java turns a v4-mapped IPv6 address into an {@link Inet4Address} when parsing; a caller
     * that accepted an IPv4 client on a dual-stack socket must pass an {@code Inet6Address} to get
     * HAProxy's key (0x0000FFFF XOR the IPv4 integer).
     */
    public static int source(InetAddress client) {
        if (client instanceof Inet4Address) {
            // OpenJDK's Inet4Address hash code is the address read big-endian: the same key with no
            // copy of the address bytes, so a pick allocates nothing (HashKeysTest pins the
            // equality).
            return client.hashCode();
        }
        byte[] address = client.getAddress();
        int key = 0;
        for (int i = 0; i + 4 <= address.length; i += 4) {
            key ^=
                    ((address[i] & 0xff) << 24)
                            | ((address[i + 1] & 0xff) << 16)
                            | ((address[i + 2] & 0xff) << 8)
                            | (address[i + 3] & 0xff);
        }
        return key;
    }

    // snippet:end source-key

    /** No key: the parameter or header is missing, and the algorithm falls back to round robin. */
    public static final long NO_KEY = -1L;

    /**
     * A key's place in its buffer, {@code [from, to)}, packed in one long so cutting a key
     * allocates nothing.
     */
    public static long range(int from, int to) {
        return ((long) from << 32) | (to & 0xffffffffL);
    }

    public static int rangeFrom(long range) {
        return (int) (range >>> 32);
    }

    public static int rangeTo(long range) {
        return (int) range;
    }

    /**
     * Writes {@code text} into {@code buffer} as the bytes the key functions read, when it is all
     * ASCII (then UTF-8 is one byte per char) and fits; returns its length, or -1 when the caller
     * must use {@link #bytes(String)} instead. Request lines and header values are ASCII in
     * practice, so picks reuse one buffer and allocate nothing.
     */
    public static int asciiInto(String text, byte[] buffer) {
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

    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
