package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;

/** {@code balance source}: the client's address is the key. */
final class SourceKey implements HashBalancer.RequestKey {

    // snippet:start source-pick
    @Override
    public Server pick(HashBalancer hashing, RequestInfo request, Server avoid) {
        if (request.client() == null) {
            return null; // not an IP client (unix socket): HAProxy 2.6.x falls back to round robin
        }
        if (hashing.table().used() == 1) {
            return hashing.table().lookup(0, avoid);
        }
        // The configured hash function is not applied to addresses; only the avalanche modifier is.
        return hashing.lookupKey(HashKeys.source(request.client()), avoid);
    }
    // snippet:end source-pick
}
