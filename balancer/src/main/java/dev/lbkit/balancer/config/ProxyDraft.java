package dev.lbkit.balancer.config;

import dev.lbkit.balancer.log.LogTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds a proxy (or a defaults section) while it is being read; the result is made of the immutable
 * {@link ProxySection} records.
 */
final class ProxyDraft {
    ProxySection.Kind kind;
    String name;
    Where where;
    boolean isDefaults;
    Mode mode = Mode.TCP;
    final List<Bind> binds = new ArrayList<>();
    String defaultBackend;
    Balance balance;
    HashType hashType = HashType.defaults();
    final List<ServerDraft> servers = new ArrayList<>();
    long connectMs;
    long clientMs;
    long serverMs;
    long checkMs;
    long queueMs;
    int retries = 3;

    /** {@code option redispatch [N]}: on or off, and its interval (-1 when none is written). */
    boolean redispatch;

    int redispatchEvery;

    /** {@code [no] option abortonclose}; null when neither was written (the line's default). */
    Boolean abortOnClose;

    ForwardFor forwardFor;
    HttpCheck httpCheck;

    /** The {@code http-check} lines in effect: this section's, else those of its defaults. */
    HttpCheck.Rules httpCheckRules;

    /** Whether {@code option httpchk} was written in this section (not inherited). */
    boolean httpCheckOwn;

    /** Whether {@link #httpCheckRules} were written in this section (not inherited). */
    boolean httpCheckRulesOwn;

    boolean allBackups;
    int hashBalanceFactor;

    /** The {@code cookie} line, or {@link CookiePersistence#NONE}. */
    CookiePersistence cookie = CookiePersistence.NONE;

    /** {@code option persist}. */
    boolean persist;

    /** {@code hash-preserve-affinity} (3.2+), or null when not set. */
    String hashPreserveAffinity;

    HttpReuse httpReuse = HttpReuse.SAFE;
    ServerOptions defaultServer = new ServerOptions();

    /** The {@code acl} lines read so far, by name; a rule can only use ACLs declared above it. */
    final java.util.Map<String, List<AclTest>> acls = new java.util.LinkedHashMap<>();

    final List<UseBackend> useBackends = new ArrayList<>();

    /**
     * The {@code stats} lines read so far (inherited from defaults), or null when there are none.
     */
    OperatorPagesReader.StatsDraft stats;

    /** {@code http-request use-service} rules, in file order. */
    final List<ServiceRule> services = new ArrayList<>();

    /** The {@code log} lines, in order; a null entry stands for {@code log global}. */
    List<LogTarget> logTargets = new ArrayList<>();

    /** The line format ({@code log-format} or one of the {@code option} formats), or null. */
    String logFormat;

    /** Where {@link #logFormat} was set, for the alert when it cannot be read. */
    Where logFormatWhere;

    boolean dontLogNull;

    boolean hasFrontend() {
        return isDefaults || kind != ProxySection.Kind.BACKEND;
    }

    boolean hasBackend() {
        return isDefaults || kind != ProxySection.Kind.FRONTEND;
    }

    /** What HAProxy calls this proxy in messages: frontend, backend, or proxy for a listen. */
    String typeWord() {
        if (isDefaults) {
            return "defaults";
        }
        return switch (kind) {
            case FRONTEND -> "frontend";
            case BACKEND -> "backend";
            case LISTEN -> "proxy";
        };
    }

    void inherit(ProxyDraft defaults) {
        mode = defaults.mode;
        defaultBackend = defaults.defaultBackend;
        balance = defaults.balance;
        hashType = defaults.hashType;
        connectMs = defaults.connectMs;
        clientMs = defaults.clientMs;
        serverMs = defaults.serverMs;
        checkMs = defaults.checkMs;
        queueMs = defaults.queueMs;
        retries = defaults.retries;
        redispatch = defaults.redispatch;
        redispatchEvery = defaults.redispatchEvery;
        abortOnClose = defaults.abortOnClose;
        forwardFor = defaults.forwardFor;
        httpCheck = defaults.httpCheck;
        httpCheckRules = defaults.httpCheckRules;
        allBackups = defaults.allBackups;
        cookie = defaults.cookie;
        persist = defaults.persist;
        httpReuse = defaults.httpReuse;
        hashBalanceFactor = defaults.hashBalanceFactor;
        hashPreserveAffinity = defaults.hashPreserveAffinity;
        defaultServer = defaults.defaultServer.copy();
        stats = defaults.stats != null ? defaults.stats.copy() : null;
        logTargets = new ArrayList<>(defaults.logTargets);
        logFormat = defaults.logFormat;
        logFormatWhere = defaults.logFormatWhere;
        dontLogNull = defaults.dontLogNull;
    }

    /** The section keyword of this proxy: frontend, backend or listen. */
    String sectionName() {
        return switch (kind) {
            case FRONTEND -> "frontend";
            case BACKEND -> "backend";
            case LISTEN -> "listen";
        };
    }
}
