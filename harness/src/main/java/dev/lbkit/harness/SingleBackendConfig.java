package dev.lbkit.harness;

import java.util.List;

/**
 * The small config most parity runs need: defaults for {@code mode http}, one frontend on
 * 127.0.0.1:8080 and one backend whose servers are named {@code <prefix>1..N} with the given
 * weights. Addresses are placeholders: {@link SideBySide} points the bind and the servers at its
 * own ports.
 *
 * @param backend the backend's name, as runtime API commands address it ({@code disable server
 *     be/s1})
 * @param serverPrefix server names are this plus 1..N, e.g. {@code s} or {@code server}
 * @param balanceLines the {@code balance} line and any {@code hash-type} line, as written (lines
 *     after the first indented by four spaces)
 * @param extras words appended to each server line by position (e.g. {@code id 30}, {@code
 *     backup}); may be shorter
 */
public record SingleBackendConfig(
        String backend,
        String serverPrefix,
        String balanceLines,
        List<Integer> weights,
        List<String> extras) {

    public SingleBackendConfig {
        weights = List.copyOf(weights);
        extras = List.copyOf(extras);
    }

    /** Backend {@code be}, servers {@code s1..sN}, no extras. */
    public static SingleBackendConfig of(String balanceLines, List<Integer> weights) {
        return new SingleBackendConfig("be", "s", balanceLines, weights, List.of());
    }

    /** The server names, in declaration order. */
    public List<String> serverNames() {
        return java.util.stream.IntStream.rangeClosed(1, weights.size())
                .mapToObj(i -> serverPrefix + i)
                .toList();
    }

    /** The config text, from {@code defaults} on. */
    public String text() {
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < weights.size(); i++) {
            servers.append("    server ")
                    .append(serverPrefix)
                    .append(i + 1)
                    .append(" 127.0.0.1:")
                    .append(9001 + i)
                    .append(" weight ")
                    .append(weights.get(i));
            if (i < extras.size() && !extras.get(i).isBlank()) {
                servers.append(' ').append(extras.get(i));
            }
            servers.append('\n');
        }
        return """
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s

                frontend fe
                    bind 127.0.0.1:8080
                    default_backend %s

                backend %s
                    %s
                %s"""
                .formatted(backend, backend, balanceLines, servers);
    }
}
