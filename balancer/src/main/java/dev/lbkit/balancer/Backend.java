package dev.lbkit.balancer;

import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ProxySection;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * A backend at run time: its servers, its algorithm and the one lock that orders every pick and
 * every state change, as HAProxy's per-backend lock does. Everything that changes a server (a
 * request taken or released, a health check, the runtime API) goes through here, so the algorithm
 * sees the same sequence of events HAProxy's would.
 *
 * <p><b>Lock order.</b> {@link #lock()} guards all of this backend's run-time state: the servers'
 * state and counters, the algorithm, and the health-check state of its servers (HealthChecks
 * keeps that under this lock too, not under a lock of its own). It is a leaf lock: code holding
 * it only reads and writes that memory and calls the algorithm, whose callbacks are pure (see
 * {@link LoadBalancer}); it takes no other lock, does no I/O and does not log. As no thread ever
 * waits for anything while holding it, it can never close a wait cycle, whatever a thread holds
 * when it takes it (an upstream loop takes it inside its selector's monitors, see UpstreamLoop).
 * Issue 25 was what happens otherwise: a health checker held a lock of its own while marking its
 * server DOWN here, {@code show stat} held this lock while reading the checker's state under the
 * checker's lock, and each waited for the other for good.
 */
public final class Backend {
    private final ProxySection section;
    private final List<Server> servers;
    private final LoadBalancer lb;
    private final Object lock = new Object();
    private final LongSupplier clockMillis;
    private long cumulativeRequests;

    public Backend(ProxySection section, BiFunction<ProxySection, List<Server>, LoadBalancer> algorithm) {
        this(section, algorithm, Backend::monotonicMillis);
    }

    /**
     * A backend whose picks are timed by {@code clockMillis} (milliseconds, monotonic), read once per
     * request and handed to the algorithm; tests pass a clock of their own.
     */
    public Backend(ProxySection section, BiFunction<ProxySection, List<Server>, LoadBalancer> algorithm,
            LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.section = section;
        this.servers = section.servers().stream()
                .map(spec -> new Server(spec, section.servers().indexOf(spec)))
                .toList();
        this.lb = algorithm.apply(section, servers);
    }

    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    public String name() {
        return section.name();
    }

    public ProxySection section() {
        return section;
    }

    /** The servers in declaration order. Read their state under {@link #lock()} for a consistent view. */
    public List<Server> servers() {
        return servers;
    }

    public Optional<Server> server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The lock that orders picks and state changes; hold it to read several counters at once. A
     * leaf lock (see the class comment): take no other lock, do no I/O and do not log while holding it.
     */
    public Object lock() {
        return lock;
    }

    /** Whether the algorithm fixes weights at startup (HAProxy's static algorithms); see {@link LoadBalancer#staticWeights()}. */
    public boolean staticWeights() {
        return lb.staticWeights();
    }

    /** The server's user weight now (runtime API {@code get weight}); the runtime API changes it from other threads. */
    public int uweight(Server server) {
        synchronized (lock) {
            return server.uweight();
        }
    }

    /** Total requests that reached this backend (HAProxy's backend {@code stot}). */
    public long cumulativeRequests() {
        synchronized (lock) {
            return cumulativeRequests;
        }
    }

    /**
     * Picks a server and takes a slot on it in one step, so concurrent requests see each other's
     * in-flight counts exactly as HAProxy's leastconn and random do. Returns null if none is usable;
     * every non-null result must be given back with {@link #release(Server)}.
     */
    public Server pickAndTake(RequestInfo request, Server avoid) {
        synchronized (lock) {
            cumulativeRequests++;
            long now = clockMillis.getAsLong();
            Server chosen = lb.pick(request, avoid, now);
            if (chosen != null) {
                chosen.countPick();
                chosen.addServed(1);
                lb.taken(chosen, now);
            }
            return chosen;
        }
    }

    /** The request on {@code server} has ended. */
    public void release(Server server) {
        synchronized (lock) {
            server.addServed(-1);
            lb.released(server);
        }
    }

    /** Health checks: the server is (or is no longer) passing its checks. */
    public void setRunning(Server server, boolean running) {
        change(server, () -> server.setRunning(running));
    }

    /** Runtime API {@code disable server} / {@code enable server}, or {@code set server ... state maint|ready}. */
    public void setMaint(Server server, boolean maint) {
        change(server, () -> server.setMaint(maint));
    }

    /** Runtime API {@code set server ... state drain|ready}. */
    public void setDrain(Server server, boolean drain) {
        change(server, () -> server.setDrain(drain));
    }

    /**
     * Runtime API {@code set server ... state ready|drain|maint}: both admin flags in one step, so
     * no pick, no {@code show stat} and no algorithm callback sees the state in between (going from
     * maint to drain one flag at a time would make the server usable for a moment).
     */
    public void setAdminState(Server server, boolean maint, boolean drain) {
        change(server, () -> {
            server.setMaint(maint);
            server.setDrain(drain);
        });
    }

    /** Runtime API {@code set server ... weight N}. */
    public void setWeight(Server server, int uweight) {
        synchronized (lock) {
            int old = server.uweight();
            boolean wasUsable = server.usable();
            server.setUweight(uweight);
            boolean isUsable = server.usable();
            if (wasUsable && isUsable) {
                if (old != uweight) {
                    lb.weightChanged(server, old);
                }
            } else {
                notifyUsability(server, wasUsable, isUsable);
            }
        }
    }

    private void change(Server server, Runnable mutation) {
        synchronized (lock) {
            boolean wasUsable = server.usable();
            mutation.run();
            notifyUsability(server, wasUsable, server.usable());
        }
    }

    private void notifyUsability(Server server, boolean wasUsable, boolean isUsable) {
        if (!wasUsable && isUsable) {
            lb.serverUp(server);
        } else if (wasUsable && !isUsable) {
            lb.serverDown(server);
        }
    }
}
