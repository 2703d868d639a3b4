package dev.lbkit.harness.haproxy;

import java.nio.file.Path;

/**
 * A real HAProxy that can check and run a configuration: a container or the local binary.
 *
 * <pre>{@code
 * Haproxy haproxy = Haproxy.binary(Path.of("/usr/sbin/haproxy"));
 * try (RunningHaproxy running = haproxy.start(configText)) {
 *     // every "bind" address of the config accepts connections now
 * }
 * }</pre>
 *
 * <p>Tests get one through {@link HaproxyForTests}, which also decides what happens when none is
 * installed; code that wants to choose itself uses {@link HaproxyLocator}.
 */
public interface Haproxy {

    /** How HAProxy is run. */
    enum Kind {
        /**
         * A Testcontainers container (image from {@code haproxy.image}), host-networked or with
         * published ports ({@link ContainerNetwork}).
         */
        CONTAINER,
        /** The {@code haproxy} binary of this machine, run in the foreground. */
        BINARY;

        /** The lower-case name used by {@code -Dlbkit.haproxy=...}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    Kind kind();

    /** The image name (container) or the binary's path. */
    String where();

    /** The version {@code haproxy -v} reports, e.g. {@code 2.6.12-1+deb12u4}. */
    String version();

    /**
     * One line naming kind, image or path, and version, e.g. {@code container local/haproxy:2.6 —
     * HAProxy version 2.6.12-1+deb12u4}.
     */
    default String describe() {
        return kind().id() + " " + where() + " — HAProxy version " + version();
    }

    /**
     * Starts HAProxy with this configuration and returns once every {@code bind} address accepts
     * connections. Fails with HAProxy's own output when it exits or never listens.
     */
    RunningHaproxy start(String configText);

    /** Runs {@code haproxy -c} on this configuration: exit code 0 means valid. */
    CheckResult check(String configText);

    /**
     * {@code haproxy -c} on each configuration, by name; each is checked as a file called {@code
     * <name>} in the current directory, so alerts name {@code <name>:line}.
     */
    default java.util.Map<String, CheckResult> checkEach(
            java.util.Map<String, String> configsByName) {
        java.util.Map<String, CheckResult> results = new java.util.LinkedHashMap<>();
        configsByName.forEach((name, text) -> results.put(name, check(text)));
        return results;
    }

    /**
     * HAProxy in a container of {@code image} (e.g. {@code local/haproxy:2.6}), networked as {@link
     * ContainerNetwork} chooses.
     */
    static Haproxy container(String image) {
        return new ContainerHaproxy(image);
    }

    /** The HAProxy binary at {@code path}. */
    static Haproxy binary(Path path) {
        return new BinaryHaproxy(path);
    }
}
