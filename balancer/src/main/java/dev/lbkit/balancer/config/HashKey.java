package dev.lbkit.balancer.config;

import java.util.Arrays;
import java.util.List;

/**
 * The {@code hash-key} server option (HAProxy 3.0 and later): what a server's points on the
 * consistent-hash ring (and so on {@code balance random}'s ring) are derived from.
 *
 * <p>Example: {@code server s1 127.0.0.1:8080 hash-key addr-port} places s1's points from its
 * address and port, so two HAProxies (or HAProxy and lbkit) that number their servers differently
 * still send a key to the same address. {@code id} (the default) derives them from the server id.
 * 2.6 does not know the option; {@code id32} and {@code guid} exist from 3.4 on.
 */
public enum HashKey {
    /** From the server id (the default; how the id is turned into a key depends on the line). */
    ID("id", HaproxyLine.V3_0),
    /** From the 32-bit id's big-endian bytes (3.4). */
    ID32("id32", HaproxyLine.V3_4),
    /** From the server's {@code guid} string (3.4); the id when the server has none. */
    GUID("guid", HaproxyLine.V3_4),
    /** From the server's IP address; the id when it has none. */
    ADDR("addr", HaproxyLine.V3_0),
    /** From the server's IP address and port; the id when it has no address. */
    ADDR_PORT("addr-port", HaproxyLine.V3_0);

    private final String keyword;
    private final HaproxyLine since;

    HashKey(String keyword, HaproxyLine since) {
        this.keyword = keyword;
        this.since = since;
    }

    /** The word written after {@code hash-key}. */
    public String keyword() {
        return keyword;
    }

    /** The first line that accepts this value. */
    public HaproxyLine since() {
        return since;
    }

    /** The values {@code line} accepts, in the order HAProxy lists them; empty for 2.6. */
    public static List<HashKey> acceptedBy(HaproxyLine line) {
        return Arrays.stream(values()).filter(k -> line.compareTo(k.since) >= 0).toList();
    }

    /** The value {@code line} accepts for {@code word}, or null. */
    static HashKey of(String word, HaproxyLine line) {
        return acceptedBy(line).stream()
                .filter(k -> k.keyword.equals(word))
                .findFirst()
                .orElse(null);
    }
}
