package dev.lbkit.episodes.random;

import java.util.List;

/** Builds the small configs episode 05 runs: one frontend, one backend {@code servers}, given balance line and weights. */
public final class RandomConfigs {
    private RandomConfigs() {
    }

    /**
     * A config whose backend {@code servers} uses {@code balanceLine} over servers server1..serverN with
     * these weights. Addresses are placeholders: the harness points bind and servers at its own ports.
     */
    public static String backend(String balanceLine, List<Integer> weights) {
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < weights.size(); i++) {
            servers.append("    server server").append(i + 1).append(" 127.0.0.1:").append(5001 + i)
                    .append(" weight ").append(weights.get(i)).append('\n');
        }
        return """
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s

                frontend http_front
                    bind 127.0.0.1:8080
                    default_backend servers

                backend servers
                    %s
                %s""".formatted(balanceLine, servers);
    }
}
