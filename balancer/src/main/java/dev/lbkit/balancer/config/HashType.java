package dev.lbkit.balancer.config;

/**
 * {@code hash-type <map-based|consistent> [<function> [avalanche]]}, with HAProxy's defaults
 * already resolved: {@code consistent} alone means sdbm plus avalanche; naming a function turns the
 * implicit avalanche off unless {@code avalanche} follows.
 */
public record HashType(boolean consistent, HashFunction function, boolean avalanche) {
    /** No {@code hash-type} line at all: map-based, sdbm, no avalanche. */
    public static HashType defaults() {
        return new HashType(false, HashFunction.SDBM, false);
    }
}
