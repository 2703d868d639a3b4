package dev.lbkit.bench;

import dev.lbkit.episodes.sourcehash.Hashes;
import dev.lbkit.balancer.config.HashFunction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The hash functions {@code hash-type} names, on keys of typical lengths (a short id, a URL path). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HashBenchmark {
    @Param({"SDBM", "DJB2", "WT6", "CRC32"})
    public HashFunction function;

    @Param({"8", "64"})
    public int keyLength;

    private byte[] key;
    private int seed;

    @Setup
    public void setUp() {
        String text = "/static/catalog/item-7919.png/static/catalog/item-104729.png/assets/app.js?v=20251129";
        key = text.substring(0, keyLength).getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public int hash() {
        // vary one byte so the result is not a constant
        key[0] = (byte) seed++;
        return Hashes.hash(function, key, 0, key.length);
    }

    @Benchmark
    public int hashThenAvalanche() {
        key[0] = (byte) seed++;
        return Hashes.fullHash(Hashes.hash(function, key, 0, key.length));
    }
}
