package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.config.HashFunction;

/**
 * The hash functions HAProxy's hashing algorithms use, in C unsigned 32-bit arithmetic: Java {@code
 * int} with wraparound, each input byte read as 0..255. Read results as unsigned ({@link
 * Integer#toUnsignedLong(int)}).
 *
 * <p>Worked example: {@code sdbm("/")} is 47 (the byte value of '/'), {@code sdbm("/index.html")}
 * is 858007926, {@code crc32("123456789")} is 0xCBF43926, and {@code fullHash(0)} is 2874071335.
 * With {@code hash-type consistent} (sdbm plus avalanche) the value looked up for "/index.html" is
 * {@code fullHash(858007926)}.
 *
 * <p>HAProxy documents the functions and the {@code avalanche} modifier under {@code hash-type} in
 * its configuration manual (section 4, "hash-type").
 */
public final class Hashes {

    /** The multiplier that ends HAProxy's integer mix: a large prime near 3/4 of 2^32. */
    private static final int SPREAD = (int) 3221225473L;

    private static final int[] CRC32_TABLE = crc32Table();

    private Hashes() {}

    /**
     * Hashes {@code bytes[from..to)} with {@code function}, as {@code hash-type ... <function>}
     * does.
     */
    public static int hash(HashFunction function, byte[] bytes, int from, int to) {
        return switch (function) {
            case SDBM -> sdbm(bytes, from, to);
            case DJB2 -> djb2(bytes, from, to);
            case WT6 -> wt6(bytes, from, to);
            case CRC32 -> crc32(bytes, from, to);
            case NONE -> decimal(bytes, from, to);
        };
    }

    /**
     * {@code hash-type ... none} (HAProxy 3.0 and later): the key is read as a decimal number,
     * which is the hash. An optional sign, then digits up to the first other byte; a number too
     * large for 64 bits stays at the largest (or smallest) one; the low 32 bits are the hash.
     * "7919" hashes to 7919, "-1" to 0xFFFFFFFF, "12ab" to 12, "abc" to 0.
     */
    public static int decimal(byte[] bytes, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (bytes[i] == '-' || bytes[i] == '+')) {
            negative = bytes[i] == '-';
            i++;
        }
        long value = 0;
        boolean saturated = false;
        for (; i < to && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
            int digit = bytes[i] - '0';
            if (!saturated && value > (Long.MAX_VALUE - digit) / 10) {
                saturated = true;
            }
            if (!saturated) {
                value = value * 10 + digit;
            }
        }
        if (saturated) {
            return (int) (negative ? Long.MIN_VALUE : Long.MAX_VALUE);
        }
        return (int) (negative ? -value : value);
    }

    // snippet:start sdbm
    /** sdbm (HAProxy's default): h = c + (h << 6) + (h << 16) - h for each byte c, from h = 0. */
    public static int sdbm(byte[] bytes, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = (bytes[i] & 0xff) + (h << 6) + (h << 16) - h;
        }
        return h;
    }

    // snippet:end sdbm

    /** djb2: h = h * 33 + c for each byte c, from h = 5381. */
    public static int djb2(byte[] bytes, int from, int to) {
        int h = 5381;
        for (int i = from; i < to; i++) {
            h = h * 33 + (bytes[i] & 0xff);
        }
        return h;
    }

    // snippet:start wt6
    /**
     * wt6: two accumulators whose rotation amounts are re-derived from their own bits after every
     * byte, so that every input bit reaches every output bit within a few bytes.
     */
    public static int wt6(byte[] bytes, int from, int to) {
        int h0 = 0xa53c965a;
        int h1 = 0x5ca6953a;
        int step0 = 6;
        int step1 = 18;
        for (int i = from; i < to; i++) {
            int t = bytes[i] & 0xff;
            h0 = ~(h0 ^ t);
            h1 = ~(h1 + t);
            int a = Integer.rotateLeft(h1, step0);
            int b = Integer.rotateLeft(h0, step1);
            h0 = a;
            h1 = b;
            int mix = ((h0 >>> 16) ^ h1) & 0xffff;
            step0 = mix & 0x1f;
            step1 = mix >>> 11;
        }
        return h0 ^ h1;
    }

    // snippet:end wt6

    /** The standard reflected CRC-32 (polynomial 0xEDB88320, initial and final complement). */
    public static int crc32(byte[] bytes, int from, int to) {
        int c = ~0;
        for (int i = from; i < to; i++) {
            c = CRC32_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
        }
        return ~c;
    }

    // snippet:start full-hash
    /**
     * HAProxy's {@code full_hash}: Bob Jenkins' six-step integer mix followed by a multiply by
     * 3221225473, all mod 2^32. It places the consistent-hash ring points and is what the {@code
     * avalanche} modifier applies to a hash.
     */
    public static int fullHash(int a) {
        a = (a + 0x7ed55d16) + (a << 12);
        a = (a ^ 0xc761c23c) ^ (a >>> 19);
        a = (a + 0x165667b1) + (a << 5);
        a = (a + 0xd3a2646c) ^ (a << 9);
        a = (a + 0xfd7046c5) + (a << 3);
        a = (a ^ 0xb55a4f09) ^ (a >>> 16);
        // The final multiply spreads values across the whole 32-bit ring; the test vectors need it.
        return a * SPREAD;
    }

    // snippet:end full-hash

    /**
     * The {@code avalanche} modifier: exactly {@link #fullHash(int)}, named as the config names it.
     */
    public static int avalanche(int hash) {
        return fullHash(hash);
    }

    private static int[] crc32Table() {
        int[] table = new int[256];
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
