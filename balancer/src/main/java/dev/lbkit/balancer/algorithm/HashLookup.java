package dev.lbkit.balancer.algorithm;

/**
 * The server table a hashing algorithm looks hash values up in: HAProxy's weighted map
 * ({@link MapBasedHash}) or its consistent-hash ring ({@link ConsistentRing}). Each also owns the
 * round-robin walk used when a request has no key, and follows server state changes.
 */
interface HashLookup {

    /** HAProxy's {@code tot_weight}: 0 means no server is usable. */
    int totalWeight();

    /** HAProxy's {@code tot_used}: with 1, hashing is skipped and the value 0 is looked up. */
    int used();

    /** The server for the unsigned hash value {@code hash}, or null when none is usable. */
    Server lookup(int hash, Server avoid);

    /** The round-robin fallback for a request without a key. */
    Server nextRoundRobin(Server avoid);

    void serverUp(Server server);

    void serverDown(Server server);

    void weightChanged(Server server, int oldUweight);
}
