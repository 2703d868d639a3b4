package dev.lbkit.balancer.config;

/**
 * Holds the server settings that {@code default-server} can preset and {@code server} can override,
 * while a proxy is being read.
 */
final class ServerOptions {
    int weight = 1;
    boolean check;

    /** Whether a {@code port} for the checks was given (lbkit checks the server's own port). */
    boolean checkPort;

    int interMs = 2000;
    int fastinterMs;
    int downinterMs;
    int rise = 2;
    int fall = 3;
    boolean backup;
    boolean disabled;
    int maxconn;
    int maxqueue;
    HashKey hashKey = HashKey.ID;

    /** {@code track [<proxy>/]<server>}, or null. */
    String track;

    /** {@code slowstart} in milliseconds, 0 for none. */
    int slowstartMs;

    /** The server's {@code cookie} value, or null. */
    String cookie;

    ServerOptions copy() {
        ServerOptions copy = new ServerOptions();
        copy.weight = weight;
        copy.check = check;
        copy.checkPort = checkPort;
        copy.interMs = interMs;
        copy.fastinterMs = fastinterMs;
        copy.downinterMs = downinterMs;
        copy.rise = rise;
        copy.fall = fall;
        copy.backup = backup;
        copy.disabled = disabled;
        copy.maxconn = maxconn;
        copy.maxqueue = maxqueue;
        copy.hashKey = hashKey;
        copy.cookie = cookie;
        copy.slowstartMs = slowstartMs;
        copy.track = track;
        return copy;
    }
}
