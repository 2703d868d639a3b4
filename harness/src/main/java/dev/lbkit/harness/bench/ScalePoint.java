package dev.lbkit.harness.bench;

import java.util.List;
import java.util.Locale;

/**
 * One point of the benchmark's scale: how many client connections, how many servers in the backend,
 * how big an answer, and whether the client keeps its connection or opens a new one per request.
 *
 * @param connections wrk's {@code -c}
 * @param servers servers in the backend, each on its own port
 * @param bodyBytes the size of every answer's body
 * @param keepAlive false: wrk sends {@code Connection: close}, so every request comes on a new
 *     client connection
 */
record ScalePoint(int connections, int servers, int bodyBytes, boolean keepAlive) {
    static final int KB = 1024;
    static final int MB = 1024 * 1024;

    /**
     * The matrix {@code --matrix} runs: connections 1 to 1024 at 3 servers, 1 KB and keep-alive;
     * then, at 64 connections, one thing changed at a time (servers, body, a new connection per
     * request).
     */
    static List<ScalePoint> matrix() {
        return List.of(
                new ScalePoint(1, 3, KB, true),
                new ScalePoint(64, 3, KB, true),
                new ScalePoint(256, 3, KB, true),
                new ScalePoint(1024, 3, KB, true),
                new ScalePoint(64, 100, KB, true),
                new ScalePoint(64, 1000, KB, true),
                new ScalePoint(64, 3, 100 * KB, true),
                new ScalePoint(64, 3, 10 * MB, true),
                new ScalePoint(64, 3, KB, false));
    }

    /** "c=64, 3 servers, 1 KB, keep-alive". */
    String label() {
        return "c="
                + connections
                + ", "
                + servers
                + (servers == 1 ? " server, " : " servers, ")
                + size(bodyBytes)
                + ", "
                + (keepAlive ? "keep-alive" : "new connection per request");
    }

    /** The backend this point runs on, for the kind the user chose. */
    BackendKind backend(BackendKind chosen) {
        if (chosen != BackendKind.AUTO) {
            return chosen;
        }
        return bodyBytes > BenchConfigs.HAPROXY_RETURN_AUTO_LIMIT
                ? BackendKind.NGINX
                : BackendKind.HAPROXY;
    }

    /**
     * wrk's {@code --timeout}: 5 s, or 30 s for bodies of a megabyte and more, where one answer
     * alone takes tens of milliseconds and 64 of them share the loopback.
     */
    int wrkTimeoutSeconds() {
        return bodyBytes >= MB ? 30 : 5;
    }

    /** The file descriptors one proxy may need at this point: both sides of every connection. */
    int descriptorsPerProxy() {
        return 2 * connections + servers + 64;
    }

    /** "1 KB", "100 KB", "10 MB", "512 B". */
    static String size(int bytes) {
        if (bytes >= MB && bytes % MB == 0) {
            return bytes / MB + " MB";
        }
        if (bytes >= KB && bytes % KB == 0) {
            return bytes / KB + " KB";
        }
        return bytes + " B";
    }

    /**
     * Reads {@code 1k}, {@code 100K}, {@code 10m}, {@code 512} (bytes; k and m are 1024 and 1024²).
     *
     * @throws IllegalArgumentException naming the option and what it takes
     */
    static int parseSize(String option, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int unit = 1;
        if (v.endsWith("k") || v.endsWith("m")) {
            unit = v.endsWith("k") ? KB : MB;
            v = v.substring(0, v.length() - 1);
        }
        try {
            long bytes = Long.parseLong(v) * unit;
            if (bytes > 0 && bytes <= 256L * MB) {
                return (int) bytes;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException(
                option
                        + " takes a size from 1 to 256m such as 1k, 100k or 10m, got '"
                        + value
                        + "'.");
    }

    /** Which program answers as the backend servers. */
    enum BackendKind {
        /** HAProxy's {@code http-request return} up to 1 MB bodies, nginx above. */
        AUTO,
        HAPROXY,
        NGINX;

        String display() {
            return this == NGINX ? "nginx" : "HAProxy return";
        }
    }
}
