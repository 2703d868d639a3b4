package dev.lbkit.balancer.config;

/**
 * A {@code server} line.
 *
 * @param name the server name (never used for balancing, only for logs and the runtime API)
 * @param host the address, as written (lbkit resolves names once, at start)
 * @param port the port
 * @param weight the configured weight, 0..256 (default 1)
 * @param id the server id (puid): the explicit {@code id N}, or the one HAProxy assigns
 * @param explicitId true when {@code id} was written
 * @param check {@code check}: health checks on
 * @param interMs {@code inter}, default 2000
 * @param rise {@code rise}, default 2
 * @param fall {@code fall}, default 3
 * @param backup {@code backup}
 * @param disabled {@code disabled}: starts in maintenance
 * @param maxconn {@code maxconn}, 0 = no limit
 */
public record ServerSpec(String name, String host, int port, int weight, int id, boolean explicitId,
                         boolean check, int interMs, int rise, int fall, boolean backup, boolean disabled,
                         int maxconn, Where where) {
}
