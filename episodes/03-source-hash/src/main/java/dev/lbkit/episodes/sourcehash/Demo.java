package dev.lbkit.episodes.sourcehash;

import dev.lbkit.harness.DemoRunner;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import java.util.List;

/**
 * Episode 03 demo: the article's {@code balance source} + {@code hash-type consistent} config, 300
 * clients each calling from its own 127.0.x.y address, then server2 disabled through the runtime
 * API and the same 300 again: who moved, on lbkit and (when this machine has one) on HAProxy.
 */
public final class Demo {
    private static final int CLIENTS = 300;

    private Demo() {}

    public static void main(String[] args) throws Exception {
        Traffic traffic =
                Clients.rounds(
                                CLIENTS + " clients, 127.0.1.1 to 127.0.2.50",
                                Clients.addresses(CLIENTS),
                                2)
                        .withEvent(CLIENTS, "disable server servers/server2");
        HaproxyLocator.Lookup lookup = HaproxyLocator.find();
        SideBySide.HaproxyStarter haproxy =
                lookup.haproxy().map(SideBySide.HaproxyStarter::of).orElse(null);
        String config = DemoRunner.episodeConfig("03-source-hash");
        System.out.println("== Episode 03 — " + DemoRunner.balancing(config));
        System.out.println(
                haproxy == null
                        ? "No HAProxy here (" + lookup.missing() + "): lbkit alone."
                        : "Side by side with " + haproxy.describe());
        try (SideBySide sides =
                SideBySide.start("episode 03", config, haproxy, SideBySide.Options.exactRun())) {
            Picks lbkit = ParallelClients.drive(sides.lbkit(), sides.serverNames(), traffic, 4);
            Picks onHaproxy =
                    haproxy == null
                            ? null
                            : ParallelClients.drive(
                                    sides.haproxy(), sides.serverNames(), traffic, 4);
            for (Picks picks : onHaproxy == null ? List.of(lbkit) : List.of(onHaproxy, lbkit)) {
                List<String> before = Clients.round(picks, CLIENTS, 0);
                List<String> after = Clients.round(picks, CLIENTS, 1);
                long onServer2 = before.stream().filter("server2"::equals).count();
                System.out.printf(
                        "%n%s%n%s",
                        picks.side(),
                        Report.bars("clients", new Picks(picks.side(), before).distribution()));
                System.out.printf(
                        "  server2 disabled: its %d clients moved; %d of the other %d moved too%n",
                        onServer2,
                        Clients.movedNeedlessly(before, after, "server2"),
                        CLIENTS - onServer2);
            }
            if (onHaproxy != null) {
                long same =
                        java.util.stream.IntStream.range(0, lbkit.answers().size())
                                .filter(
                                        i ->
                                                lbkit.answers()
                                                        .get(i)
                                                        .equals(onHaproxy.answers().get(i)))
                                .count();
                System.out.printf(
                        "%nSame server on both sides: %d/%d requests%n",
                        same, lbkit.answers().size());
            }
        }
    }
}
