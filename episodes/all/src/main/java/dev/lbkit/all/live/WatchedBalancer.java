package dev.lbkit.all.live;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * lbkit's algorithm with a window on it: every call goes to the real algorithm unchanged, and each
 * pick is reported (the live request it served, the server, and the random draws it made) so the
 * live view can show what the algorithm saw. It sits where the engine's SPI puts an algorithm
 * ({@code Lbkit.start(config, factory)}), so neither the engine nor the episode knows it is there.
 *
 * <p>The backend calls an algorithm under its leaf lock, which allows no other lock and no I/O: a
 * pick is only added to a lock-free queue here, and read by the live view's own threads.
 */
final class WatchedBalancer implements LoadBalancer {
    /**
     * The request header the live view tags each request with: its number, so picks and requests
     * meet.
     */
    static final String REQUEST_HEADER = "X-Lbkit-Live-Request";

    /**
     * One pick.
     *
     * @param request the live request number from {@link #REQUEST_HEADER}, or -1 (not a live
     *     request)
     * @param server the server chosen, or null when none was usable
     * @param draws the generator's outputs this pick consumed, unsigned, in order (random: one per
     *     draw)
     * @param info what the algorithm was given
     */
    record Pick(long request, String server, List<Long> draws, RequestInfo info) {}

    private final LoadBalancer algorithm;
    private final StatisticalPrng prng;
    private final Queue<Pick> picks;
    private final List<Server> servers;
    private final Lookahead lookahead;

    /**
     * @param servers the backend's servers, whose state {@code lookahead} logs with every call
     * @param lookahead where every call is logged for {@link Lookahead}, or null
     */
    WatchedBalancer(
            LoadBalancer algorithm,
            StatisticalPrng prng,
            Queue<Pick> picks,
            List<Server> servers,
            Lookahead lookahead) {
        this.algorithm = algorithm;
        this.prng = prng;
        this.picks = picks;
        this.servers = servers;
        this.lookahead = lookahead;
        if (lookahead != null) {
            lookahead.logStart(servers);
        }
    }

    private void log(Lookahead.Call.Kind kind, Server server, int oldUweight) {
        if (lookahead != null) {
            lookahead.log(kind, server, oldUweight, servers);
        }
    }

    @Override
    public Server pick(RequestInfo request, Server avoid) {
        log(Lookahead.Call.Kind.PICK, null, 0);
        long before = prng.state();
        Server chosen = algorithm.pick(request, avoid);
        report(request, chosen, before);
        return chosen;
    }

    @Override
    public Server pick(RequestInfo request, Server avoid, long nowMillis) {
        log(Lookahead.Call.Kind.PICK, null, 0);
        long before = prng.state();
        Server chosen = algorithm.pick(request, avoid, nowMillis);
        report(request, chosen, before);
        return chosen;
    }

    private void report(RequestInfo request, Server chosen, long before) {
        picks.add(
                new Pick(
                        requestNumber(request),
                        chosen == null ? null : chosen.name(),
                        draws(before, prng.state()),
                        request));
    }

    private static long requestNumber(RequestInfo request) {
        String tag =
                request.firstHeader() == null ? null : request.firstHeader().apply(REQUEST_HEADER);
        if (tag == null) {
            return -1;
        }
        try {
            return Long.parseLong(tag.strip());
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }

    /**
     * The outputs that took the generator from {@code before} to {@code after}: replayed from the
     * public xorshift step, so nothing in the algorithm is opened up. Empty when it did not draw,
     * or when the stream cannot be replayed (a 3.0+ process's first draw adds its per-process
     * value).
     */
    static List<Long> draws(long before, long after) {
        List<Long> outputs = new ArrayList<>();
        int x = (int) before;
        for (int i = 0; i < 8 && Integer.toUnsignedLong(x) != after; i++) {
            x = StatisticalPrng.step(x);
            outputs.add(Integer.toUnsignedLong(x));
        }
        return Integer.toUnsignedLong(x) == after ? outputs : List.of();
    }

    @Override
    public void serverUp(Server server) {
        log(Lookahead.Call.Kind.UP, server, 0);
        algorithm.serverUp(server);
    }

    @Override
    public void serverDown(Server server) {
        log(Lookahead.Call.Kind.DOWN, server, 0);
        algorithm.serverDown(server);
    }

    @Override
    public void weightChanged(Server server, int oldUweight) {
        log(Lookahead.Call.Kind.WEIGHT, server, oldUweight);
        algorithm.weightChanged(server, oldUweight);
    }

    @Override
    public void taken(Server server) {
        log(Lookahead.Call.Kind.TAKEN, server, 0);
        algorithm.taken(server);
    }

    @Override
    public void taken(Server server, long nowMillis) {
        log(Lookahead.Call.Kind.TAKEN, server, 0);
        algorithm.taken(server, nowMillis);
    }

    @Override
    public void released(Server server) {
        log(Lookahead.Call.Kind.RELEASED, server, 0);
        algorithm.released(server);
    }

    @Override
    public boolean staticWeights() {
        return algorithm.staticWeights();
    }
}
