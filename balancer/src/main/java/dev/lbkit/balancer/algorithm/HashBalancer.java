package dev.lbkit.balancer.algorithm;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.HashType;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;
import java.util.Objects;

/**
 * {@code balance source | uri | url_param | hdr(name)}: hashes a key taken from the request and
 * looks the value up in the weighted map ({@code hash-type map-based}, the default) or on the
 * consistent-hash ring ({@code hash-type consistent}); a request without a key goes round robin.
 *
 * <p>Worked example: servers s1/s2/s3 with weights 2/1/3 and {@code balance source}. The client
 * 127.0.1.1 has the key 0x7F000101. Map-based: slot 2130706689 mod 6 = 3 of
 * {@code [s1, s3, s1, s3, s2, s3]} is s3. Consistent (sdbm plus avalanche by default; {@code source}
 * ignores the function but not the avalanche): full_hash(0x7F000101) = 4138135820, whose closest
 * ring point belongs to s1. With {@code balance uri} and map-based sdbm, "/index.html" hashes to
 * 858007926 and picks slot 858007926 mod 6 = 0, s1.
 *
 * <p>When only one server is usable the key is not computed and 0 is looked up, as HAProxy does
 * ({@code url_param} excepted, which still falls back when the parameter is missing). The
 * {@code url_param} POST-body lookup is not implemented: lbkit balances before reading bodies.
 *
 * <p>HAProxy documents these algorithms under {@code balance} and {@code hash-type} in its
 * configuration manual (section 4).
 */
final class HashBalancer implements LoadBalancer {
    /** Keys up to this many bytes are cut and hashed in {@link #scratch}; longer ones are copied. */
    private static final int SCRATCH_BYTES = 8 * 1024;

    private final Balance balance;
    private final HashType hashType;
    private final HashLookup table;
    private final byte[] paramName;
    /**
     * The request's target or header value as bytes, reused by every pick so a pick allocates
     * nothing; safe because the backend calls an algorithm under its lock, one pick at a time.
     */
    private final byte[] scratch = new byte[SCRATCH_BYTES];
    /** Length of the text {@link #bytesOf} last returned. */
    private int length;

    HashBalancer(ProxySection backend, List<Server> servers) {
        this.balance = backend.balance();
        this.hashType = backend.hashType();
        Algorithm algorithm = balance.algorithm();
        if ((algorithm == Algorithm.URL_PARAM || algorithm == Algorithm.HDR) && balance.name() == null) {
            throw new IllegalArgumentException("balance " + algorithm.keyword() + " at " + balance.where()
                    + " needs a parameter or header name; the config reader should have refused it");
        }
        this.paramName = balance.name() == null ? null : HashKeys.bytes(balance.name());
        this.table = hashType.consistent()
                ? new ConsistentRing(servers, backend.allBackups(), backend.hashBalanceFactor())
                : new MapBasedHash(servers, backend.allBackups());
    }

    /** The table this backend looks hashes up in (map or ring), for tests. */
    HashLookup table() {
        return table;
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        if (table.totalWeight() == 0) {
            return null;
        }
        Server chosen = switch (balance.algorithm()) {
            case SOURCE -> bySource(request, avoid);
            case URI -> byUri(request, avoid);
            case URL_PARAM -> byUrlParam(request, avoid);
            case HDR -> byHeader(request, avoid);
            default -> throw new IllegalStateException("not a hashing algorithm: " + balance.algorithm());
        };
        return chosen != null ? chosen : table.nextRoundRobin(avoid);
    }

    // snippet:start source-pick
    private Server bySource(RequestInfo request, Server avoid) {
        if (request.client() == null) {
            return null; // not an IP client (unix socket): HAProxy 2.6.x falls back to round robin
        }
        if (table.used() == 1) {
            return table.lookup(0, avoid);
        }
        // The configured hash function is not applied to addresses; only the avalanche modifier is.
        return table.lookup(modify(HashKeys.source(request.client())), avoid);
    }
    // snippet:end source-pick

    // snippet:start by-uri
    private Server byUri(RequestInfo request, Server avoid) {
        if (table.used() == 1) {
            return table.lookup(0, avoid);
        }
        byte[] input = bytesOf(Objects.requireNonNullElse(request.target(), ""));
        return lookup(input, HashKeys.uriRange(input, length, balance), avoid);
    }
    // snippet:end by-uri

    private Server byUrlParam(RequestInfo request, Server avoid) {
        if (request.target() == null) {
            return null;
        }
        byte[] input = bytesOf(request.target());
        return lookup(input, HashKeys.urlParamRange(input, length, paramName), avoid);
    }

    private Server byHeader(RequestInfo request, Server avoid) {
        if (table.used() == 1) {
            return table.lookup(0, avoid); // even with the header missing: HAProxy checks tot_used first
        }
        String value = request.firstHeader().apply(balance.name());
        if (value == null) {
            return null;
        }
        byte[] input = bytesOf(value);
        return lookup(input, HashKeys.headerRange(input, length, balance.useDomainOnly()), avoid);
    }

    /** {@code text} as the key functions read it: in {@link #scratch} when ASCII and short enough, else a copy. */
    private byte[] bytesOf(String text) {
        length = HashKeys.asciiInto(text, scratch);
        if (length >= 0) {
            return scratch;
        }
        byte[] copy = HashKeys.bytes(text);
        length = copy.length;
        return copy;
    }

    // snippet:start hash-then-avalanche
    /** Looks up the hash of {@code input} in {@code range}; null (round robin) when there is no key. */
    private Server lookup(byte[] input, long range, Server avoid) {
        if (range == HashKeys.NO_KEY) {
            return null;
        }
        int hash = Hashes.hash(hashType.function(), input, HashKeys.rangeFrom(range), HashKeys.rangeTo(range));
        return table.lookup(modify(hash), avoid);
    }

    private int modify(int hash) {
        return hashType.avalanche() ? Hashes.avalanche(hash) : hash;
    }
    // snippet:end hash-then-avalanche

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
}
