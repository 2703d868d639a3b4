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
 * @param hashKey {@code hash-key} (3.0+): what the server's ring points derive from; {@link
 *     HashKey#ID} by default
 * @param guid {@code guid} (3.0+), or null
 * @param fastinterMs {@code fastinter}: the interval while the server changes state; 0 = {@code
 *     inter}
 * @param downinterMs {@code downinter}: the interval while it is DOWN; 0 = {@code inter}
 * @param maxqueue {@code maxqueue}, 0 = no limit: how many requests may wait in this server's own
 *     queue (requests a hash sends to it while it is at its {@code maxconn}); one more is refused
 *     with a 503
 * @param slowstartSeconds {@code slowstart} in whole seconds (the milliseconds written, rounded up,
 *     as HAProxy keeps it), 0 for none: after coming back UP, a dynamic algorithm gives the server
 *     a weight that grows from 1/16 of its own to all of it over this time
 * @param track {@code track [<proxy>/]<server>}: the server whose state this one follows instead of
 *     checks of its own, or null
 */
public record ServerSpec(
        String name,
        String host,
        int port,
        int weight,
        int id,
        boolean explicitId,
        boolean check,
        int interMs,
        int rise,
        int fall,
        boolean backup,
        boolean disabled,
        int maxconn,
        Where where,
        HashKey hashKey,
        String guid,
        int fastinterMs,
        int downinterMs,
        int maxqueue,
        int slowstartSeconds,
        String track) {

    public ServerSpec {
        if (hashKey == null) {
            hashKey = HashKey.ID;
        }
    }

    /** A server that tracks no other. */
    public ServerSpec(
            String name,
            String host,
            int port,
            int weight,
            int id,
            boolean explicitId,
            boolean check,
            int interMs,
            int rise,
            int fall,
            boolean backup,
            boolean disabled,
            int maxconn,
            Where where,
            HashKey hashKey,
            String guid,
            int fastinterMs,
            int downinterMs,
            int maxqueue,
            int slowstartSeconds) {
        this(
                name,
                host,
                port,
                weight,
                id,
                explicitId,
                check,
                interMs,
                rise,
                fall,
                backup,
                disabled,
                maxconn,
                where,
                hashKey,
                guid,
                fastinterMs,
                downinterMs,
                maxqueue,
                slowstartSeconds,
                null);
    }

    /** A server without {@code slowstart}. */
    public ServerSpec(
            String name,
            String host,
            int port,
            int weight,
            int id,
            boolean explicitId,
            boolean check,
            int interMs,
            int rise,
            int fall,
            boolean backup,
            boolean disabled,
            int maxconn,
            Where where,
            HashKey hashKey,
            String guid,
            int fastinterMs,
            int downinterMs,
            int maxqueue) {
        this(
                name,
                host,
                port,
                weight,
                id,
                explicitId,
                check,
                interMs,
                rise,
                fall,
                backup,
                disabled,
                maxconn,
                where,
                hashKey,
                guid,
                fastinterMs,
                downinterMs,
                maxqueue,
                0);
    }

    /** A server whose own queue has no length limit. */
    public ServerSpec(
            String name,
            String host,
            int port,
            int weight,
            int id,
            boolean explicitId,
            boolean check,
            int interMs,
            int rise,
            int fall,
            boolean backup,
            boolean disabled,
            int maxconn,
            Where where,
            HashKey hashKey,
            String guid,
            int fastinterMs,
            int downinterMs) {
        this(
                name,
                host,
                port,
                weight,
                id,
                explicitId,
                check,
                interMs,
                rise,
                fall,
                backup,
                disabled,
                maxconn,
                where,
                hashKey,
                guid,
                fastinterMs,
                downinterMs,
                0);
    }

    /** A server whose checks run every {@code inter}, whatever its state. */
    public ServerSpec(
            String name,
            String host,
            int port,
            int weight,
            int id,
            boolean explicitId,
            boolean check,
            int interMs,
            int rise,
            int fall,
            boolean backup,
            boolean disabled,
            int maxconn,
            Where where,
            HashKey hashKey,
            String guid) {
        this(
                name,
                host,
                port,
                weight,
                id,
                explicitId,
                check,
                interMs,
                rise,
                fall,
                backup,
                disabled,
                maxconn,
                where,
                hashKey,
                guid,
                0,
                0);
    }

    /** A server with the default {@code hash-key id} and no {@code guid}. */
    public ServerSpec(
            String name,
            String host,
            int port,
            int weight,
            int id,
            boolean explicitId,
            boolean check,
            int interMs,
            int rise,
            int fall,
            boolean backup,
            boolean disabled,
            int maxconn,
            Where where) {
        this(
                name,
                host,
                port,
                weight,
                id,
                explicitId,
                check,
                interMs,
                rise,
                fall,
                backup,
                disabled,
                maxconn,
                where,
                HashKey.ID,
                null);
    }

    /**
     * The backend {@code track} names ({@code track b/s}), or null when it names a server of this
     * server's own backend ({@code track s}) or there is no {@code track}.
     */
    public String trackBackend() {
        int slash = track == null ? -1 : track.indexOf('/');
        return slash < 0 ? null : track.substring(0, slash);
    }

    /** The server {@code track} names, without its backend; null without {@code track}. */
    public String trackServer() {
        return track == null ? null : track.substring(track.indexOf('/') + 1);
    }

    /**
     * The server's IP address as HAProxy's libc resolves {@code host} at start, or null (no host,
     * or a name that does not resolve). E.g. "127.0.0.1" gives 127.0.0.1; "localhost" the
     * resolver's first answer.
     */
    public java.net.InetAddress resolvedAddress() {
        return host == null ? null : Address.resolve(host, null);
    }
}
