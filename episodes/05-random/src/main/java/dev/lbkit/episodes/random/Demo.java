package dev.lbkit.episodes.random;

import dev.lbkit.harness.DemoRunner;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;

/**
 * Episode 05 demo, in two parts. First the article's config ({@code balance random(2)}) with {@code
 * nbthread 1}: 300 requests one after the other pick the same server on lbkit and HAProxy, because
 * both draw from the same seeded generator. Then the reason two choices exist: server1 made 300 ms
 * slow, 8 concurrent clients, {@code random(1)} against {@code random(2)}.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        String config = DemoRunner.episodeConfig("05-random");
        DemoRunner.run(
                "Episode 05 — "
                        + DemoRunner.balancing(config)
                        + ", nbthread 1, one request at a time",
                config,
                SideBySide.Options.exactRun(),
                Traffic.sequential("new connection each", 300));

        System.out.println();
        System.out.println("== One slow server under concurrency: pure random against two choices");
        SideBySide.HaproxyStarter haproxy = SlowServerScenario.localHaproxy();
        for (int draws = 1; draws <= 2; draws++) {
            SlowServerScenario.Result result = SlowServerScenario.run(draws, haproxy);
            System.out.println();
            System.out.print(result.describe());
        }
        System.out.println();
        System.out.println(
                "random(1) ignores load: server1 keeps its ring share and clients wait for it.");
        System.out.println(
                "random(2) draws twice and keeps the server with fewer requests in flight:");
        System.out.println("a busy server1 loses most draws, so fewer requests wait 300 ms.");
    }
}
