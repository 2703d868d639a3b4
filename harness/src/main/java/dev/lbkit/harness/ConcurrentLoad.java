package dev.lbkit.harness;

/**
 * A free-running concurrent load: {@code clients} threads send {@code requests} requests in all,
 * each client sending its next request as soon as its previous answer is in.
 *
 * @param keepAlive true: each client keeps one connection for all its requests; false: a new
 *     connection per request
 * @param target the request-target every request uses
 */
public record ConcurrentLoad(
        String name, int clients, int requests, boolean keepAlive, String target) {
    public ConcurrentLoad {
        if (clients < 1 || requests < 1) {
            throw new IllegalArgumentException(
                    "a load needs at least one client and one request, got "
                            + clients
                            + " clients, "
                            + requests
                            + " requests");
        }
    }

    /** A one-line description, e.g. "16 clients, 2000 requests, keep-alive". */
    public String describe() {
        return clients
                + " clients, "
                + requests
                + " requests, "
                + (keepAlive ? "keep-alive" : "new connection each");
    }
}
