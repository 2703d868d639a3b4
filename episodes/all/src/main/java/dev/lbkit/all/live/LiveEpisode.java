package dev.lbkit.all.live;

import dev.lbkit.episodes.sourcehash.Clients;
import dev.lbkit.episodes.urihash.UriCorpus;
import dev.lbkit.harness.DemoRunner;
import dev.lbkit.harness.Traffic;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * What the live view runs for one episode: its folder (for {@code haproxy.cfg}), a title, the
 * request the n-th live request is (a client address for {@code source}, a URI for {@code uri},
 * plain {@code GET /} otherwise) and the replicas' delays at the start (episode 02's two slow
 * apps).
 *
 * @param folder e.g. {@code 01-roundrobin}
 * @param title the page's heading
 * @param request the n-th request, from 0
 * @param delays a replica delay at the start, by server index
 * @param rate requests per second at the start of {@code ./lbkit demo N --web}
 */
record LiveEpisode(
        String folder,
        String title,
        LongFunction<Traffic.Request> request,
        Map<Integer, Duration> delays,
        double rate) {

    /**
     * Episode 02's slow apps, as its demo has them, with a delay that suits the live view's rates.
     */
    private static final Duration SLOW = Duration.ofMillis(2650);

    /** Clients episode 03 cycles through: 127.0.1.1 to 127.0.1.40, each on its own connection. */
    private static final List<InetAddress> CLIENTS = Clients.addresses(40);

    /** The URIs episode 04 cycles through (its demo's corpus). */
    private static final List<String> URIS = UriCorpus.originForm(40, 20260404L);

    /** The episode named by number or name, as {@code ./lbkit demo} accepts them. */
    static LiveEpisode named(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "1", "01", "roundrobin", "01-roundrobin" ->
                    plain("01-roundrobin", "Episode 01 — balance roundrobin");
            // 2.65 s, not a round number: at 1 to 10 requests per second a slow answer then never
            // ends
            // as the next request arrives, where the two balancers could see different in-flight
            // counts.
            case "2", "02", "leastconn", "02-leastconn" ->
                    new LiveEpisode(
                            "02-leastconn",
                            "Episode 02 — balance leastconn (app1 and app3 start slow: 2.65 s)",
                            i -> Traffic.Request.get("/"),
                            Map.of(0, SLOW, 2, SLOW),
                            2);
            case "3", "03", "source-hash", "03-source-hash" ->
                    new LiveEpisode(
                            "03-source-hash",
                            "Episode 03 — balance source, hash-type consistent (40 clients, 127.0.1.1 to 127.0.1.40)",
                            i ->
                                    new Traffic.Request(
                                            "/",
                                            CLIENTS.get((int) (i % CLIENTS.size())),
                                            List.of()),
                            Map.of(),
                            2);
            case "4", "04", "uri-hash", "04-uri-hash" ->
                    new LiveEpisode(
                            "04-uri-hash",
                            "Episode 04 — balance uri, hash-type consistent (40 URIs)",
                            i -> Traffic.Request.get(URIS.get((int) (i % URIS.size()))),
                            Map.of(),
                            2);
            case "5", "05", "random", "05-random" ->
                    plain("05-random", "Episode 05 — balance random(2), nbthread 1");
            case "6", "06", "weighted", "06-weighted" ->
                    plain("06-weighted", "Episode 06 — weights 2/1/3");
            default ->
                    throw new IllegalArgumentException(
                            "unknown episode '"
                                    + name
                                    + "'. Pick 1-6 or roundrobin, leastconn, source-hash, uri-hash, random, weighted.");
        };
    }

    /**
     * The episode's {@code haproxy.cfg}: from the repository root ({@code ./lbkit}), from {@code
     * episodes/all} (its tests), else where the demos look ({@link DemoRunner#episodeConfig}).
     */
    String config() throws IOException {
        for (Path p :
                List.of(
                        Path.of("episodes", folder, "haproxy.cfg"),
                        Path.of("..", folder, "haproxy.cfg"))) {
            if (Files.isRegularFile(p)) {
                return Files.readString(p);
            }
        }
        return DemoRunner.episodeConfig(folder);
    }

    private static LiveEpisode plain(String folder, String title) {
        return new LiveEpisode(folder, title, i -> Traffic.Request.get("/"), Map.of(), 2);
    }
}
