package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.HashType;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;

/**
 * Every hashing {@code balance}: takes a key from the request ({@link RequestKey}: the client
 * address here in episode 03, the URI, a parameter or a header in episode 04), hashes it and looks
 * the value up in the weighted map ({@code hash-type map-based}, the default) or on the
 * consistent-hash ring ({@code hash-type consistent}); a request without a key goes round robin.
 *
 * <p>Worked example: servers s1/s2/s3 with weights 2/1/3 and {@code balance source}. The client
 * 127.0.1.1 has the key 0x7F000101. Map-based: slot 2130706689 mod 6 = 3 of {@code [s1, s3, s1, s3,
 * s2, s3]} is s3. Consistent (sdbm plus avalanche by default; {@code source} ignores the function
 * but not the avalanche): full_hash(0x7F000101) = 4138135820, whose closest ring point belongs to
 * s1. With {@code balance uri} and map-based sdbm, "/index.html" hashes to 858007926 and picks slot
 * 858007926 mod 6 = 0, s1.
 *
 * <p>When only one server is usable the key is not computed and 0 is looked up, as HAProxy does
 * ({@code url_param} excepted, which still falls back when the parameter is missing).
 *
 * <p>HAProxy documents these algorithms under {@code balance} and {@code hash-type} in its
 * configuration manual (section 4).
 */
public final class HashBalancer implements LoadBalancer {
    /**
     * Keys up to this many bytes are cut and hashed in {@link #scratch}; longer ones are copied.
     */
    private static final int SCRATCH_BYTES = 8 * 1024;

    /** Where a hashing algorithm finds its key, and what it does with it. */
    public interface RequestKey {
        /**
         * Picks the server for {@code request} through {@code hashing}'s table, or returns null
         * when the request has no key (the balancer then goes round robin).
         */
        Server pick(HashBalancer hashing, RequestInfo request, Server avoid);
    }

    /**
     * Cuts a key out of text already turned into bytes: a range from {@link HashKeys#range}, or
     * {@link HashKeys#NO_KEY}.
     */
    public interface KeyCut {
        long cut(byte[] input, int length);
    }

    private final HashType hashType;
    private final HashLookup table;
    private final RequestKey key;

    /**
     * The request's target or header value as bytes, reused by every pick so a pick allocates
     * nothing; safe because the backend calls an algorithm under its lock, one pick at a time.
     */
    private final byte[] scratch = new byte[SCRATCH_BYTES];

    /**
     * A balancer for {@code backend} hashing {@code key}; {@code line} chooses the ring keys (3.0's
     * differ).
     */
    public HashBalancer(
            ProxySection backend, List<Server> servers, RequestKey key, HaproxyLine line) {
        this.hashType = backend.hashType();
        this.key = key;
        this.table =
                hashType.consistent()
                        ? new ConsistentRing(
                                servers, backend.allBackups(), backend.hashBalanceFactor(), line)
                        : new MapBasedHash(servers, backend.allBackups());
    }

    /** The table this backend looks hashes up in (map or ring). */
    public HashLookup table() {
        return table;
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        if (table.totalWeight() == 0) {
            return null;
        }
        Server chosen = key.pick(this, request, avoid);
        return chosen != null ? chosen : table.nextRoundRobin(avoid);
    }

    // snippet:start hash-then-avalanche
    /**
     * Hashes the part of {@code text} that {@code cut} selects with the backend's hash function,
     * then looks it up; null (round robin) when there is no key.
     */
    public Server lookup(String text, KeyCut cut, Server avoid) {
        byte[] input = scratch;
        int length = HashKeys.asciiInto(text, scratch);
        if (length < 0) { // not ASCII, or longer than the scratch buffer
            input = HashKeys.bytes(text);
            length = input.length;
        }
        long range = cut.cut(input, length);
        if (range == HashKeys.NO_KEY) {
            return null;
        }
        int hash =
                Hashes.hash(
                        hashType.function(),
                        input,
                        HashKeys.rangeFrom(range),
                        HashKeys.rangeTo(range));
        return lookupKey(hash, avoid);
    }

    /**
     * Hashes {@code key} whole with the backend's hash function, then looks it up ({@code balance
     * hash}, whose sample may be binary, an address for instance).
     */
    public Server lookup(byte[] key, Server avoid) {
        return lookupKey(Hashes.hash(hashType.function(), key, 0, key.length), avoid);
    }

    /**
     * Looks up a key that needs no hash function ({@code source}); only {@code avalanche} applies.
     */
    public Server lookupKey(int key, Server avoid) {
        return table.lookup(hashType.avalanche() ? Hashes.avalanche(key) : key, avoid);
    }

    // snippet:end hash-then-avalanche

    /**
     * As {@link #lookup(String, KeyCut, Server)} on the bytes {@code input[0..length)}, for keys
     * that are not text (a request body).
     */
    public Server lookup(byte[] input, int length, KeyCut cut, Server avoid) {
        long range = cut.cut(input, length);
        if (range == HashKeys.NO_KEY) {
            return null;
        }
        return lookupKey(
                Hashes.hash(
                        hashType.function(),
                        input,
                        HashKeys.rangeFrom(range),
                        HashKeys.rangeTo(range)),
                avoid);
    }

    @Override
    public void serverUp(Server server) {
        table.serverUp(server);
    }

    @Override
    public void serverDown(Server server) {
        table.serverDown(server);
    }

    @Override
    public void weightChanged(Server server, int oldUweight) {
        table.weightChanged(server, oldUweight);
    }

    /**
     * Map-based hashing is one of HAProxy's static algorithms; the consistent ring takes any
     * weight.
     */
    @Override
    public boolean staticWeights() {
        return !hashType.consistent();
    }
}
