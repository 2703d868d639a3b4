package dev.lbkit.balancer.config;

import java.util.List;
import java.util.Optional;

/**
 * One parsed haproxy.cfg: the global section and every proxy (frontend, backend, listen) in file
 * order, with {@code defaults} already applied. A {@code listen} section appears once, with both
 * its binds and its servers. Warnings are the lines that were accepted but do nothing in lbkit. The
 * HAProxy line is the one whose rules read the file and whose algorithms lbkit runs.
 */
public record Config(
        Global global, List<ProxySection> proxies, List<String> warnings, HaproxyLine line) {

    public Config {
        proxies = List.copyOf(proxies);
        warnings = List.copyOf(warnings);
    }

    /** A config read as {@link HaproxyLine#DEFAULT} reads it. */
    public Config(Global global, List<ProxySection> proxies, List<String> warnings) {
        this(global, proxies, warnings, HaproxyLine.DEFAULT);
    }

    /**
     * The proxy that serves as a backend under this name (a {@code backend} or a {@code listen}).
     */
    public Optional<ProxySection> backend(String name) {
        return proxies.stream().filter(p -> p.hasBackend() && p.name().equals(name)).findFirst();
    }

    /** Proxies that accept traffic (a {@code frontend} or a {@code listen}). */
    public List<ProxySection> frontends() {
        return proxies.stream().filter(ProxySection::hasFrontend).toList();
    }
}
