package dev.lbkit.balancer.config;

import java.util.List;

/**
 * A {@code frontend}, {@code backend} or {@code listen} section, with {@code defaults} applied.
 *
 * @param kind which of the three it is
 * @param binds the {@code bind} lines (frontend and listen)
 * @param defaultBackend the {@code default_backend} (frontend and listen), or null
 * @param balance the {@code balance} line, or HAProxy's default (roundrobin)
 * @param hashType the {@code hash-type} line, or its defaults
 * @param servers the {@code server} lines in declaration order, ids resolved
 * @param httpCheck {@code option httpchk}, or null for TCP-connect checks
 * @param hashBalanceFactor {@code hash-balance-factor}, 0 = off
 * @param httpReuse {@code http-reuse}, HAProxy's default {@code safe} when absent
 * @param operatorPages the statistics page and {@code use-service} rules it serves itself
 */
public record ProxySection(Kind kind, String name, Where where, Mode mode, List<Bind> binds, String defaultBackend,
                           Balance balance, HashType hashType, List<ServerSpec> servers, Timeouts timeouts,
                           int retries, boolean redispatch, boolean forwardFor, HttpCheck httpCheck,
                           boolean allBackups, int hashBalanceFactor, HttpReuse httpReuse,
                           OperatorPages operatorPages) {

    public enum Kind { FRONTEND, BACKEND, LISTEN }

    /** A section with HAProxy's default {@code http-reuse safe}. */
    public ProxySection(Kind kind, String name, Where where, Mode mode, List<Bind> binds, String defaultBackend,
                        Balance balance, HashType hashType, List<ServerSpec> servers, Timeouts timeouts,
                        int retries, boolean redispatch, boolean forwardFor, HttpCheck httpCheck,
                        boolean allBackups, int hashBalanceFactor) {
        this(kind, name, where, mode, binds, defaultBackend, balance, hashType, servers, timeouts, retries, redispatch,
                forwardFor, httpCheck, allBackups, hashBalanceFactor, HttpReuse.SAFE);
    }

    /** A section that serves no operator pages. */
    public ProxySection(Kind kind, String name, Where where, Mode mode, List<Bind> binds, String defaultBackend,
                        Balance balance, HashType hashType, List<ServerSpec> servers, Timeouts timeouts,
                        int retries, boolean redispatch, boolean forwardFor, HttpCheck httpCheck,
                        boolean allBackups, int hashBalanceFactor, HttpReuse httpReuse) {
        this(kind, name, where, mode, binds, defaultBackend, balance, hashType, servers, timeouts, retries, redispatch,
                forwardFor, httpCheck, allBackups, hashBalanceFactor, httpReuse, OperatorPages.NONE);
    }

    public ProxySection {
        binds = List.copyOf(binds);
        servers = List.copyOf(servers);
        operatorPages = operatorPages == null ? OperatorPages.NONE : operatorPages;
    }

    public boolean hasFrontend() {
        return kind != Kind.BACKEND;
    }

    public boolean hasBackend() {
        return kind != Kind.FRONTEND;
    }
}
