package dev.lbkit.balancer.config;

/** Holds one {@code server} line as read, before ids are assigned and addresses resolved. */
record ServerDraft(
        String name,
        String host,
        int port,
        ServerOptions options,
        Integer explicitId,
        Where where,
        String guid) {}
