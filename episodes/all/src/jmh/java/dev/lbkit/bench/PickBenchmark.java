package dev.lbkit.bench;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.ProxySection;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one request costs the balancing layer: {@link Backend#pickAndTake} then
 * {@link Backend#release}, as the proxy calls them (lock, pick, served counts, the algorithm's
 * taken/released), for every algorithm at 3, 100 and 1000 servers of weights 1 to 4. Requests
 * cycle through 1024 prepared ones (distinct client addresses, paths, query parameters and
 * headers), so the hashing algorithms see changing keys and the measurement includes cutting the
 * key out of the request but not building the request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBenchmark {
    private static final int REQUESTS = 1024;

    @Param({"roundrobin", "static-rr", "leastconn", "first", "source", "source consistent", "uri",
            "uri consistent", "url_param user", "hdr(X-User)", "random(2)"})
    public String balance;

    @Param({"3", "100", "1000"})
    public int servers;

    private Backend backend;
    private final RequestInfo[] requests = new RequestInfo[REQUESTS];
    private int next;

    @Setup
    public void setUp() throws Exception {
        boolean consistent = balance.endsWith(" consistent");
        String algorithm = consistent ? balance.substring(0, balance.length() - " consistent".length()) : balance;
        StringBuilder cfg = new StringBuilder("defaults\n    mode http\nbackend be\n    balance ")
                .append(algorithm).append('\n');
        if (consistent) {
            cfg.append("    hash-type consistent\n");
        }
        for (int i = 0; i < servers; i++) {
            cfg.append("    server s").append(i + 1).append(" 127.0.0.1:").append(10000 + i)
                    .append(" weight ").append(1 + i % 4).append('\n');
        }
        ProxySection section = ConfigParser.parse(cfg.toString(), "bench.cfg").proxies().get(0);
        backend = new Backend(section, Algorithms::create);
        for (int i = 0; i < REQUESTS; i++) {
            requests[i] = request(i);
        }
    }

    private static RequestInfo request(int i) throws UnknownHostException {
        InetAddress client = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 7});
        String target = "/static/catalog/item-" + (i * 7919) + ".png?user=u" + i + "&lang=en";
        String user = "user-" + i;
        // Case-insensitive and allocation-free, as the proxy's lookup in Jetty's HttpFields is.
        return new RequestInfo(client, target, name -> name.equalsIgnoreCase("X-User") ? user : null);
    }

    /** One pick-take-release cycle; returns the server so the JIT cannot drop the pick. */
    @Benchmark
    public Server pickAndRelease() {
        RequestInfo request = requests[next];
        next = (next + 1) & (REQUESTS - 1);
        Server server = backend.pickAndTake(request, null);
        backend.release(server);
        return server;
    }
}
