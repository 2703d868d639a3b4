package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.HashFunction;
import dev.lbkit.balancer.config.HashType;
import dev.lbkit.balancer.config.Mode;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.config.ServerSpec;
import dev.lbkit.balancer.config.Timeouts;
import dev.lbkit.balancer.config.Where;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds backends the way the config reader would, for the hashing and random tests. */
public final class HashFixtures {
    public static final Where HERE = new Where("test.cfg", 1);
    public static final HashType MAP_BASED = HashType.defaults();
    public static final HashType CONSISTENT = new HashType(true, HashFunction.SDBM, true);

    private HashFixtures() {}

    /** Servers s1..sN with these weights and ids 1..N. */
    public static List<ServerSpec> servers(int... weights) {
        List<ServerSpec> specs = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            specs.add(server("s" + (i + 1), weights[i], i + 1, false));
        }
        return specs;
    }

    public static ServerSpec server(String name, int weight, int id, boolean backup) {
        return new ServerSpec(
                name,
                "127.0.0.1",
                8000 + id,
                weight,
                id,
                false,
                false,
                2000,
                2,
                3,
                backup,
                false,
                0,
                HERE);
    }

    public static Balance balance(Algorithm algorithm) {
        return Balance.of(algorithm, HERE);
    }

    public static Balance uri(boolean whole, int len, int depth, boolean pathOnly) {
        return new Balance(Algorithm.URI, whole, len, depth, pathOnly, 2, null, false, false, HERE);
    }

    public static Balance named(Algorithm algorithm, String name, boolean useDomainOnly) {
        return new Balance(algorithm, false, 0, 0, false, 2, name, false, useDomainOnly, HERE);
    }

    public static Balance random(int draws) {
        return new Balance(Algorithm.RANDOM, false, 0, 0, false, draws, null, false, false, HERE);
    }

    public static ProxySection section(
            Balance balance, HashType hashType, List<ServerSpec> servers) {
        return section(balance, hashType, servers, false, 0);
    }

    public static ProxySection section(
            Balance balance,
            HashType hashType,
            List<ServerSpec> servers,
            boolean allBackups,
            int hashBalanceFactor) {
        return new ProxySection(
                ProxySection.Kind.BACKEND,
                "be",
                HERE,
                Mode.HTTP,
                List.of(),
                null,
                balance,
                hashType,
                servers,
                Timeouts.none(),
                3,
                false,
                null,
                null,
                allBackups,
                hashBalanceFactor);
    }

    public static Backend backend(ProxySection section) {
        return new Backend(section, Algorithms::create);
    }

    /** One sequential request: picks, then ends it at once (so in-flight counts stay 0). */
    public static String pickName(Backend backend, RequestInfo request) {
        Server server = backend.pickAndTake(request, null);
        if (server == null) {
            return null;
        }
        backend.release(server);
        return server.name();
    }

    public static RequestInfo fromClient(String address) {
        return RequestInfo.of(address(address), "/");
    }

    public static RequestInfo forTarget(String target) {
        return RequestInfo.of(address("127.0.0.1"), target);
    }

    public static RequestInfo withHeaders(Map<String, String> headers) {
        return new RequestInfo(
                address("127.0.0.1"),
                "/",
                name ->
                        headers.entrySet().stream()
                                .filter(e -> e.getKey().equalsIgnoreCase(name))
                                .map(Map.Entry::getValue)
                                .findFirst()
                                .orElse(null));
    }

    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** 127.0.x.y clients as HAProxy's verification used them: 127.0.1.1 .. 127.0.4.250. */
    public static List<String> clientAddresses(int count) {
        List<String> list = new ArrayList<>();
        for (int x = 1; x <= 4 && list.size() < count; x++) {
            for (int y = 1; y <= 250 && list.size() < count; y++) {
                list.add("127.0." + x + "." + y);
            }
        }
        return list;
    }
}
