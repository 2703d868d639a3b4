package dev.lbkit.balancer.config;

import dev.lbkit.balancer.log.LogSettings;
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
 * @param forwardFor {@code option forwardfor}, or null when off
 * @param httpCheck {@code option httpchk}, or null for TCP-connect checks
 * @param hashBalanceFactor {@code hash-balance-factor}, 0 = off
 * @param httpReuse {@code http-reuse}, HAProxy's default {@code safe} when absent
 * @param useBackends the {@code use_backend} rules (frontend and listen), in file order
 * @param operatorPages the statistics page and {@code use-service} rules it serves itself
 * @param log the access log of a frontend: targets and format ({@link LogSettings#OFF} when it logs
 *     nothing)
 * @param redispatch {@code option redispatch} is on. As HAProxy 2.6, whatever its interval: {@code
 *     option redispatch 0} still moves a retry off a server that went down, every retry of an
 *     algorithm that does not hash, and a request whose cookie names a server with a full queue;
 *     from 3.0, {@code option redispatch 0} turns the option off
 * @param redispatchEvery the option's interval for a hashing algorithm's retries: 0 when the option
 *     is off or written with 0, -1 (the default) redispatches on the last retry, -N on the Nth
 *     retry before the last, N on every Nth retry
 * @param abortOnClose {@code option abortonclose} (a backend's): a request whose client closes its
 *     side before the server's answer begins is dropped; off by default up to 3.2, on from 3.4
 * @param cookie the backend's {@code cookie} line and its servers' values ({@link
 *     CookiePersistence#NONE} when there is none)
 */
public record ProxySection(
        Kind kind,
        String name,
        Where where,
        Mode mode,
        List<Bind> binds,
        String defaultBackend,
        Balance balance,
        HashType hashType,
        List<ServerSpec> servers,
        Timeouts timeouts,
        int retries,
        boolean redispatch,
        int redispatchEvery,
        ForwardFor forwardFor,
        HttpCheck httpCheck,
        boolean allBackups,
        int hashBalanceFactor,
        HttpReuse httpReuse,
        List<UseBackend> useBackends,
        OperatorPages operatorPages,
        LogSettings log,
        boolean abortOnClose,
        CookiePersistence cookie) {

    public enum Kind {
        FRONTEND,
        BACKEND,
        LISTEN
    }

    /** A section without {@code use_backend} rules, operator pages or an access log. */
    public ProxySection(
            Kind kind,
            String name,
            Where where,
            Mode mode,
            List<Bind> binds,
            String defaultBackend,
            Balance balance,
            HashType hashType,
            List<ServerSpec> servers,
            Timeouts timeouts,
            int retries,
            boolean redispatch,
            ForwardFor forwardFor,
            HttpCheck httpCheck,
            boolean allBackups,
            int hashBalanceFactor,
            HttpReuse httpReuse) {
        this(
                kind,
                name,
                where,
                mode,
                binds,
                defaultBackend,
                balance,
                hashType,
                servers,
                timeouts,
                retries,
                redispatch,
                redispatch ? -1 : 0,
                forwardFor,
                httpCheck,
                allBackups,
                hashBalanceFactor,
                httpReuse,
                List.of(),
                OperatorPages.NONE,
                LogSettings.OFF,
                false,
                CookiePersistence.NONE);
    }

    /** A section with HAProxy's default {@code http-reuse safe}. */
    public ProxySection(
            Kind kind,
            String name,
            Where where,
            Mode mode,
            List<Bind> binds,
            String defaultBackend,
            Balance balance,
            HashType hashType,
            List<ServerSpec> servers,
            Timeouts timeouts,
            int retries,
            boolean redispatch,
            ForwardFor forwardFor,
            HttpCheck httpCheck,
            boolean allBackups,
            int hashBalanceFactor) {
        this(
                kind,
                name,
                where,
                mode,
                binds,
                defaultBackend,
                balance,
                hashType,
                servers,
                timeouts,
                retries,
                redispatch,
                forwardFor,
                httpCheck,
                allBackups,
                hashBalanceFactor,
                HttpReuse.SAFE);
    }

    public ProxySection {
        binds = List.copyOf(binds);
        servers = List.copyOf(servers);
        useBackends = List.copyOf(useBackends);
        operatorPages = operatorPages == null ? OperatorPages.NONE : operatorPages;
        log = log == null ? LogSettings.OFF : log;
        cookie = cookie == null ? CookiePersistence.NONE : cookie;
    }

    public boolean hasFrontend() {
        return kind != Kind.BACKEND;
    }

    public boolean hasBackend() {
        return kind != Kind.FRONTEND;
    }
}
