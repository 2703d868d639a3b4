package dev.lbkit.episodes.urihash;

import dev.lbkit.harness.DemoRunner;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.util.List;

/**
 * Episode 04 demo: the article's {@code balance uri} + {@code hash-type consistent} config. 40
 * distinct URIs are sent, then sent again with server2 disabled; for each URI it prints where it
 * went before and after, on HAProxy (when this machine has one) and on lbkit. Only server2's URIs
 * move.
 */
public final class Demo {
    private static final int URIS = 40;

    private Demo() {}

    public static void main(String[] args) throws Exception {
        List<String> uris = UriCorpus.originForm(URIS, 20260404L);
        Traffic traffic =
                Traffic.of(
                                "40 URIs, then again with server2 disabled",
                                2 * URIS,
                                i -> Traffic.Request.get(uris.get(i % URIS)))
                        .withEvent(URIS, "disable server servers/server2");
        SideBySide.HaproxyStarter starter = SideBySide.HaproxyStarter.onThisMachine();
        String config = DemoRunner.episodeConfig("04-uri-hash");
        System.out.println(
                "== Episode 04 — "
                        + DemoRunner.balancing(config)
                        + "; "
                        + (starter == null
                                ? "no HAProxy found, lbkit alone"
                                : "side by side with " + starter.describe()));
        try (SideBySide sides =
                SideBySide.start("episode 04", config, starter, SideBySide.Options.exactRun())) {
            Picks lbkit = sides.drive(sides.lbkit(), traffic);
            // Without a HAProxy the lbkit column is all there is; the "moved" count is then
            // lbkit's.
            Picks haproxy = starter == null ? null : sides.drive(sides.haproxy(), traffic);
            Picks reference = haproxy == null ? lbkit : haproxy;
            System.out.printf(
                    "%n%-30s %-24s %-24s%n",
                    "URI", "HAProxy: up -> s2 DOWN", "lbkit: up -> s2 DOWN");
            int moved = 0;
            int movedFromOthers = 0;
            for (int i = 0; i < URIS; i++) {
                String before = reference.answers().get(i);
                boolean stays = before.equals(reference.answers().get(URIS + i));
                moved += stays ? 0 : 1;
                movedFromOthers += stays || before.equals("server2") ? 0 : 1;
                System.out.printf(
                        "%-30s %-24s %-24s%s%n",
                        shortened(uris.get(i)),
                        haproxy == null ? "-" : transition(haproxy, i),
                        transition(lbkit, i),
                        stays ? "" : "  moved");
            }
            System.out.printf(
                    "%n%d of %d URIs moved; %d of them had not been on server2.%n%n",
                    moved, URIS, movedFromOthers);
            if (haproxy != null) {
                System.out.print(Report.bars(haproxy.distribution(), lbkit.distribution()));
                System.out.println(
                        haproxy.answers().equals(lbkit.answers())
                                ? "\nSame server on both sides for all "
                                        + lbkit.answers().size()
                                        + " requests."
                                : "\nThe two sides differ: run the parity test (./mvnw test -pl episodes/04-uri-hash -am).");
            }
        }
    }

    private static String shortened(String uri) {
        return uri.length() <= 30 ? uri : uri.substring(0, 27) + "...";
    }

    private static String transition(Picks picks, int uri) {
        return picks.answers().get(uri) + " -> " + picks.answers().get(URIS + uri);
    }
}
