package dev.lbkit.balancer.config;

/**
 * A {@code stats socket} line: the runtime API listener.
 *
 * @param address {@code ipv4@host:port}, {@code host:port} or a unix socket path, as written
 * @param host the TCP host, or null for a unix socket
 * @param port the TCP port, or 0 for a unix socket
 * @param path the unix socket path, or null for TCP
 * @param level {@code user}, {@code operator} or {@code admin}
 */
public record StatsSocket(
        String address, String host, int port, String path, String level, Where where) {
    public boolean isUnix() {
        return path != null;
    }
}
