package dev.lbkit.episodes.weighted;

import dev.lbkit.harness.DemoRunner;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;

/**
 * Episode 06 demo: the article's weights 2/1/3 through lbkit and HAProxy side by side (60 requests:
 * 20/10/30), then the same config with runtime weight changes, then the order four weighted round
 * robins give those weights (HAProxy roundrobin and static-rr, nginx smooth WRR, LVS interleaved
 * WRR).
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        String config = DemoRunner.episodeConfig("06-weighted");
        DemoRunner.run(
                "Episode 06 — weights 2/1/3 (the article's claim: server3 = 3 x server2, server1 = 2 x server2)",
                config,
                SideBySide.Options.exactRun(),
                Traffic.sequential("new connection each", 60));

        System.out.println();
        Traffic changes =
                Traffic.sequential(
                                "server2 weight 3 at #24, server3 weight 200% at #36, server1 0% at #48",
                                60)
                        .withEvent(24, "set server servers/server2 weight 3")
                        .withEvent(36, "set server servers/server3 weight 200%")
                        .withEvent(48, "set server servers/server1 weight 0%");
        DemoRunner.run(
                "Episode 06 — runtime weight changes (set server servers/serverN weight N | N%)",
                config, SideBySide.Options.exactRun(), changes);

        System.out.println();
        System.out.println(
                "== Same weights, four weighted round robins (s1..s3 = server1..server3)");
        System.out.print(Orders.table(60, 12, 2, 2, 1, 3));
        System.out.print(Orders.table(70, 14, 2, 5, 1, 1));
    }
}
