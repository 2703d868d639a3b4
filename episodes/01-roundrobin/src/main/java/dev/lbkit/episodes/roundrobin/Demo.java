package dev.lbkit.episodes.roundrobin;

import dev.lbkit.harness.DemoRunner;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;

/**
 * Episode 01 demo: the article-style config, 60 requests, lbkit and HAProxy side by side. Halfway
 * through, server2 is disabled through the runtime API, and enabled again later, to show that both
 * balancers skip it and bring it back at the same request.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        Traffic traffic =
                Traffic.sequential(
                                "new connection each; server2 disabled at #30, enabled at #45", 60)
                        .withEvent(30, "disable server servers/server2")
                        .withEvent(45, "enable server servers/server2");
        String config = DemoRunner.episodeConfig("01-roundrobin");
        DemoRunner.run(
                "Episode 01 — " + DemoRunner.balancing(config),
                config,
                SideBySide.Options.exactRun(),
                traffic);
    }
}
