package dev.lbkit.all.live;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.episodes.sourcehash.HashKeys;
import dev.lbkit.episodes.sourcehash.Hashes;
import dev.lbkit.episodes.urihash.RequestKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The algorithm-specific part of the live view: what lbkit's algorithm looked at for one pick (the
 * hash of the client address or URI and the ring point it lands on; the random draws and their
 * points) and what it keeps per server (effective weights; leastconn's in-flight / weight key).
 * Everything is computed from the pick the {@link WatchedBalancer} reported, the servers' state and
 * the episodes' public hash functions, never by reaching into the algorithm.
 */
final class AlgorithmView {
    private final Backend backend;
    private final HaproxyLine line;
    private final Algorithm algorithm;

    /** How many next picks the page shows for a predictable algorithm. */
    private static final int LOOKAHEAD = 12;

    private final Lookahead lookahead;
    private volatile HashRing ring = null;

    /**
     * @param lookahead the log of the algorithm's calls, for {@link #predictable} algorithms; else
     *     null
     */
    AlgorithmView(Backend backend, HaproxyLine line, Lookahead lookahead) {
        this.backend = backend;
        this.line = line;
        this.algorithm = backend.section().balance().algorithm();
        this.lookahead = lookahead;
    }

    /**
     * Algorithms whose next picks follow from their state alone when requests come one at a time.
     */
    static boolean predictable(Algorithm algorithm) {
        return algorithm == Algorithm.ROUNDROBIN || algorithm == Algorithm.STATIC_RR;
    }

    Algorithm algorithm() {
        return algorithm;
    }

    /**
     * Whether picks land on a consistent-hash ring: hashing with {@code hash-type consistent}, and
     * random.
     */
    boolean usesRing() {
        ProxySection section = backend.section();
        return algorithm == Algorithm.RANDOM
                || ((algorithm == Algorithm.SOURCE || algorithm == Algorithm.URI)
                        && section.hashType().consistent());
    }

    /**
     * What the page shows per server of lbkit's side, read under the backend's lock, and the ring
     * to draw.
     */
    Map<String, Object> state() {
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Integer> usableWeights = new LinkedHashMap<>();
        synchronized (backend.lock()) {
            for (Server s : backend.servers()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", s.name());
                row.put("weight", s.uweight());
                row.put("eweight", s.eweight());
                row.put("inFlight", s.served());
                row.put("maxInFlight", s.maxServed());
                row.put("picked", s.lbtot());
                row.put("usable", s.usable());
                row.put(
                        "state",
                        s.maint()
                                ? "MAINT"
                                : s.drain()
                                        ? "DRAIN"
                                        : !s.running() ? "DOWN" : s.stopping() ? "NOLB" : "UP");
                rows.add(row);
                if (s.usable()) {
                    usableWeights.put(s.name(), s.uweight());
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("algorithm", algorithm.keyword());
        out.put("servers", rows);
        if (lookahead != null) {
            out.put("next", lookahead.next(backend, line, LOOKAHEAD));
        }
        if (usesRing()) {
            HashRing now = HashRing.of(backend.servers(), usableWeights, line);
            ring = now;
            List<Object> points = new ArrayList<>();
            for (HashRing.Point p : now.points()) {
                points.add(List.of(p.key(), p.server()));
            }
            out.put("ring", points);
        }
        return out;
    }

    /**
     * What the algorithm looked at for {@code pick}, for the page's per-request line; empty when
     * nothing to add.
     */
    Map<String, Object> explain(WatchedBalancer.Pick pick) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (pick == null) {
            return out;
        }
        HashRing onRing = ring;
        switch (algorithm) {
            case SOURCE -> {
                if (pick.info().client() != null) {
                    long point = hashOfKey(HashKeys.source(pick.info().client()));
                    out.put("key", "client " + pick.info().client().getHostAddress());
                    putPoint(out, point, onRing);
                }
            }
            case URI -> {
                byte[] key = RequestKeys.uri(pick.info().target(), backend.section().balance());
                int hash = Hashes.hash(backend.section().hashType().function(), key, 0, key.length);
                out.put(
                        "key",
                        "uri " + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1));
                putPoint(out, hashOfKey(hash), onRing);
            }
            case RANDOM -> {
                List<Object> draws = new ArrayList<>();
                for (long draw : pick.draws()) {
                    HashRing.Point at = onRing == null ? null : onRing.closest(draw);
                    draws.add(Map.of("point", draw, "owner", at == null ? "-" : at.server()));
                }
                out.put("draws", draws);
            }
            default -> {}
        }
        return out;
    }

    private long hashOfKey(int hash) {
        return Integer.toUnsignedLong(
                backend.section().hashType().avalanche() ? Hashes.avalanche(hash) : hash);
    }

    private void putPoint(Map<String, Object> out, long point, HashRing onRing) {
        out.put("point", point);
        if (usesRing() && onRing != null) {
            HashRing.Point at = onRing.closest(point);
            out.put("owner", at == null ? "-" : at.server());
        }
    }
}
