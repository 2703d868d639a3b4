package dev.lbkit.balancer.config;

/** The hash functions {@code hash-type} can name. */
public enum HashFunction { SDBM, DJB2, WT6, CRC32 }
