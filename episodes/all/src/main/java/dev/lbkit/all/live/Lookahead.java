package dev.lbkit.all.live;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.balancer.config.HaproxyLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The next picks of a deterministic algorithm (roundrobin, static-rr) if nothing changes: every
 * call lbkit's algorithm received is logged, with the servers' state at that moment, and replayed
 * into a fresh copy of the same algorithm on copies of the servers, which is then asked for its
 * next picks. The real algorithm is never touched, so the window it keeps becomes visible without
 * opening it up; the browser test checks the prediction against the picks HAProxy then makes.
 */
final class Lookahead {
    /** Calls kept at most; a longer session stops predicting rather than replay without end. */
    private static final int MAX_CALLS = 200_000;

    /** One call to the algorithm: what, on which server (index), and every server's state then. */
    record Call(
            Kind kind,
            int server,
            int oldUweight,
            int[] uweight,
            boolean[] maint,
            boolean[] drain,
            boolean[] running,
            boolean[] stopping,
            int[] served,
            int[] warmSixteenths) {
        enum Kind {
            PICK,
            UP,
            DOWN,
            WEIGHT,
            TAKEN,
            RELEASED
        }

        static Call of(Kind kind, Server server, int oldUweight, List<Server> servers) {
            int n = servers.size();
            int[] uweight = new int[n];
            boolean[] maint = new boolean[n];
            boolean[] drain = new boolean[n];
            boolean[] running = new boolean[n];
            boolean[] stopping = new boolean[n];
            int[] served = new int[n];
            int[] warm = new int[n];
            for (Server s : servers) {
                int i = s.index();
                uweight[i] = s.uweight();
                maint[i] = s.maint();
                drain[i] = s.drain();
                running[i] = s.running();
                stopping[i] = s.stopping();
                served[i] = s.served();
                warm[i] = s.warmSixteenths();
            }
            return new Call(
                    kind,
                    server == null ? -1 : server.index(),
                    oldUweight,
                    uweight,
                    maint,
                    drain,
                    running,
                    stopping,
                    served,
                    warm);
        }
    }

    private final Queue<Call> incoming = new ConcurrentLinkedQueue<>();
    private final List<Call> calls = new ArrayList<>();
    private Call initial;
    private boolean overflowed;

    /** Called by {@link WatchedBalancer} under the backend's lock: lock-free, no I/O. */
    void log(Call.Kind kind, Server server, int oldUweight, List<Server> servers) {
        incoming.add(Call.of(kind, server, oldUweight, servers));
    }

    /** The servers' state when the algorithm was built; logged before any call. */
    void logStart(List<Server> servers) {
        incoming.add(Call.of(null, null, 0, servers));
    }

    /**
     * The next {@code count} picks of {@code backend}'s algorithm if requests come one at a time
     * and nothing else changes; empty when this session has outgrown {@link #MAX_CALLS}.
     */
    synchronized List<String> next(Backend backend, HaproxyLine line, int count) {
        Call now;
        synchronized (backend.lock()) {
            // Under the lock no call can be logged meanwhile: the log and the state "now" match.
            for (Call c = incoming.poll(); c != null; c = incoming.poll()) {
                if (c.kind() == null) {
                    initial = c;
                } else if (calls.size() < MAX_CALLS) {
                    calls.add(c);
                } else {
                    overflowed = true;
                }
            }
            now = Call.of(Call.Kind.PICK, null, 0, backend.servers());
        }
        if (overflowed || initial == null) {
            return List.of();
        }
        List<Server> copies = new ArrayList<>();
        for (Server s : backend.servers()) {
            copies.add(new Server(s.spec(), s.index()));
        }
        apply(initial, copies);
        LoadBalancer copy =
                Algorithms.create(backend.section(), copies, line, StatisticalPrng.fixedSeed());
        RequestInfo request = RequestInfo.of(null, "/");
        for (Call c : calls) {
            apply(c, copies);
            Server on = c.server() < 0 ? null : copies.get(c.server());
            switch (c.kind()) {
                case PICK -> copy.pick(request, null);
                case UP -> copy.serverUp(on);
                case DOWN -> copy.serverDown(on);
                case WEIGHT -> copy.weightChanged(on, c.oldUweight());
                case TAKEN -> copy.taken(on);
                case RELEASED -> copy.released(on);
            }
        }
        apply(now, copies);
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Server s = copy.pick(request, null);
            if (s == null) {
                break;
            }
            picks.add(s.name());
            s.addServed(1);
            copy.taken(s);
            s.addServed(-1);
            copy.released(s);
        }
        return picks;
    }

    private static void apply(Call c, List<Server> servers) {
        for (Server s : servers) {
            int i = s.index();
            s.setUweight(c.uweight()[i]);
            s.setMaint(c.maint()[i]);
            s.setDrain(c.drain()[i]);
            s.setRunning(c.running()[i]);
            if (c.stopping()[i]) {
                s.setStopping();
            }
            s.addServed(c.served()[i] - s.served());
            s.holdWarmUp(c.warmSixteenths()[i]);
        }
    }
}
