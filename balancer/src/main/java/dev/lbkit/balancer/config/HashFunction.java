package dev.lbkit.balancer.config;

/**
 * The hash functions {@code hash-type} can name. {@code NONE} (HAProxy 2.9 and later, so 3.0 here)
 * reads the key as a decimal number and uses it as the hash.
 */
public enum HashFunction {
    SDBM,
    DJB2,
    WT6,
    CRC32,
    NONE
}
