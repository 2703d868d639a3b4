package dev.lbkit.all;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.Parity;
import java.net.InetAddress;

/**
 * Keys for {@code ?key=} that backend {@code be} of a config sends to a chosen server, found with
 * lbkit's own algorithm as the HAProxy line of this run balances (so a test can plan which server a
 * request goes to; what HAProxy does with it is what the test then compares).
 */
final class HashKeys {
    private HashKeys() {}

    /**
     * The first of k0, k1, ... that goes to {@code server}; for an algorithm that does not read the
     * key, k0.
     */
    static String keyOn(String config, String server) throws Exception {
        Backend backend = backend(config);
        InetAddress client = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < 200; i++) {
            String key = "k" + i;
            Server picked = backend.pickAndTake(RequestInfo.of(client, "/?key=" + key), null);
            backend.release(picked);
            if (picked.name().equals(server) || !config.contains("url_param")) {
                return key;
            }
        }
        throw new IllegalStateException("no key k0..k199 goes to " + server);
    }

    /** Backend {@code be} of {@code config}, as the line this run meets. */
    static Backend backend(String config) throws Exception {
        var line = Parity.haproxy().line();
        return new Backend(
                ConfigParser.parse(config, "hash-keys.cfg", line).backend("be").orElseThrow(),
                (section, servers) -> Algorithms.create(section, servers, line),
                line);
    }
}
