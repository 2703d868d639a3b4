package dev.lbkit.balancer.algorithm;

import java.util.List;

/**
 * One backend's algorithm: picks a server per request and follows the servers' state changes.
 * Implementations are pure (no I/O, no clock of their own: time comes in as an argument) and
 * single-threaded: the backend calls them under its lock, so an exact sequence of calls gives an
 * exact sequence of picks.
 */
public interface LoadBalancer {

    /**
     * Chooses the server for one request.
     *
     * @param avoid a server to avoid if any other will do (the previous one, on redispatch), or
     *     null
     * @return the server, or null when no server is usable
     */
    Server pick(RequestInfo request, Server avoid);

    /**
     * As {@link #pick(RequestInfo, Server)} at time {@code nowMillis} (a monotonic millisecond
     * clock the backend reads once per request and hands in, so the algorithm stays a pure function
     * of its inputs). Only algorithms that keep time-based state (3.4's random tie on session
     * rates) use it.
     */
    default Server pick(RequestInfo request, Server avoid, long nowMillis) {
        return pick(request, avoid);
    }

    /** {@code server} just became usable (health UP, maintenance off, weight from 0 to more). */
    void serverUp(Server server);

    /** {@code server} just stopped being usable. */
    void serverDown(Server server);

    /** {@code server} stays usable but its user weight changed from {@code oldUweight}. */
    void weightChanged(Server server, int oldUweight);

    /**
     * The runtime API just set {@code server}'s weight (always, even to the value it had), or its
     * state just changed (maintenance, drain, up, down or stopping, by the runtime API, a health
     * check or a tracked server), after the calls above. Only {@code balance sticky} needs it: its
     * books follow HAProxy's, which see every such update, including the ones that leave the server
     * as usable as before.
     */
    default void stateSet(Server server) {}

    /**
     * After {@link #pick} gave no server: whether the backend has none for the request at all (the
     * client gets a 503 at once), rather than only full ones (the request waits in the backend's
     * queue for one to free a slot or come up). By default, when no server is usable.
     */
    default boolean noServerAvailable(List<Server> servers) {
        return servers.stream().noneMatch(Server::usable);
    }

    /** A request was assigned to {@code server}: its {@code served} count has just gone up. */
    default void taken(Server server) {}

    /** As {@link #taken(Server)} at time {@code nowMillis}, the same reading the pick was given. */
    default void taken(Server server, long nowMillis) {
        taken(server);
    }

    /** A request on {@code server} ended: its {@code served} count has just gone down. */
    default void released(Server server) {}

    /**
     * Whether the servers' weights are fixed when the algorithm is built, as in HAProxy's static
     * algorithms (static-rr, map-based hashing): the runtime API then refuses any weight other than
     * 0 and the configured one.
     */
    default boolean staticWeights() {
        return false;
    }
}
