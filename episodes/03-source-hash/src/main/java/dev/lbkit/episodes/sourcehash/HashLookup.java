package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.algorithm.Server;

/**
 * The server table a hashing algorithm looks hash values up in: HAProxy's weighted map ({@link
 * MapBasedHash}) or its consistent-hash ring ({@link ConsistentRing}). Each also owns the
 * round-robin walk used when a request has no key, and follows server state changes.
 *
 * <p>Worked example: with weights 2/1/3, {@code lookup(858007926, null)} on the map returns slot
 * 858007926 mod 6 = 0, s1; {@code nextRoundRobin(null)} then walks the same map s1, s3, s1, s3, s2,
 * s3.
 *
 * <p>HAProxy documents both tables under {@code hash-type} in its configuration manual (section 4).
 */
public interface HashLookup {

    /** HAProxy's {@code tot_weight}: 0 means no server is usable. */
    public int totalWeight();

    /** HAProxy's {@code tot_used}: with 1, hashing is skipped and the value 0 is looked up. */
    public int used();

    /** The server for the unsigned hash value {@code hash}, or null when none is usable. */
    public Server lookup(int hash, Server avoid);

    /** The round-robin fallback for a request without a key. */
    public Server nextRoundRobin(Server avoid);

    public void serverUp(Server server);

    public void serverDown(Server server);

    public void weightChanged(Server server, int oldUweight);
}
