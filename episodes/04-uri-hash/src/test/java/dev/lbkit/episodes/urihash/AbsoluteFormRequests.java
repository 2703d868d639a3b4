package dev.lbkit.episodes.urihash;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends absolute-form requests ({@code GET http://127.0.0.1:8080/a/b?x=1}) to both sides with a
 * Host header equal to the URI's authority. The harness's own driver always sends {@code Host:
 * 127.0.0.1:<side's port>}, which would disagree with the authority: HTTP/1.1 says a proxy must
 * then trust the URI, and Jetty refuses the mismatch outright, so the two sides would not be
 * comparable. Both sides get the same bytes, so the hashed key is the same on both.
 */
final class AbsoluteFormRequests {
    private AbsoluteFormRequests() {}

    /**
     * Runs {@code targets} (absolute-form) through both sides of {@code sides} and compares the
     * picks.
     */
    static Comparison run(
            SideBySide sides,
            String title,
            String config,
            List<String> targets,
            String authority,
            boolean keepAlive) {
        Traffic traffic =
                Traffic.of(
                        "absolute-form, Host " + authority,
                        targets.size(),
                        i -> Traffic.Request.get(targets.get(i)));
        if (keepAlive) {
            traffic = traffic.keepAliveConnection();
        }
        CompletableFuture<Picks> onHaproxy =
                CompletableFuture.supplyAsync(
                        () ->
                                drive(
                                        sides.haproxy(),
                                        sides.serverNames(),
                                        targets,
                                        authority,
                                        keepAlive));
        Picks onLbkit = drive(sides.lbkit(), sides.serverNames(), targets, authority, keepAlive);
        return new Comparison(title, config, traffic, onHaproxy.join(), onLbkit);
    }

    /**
     * With {@code keepAlive} every request goes on one connection (reopened only if the server
     * closes it).
     */
    private static Picks drive(
            SideBySide.Endpoint side,
            List<String> serverNames,
            List<String> targets,
            String authority,
            boolean keepAlive) {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", side.port());
        List<String> answers = new ArrayList<>(targets.size());
        try (RawHttpClient client = new RawHttpClient(address, null, 30_000)) {
            for (String target : targets) {
                try {
                    answers.add(
                            servedBy(
                                    client.get(target, authority, List.of(), keepAlive),
                                    serverNames));
                } catch (IOException e) {
                    answers.add("error: " + e.getMessage());
                }
            }
        }
        return new Picks(side.side(), answers);
    }

    /**
     * Replicas answer {@code X-Served-By: appN} for the N-th server line; anything else is shown by
     * status.
     */
    private static String servedBy(RawHttpClient.Response response, List<String> serverNames) {
        String servedBy = response.header("x-served-by");
        if (servedBy != null && servedBy.matches("app\\d+")) {
            int n = Integer.parseInt(servedBy.substring(3));
            if (n >= 1 && n <= serverNames.size()) {
                return serverNames.get(n - 1);
            }
        }
        return String.valueOf(response.status());
    }
}
