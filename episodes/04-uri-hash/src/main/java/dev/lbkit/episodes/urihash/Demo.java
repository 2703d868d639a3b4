package dev.lbkit.episodes.urihash;

import dev.lbkit.harness.DemoRunner;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.util.List;

/**
 * Episode 04 demo: the article's {@code balance uri} + {@code hash-type consistent} config, lbkit and
 * HAProxy side by side. 40 distinct URIs are sent twice with server2 disabled in between: the second
 * round shows that every URI that was not on server2 stays where it was, and the same on both sides.
 */
public final class Demo {
    private static final int URIS = 40;

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        List<String> uris = UriCorpus.originForm(URIS, 20260404L);
        Traffic traffic = Traffic.of(URIS + " distinct URIs, then the same " + URIS + " with server2 disabled",
                        2 * URIS, i -> Traffic.Request.get(uris.get(i % URIS)))
                .withEvent(URIS, "disable server servers/server2");
        System.out.println("First URIs: " + String.join("  ", uris.subList(0, 8)) + " ...");
        DemoRunner.run("Episode 04 — balance uri, hash-type consistent", DemoRunner.episodeConfig("04-uri-hash"),
                SideBySide.Options.exactRun(), traffic);
    }
}
