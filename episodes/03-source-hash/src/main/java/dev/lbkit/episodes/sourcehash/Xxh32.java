package dev.lbkit.episodes.sourcehash;

/**
 * XXH32, the 32-bit xxHash of a byte string with a 32-bit seed: what HAProxy 3.0+ derives ring keys
 * from for {@code hash-key addr}/{@code addr-port} of an IPv6 server and for {@code hash-key guid}.
 *
 * <p>Example: XXH32("", 0) = 0x02CC5D05 and XXH32("abc", 0) = 0x32D153FF (852579327).
 *
 * <p>How it works, written from the algorithm's public description: five odd 32-bit constants
 * P1..P5. Input of 16 bytes or more is read as little-endian 32-bit words, four lanes at a time;
 * each lane starts from the seed (plus P1+P2, plus P2, plus 0, minus P1) and absorbs its word w as
 * {@code lane = rotl(lane + w * P2, 13) * P1}; the four lanes are then folded together with
 * rotations by 1, 7, 12 and 18. Shorter input starts from seed + P5 instead. The total length is
 * added, the remaining 4-byte words are mixed in ({@code rotl(h + w * P3, 17) * P4}), then the
 * remaining single bytes ({@code rotl(h + b * P5, 11) * P1}), and a final avalanche of shifts and
 * multiplies by P2 and P3 spreads every input bit over the result. All arithmetic is mod 2^32.
 */
public final class Xxh32 {
    private static final int P1 = 0x9E3779B1;
    private static final int P2 = 0x85EBCA77;
    private static final int P3 = 0xC2B2AE3D;
    private static final int P4 = 0x27D4EB2F;
    private static final int P5 = 0x165667B1;

    private Xxh32() {}

    /** XXH32 of all of {@code data} with {@code seed}. */
    public static int hash(byte[] data, int seed) {
        int length = data.length;
        int at = 0;
        int h;
        if (length >= 16) {
            int lane1 = seed + P1 + P2;
            int lane2 = seed + P2;
            int lane3 = seed;
            int lane4 = seed - P1;
            while (at + 16 <= length) {
                lane1 = absorb(lane1, word(data, at));
                lane2 = absorb(lane2, word(data, at + 4));
                lane3 = absorb(lane3, word(data, at + 8));
                lane4 = absorb(lane4, word(data, at + 12));
                at += 16;
            }
            h =
                    Integer.rotateLeft(lane1, 1)
                            + Integer.rotateLeft(lane2, 7)
                            + Integer.rotateLeft(lane3, 12)
                            + Integer.rotateLeft(lane4, 18);
        } else {
            h = seed + P5;
        }
        h += length;
        for (; at + 4 <= length; at += 4) {
            h = Integer.rotateLeft(h + word(data, at) * P3, 17) * P4;
        }
        for (; at < length; at++) {
            h = Integer.rotateLeft(h + (data[at] & 0xFF) * P5, 11) * P1;
        }
        h ^= h >>> 15;
        h *= P2;
        h ^= h >>> 13;
        h *= P3;
        h ^= h >>> 16;
        return h;
    }

    private static int absorb(int lane, int word) {
        return Integer.rotateLeft(lane + word * P2, 13) * P1;
    }

    /** The little-endian 32-bit word at {@code at}. */
    private static int word(byte[] data, int at) {
        return (data[at] & 0xFF)
                | (data[at + 1] & 0xFF) << 8
                | (data[at + 2] & 0xFF) << 16
                | (data[at + 3] & 0xFF) << 24;
    }
}
