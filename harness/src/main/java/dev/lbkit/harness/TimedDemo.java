package dev.lbkit.harness;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * What a demo with overlapping requests does: start the replicas, lbkit and — when this machine has
 * one — a real HAProxy, play one {@link TimedTraffic} timetable on both at the same time, and
 * print, request by request, when it was sent, who answered on each side and how long it took.
 */
public final class TimedDemo {
    private TimedDemo() {}

    /**
     * Runs {@code traffic} through lbkit and, if available, HAProxy, and prints the timeline and
     * the distribution.
     */
    public static void run(
            String title, String config, SideBySide.Options options, TimedTraffic traffic)
            throws Exception {
        SideBySide.HaproxyStarter haproxy = DemoRunner.introduce(title);
        System.out.println(
                traffic.requests().size()
                        + " requests ("
                        + traffic.name()
                        + "); please wait about "
                        + (traffic.lastStartMs() / 1000 + 1)
                        + " s plus the slowest answer...");
        try (SideBySide sides = SideBySide.start(title, config, haproxy, options)) {
            // Warm replicas and balancers first, as TimedParity does; 60 sequential requests leave
            // leastconn's order as it was.
            Traffic warmUp =
                    Traffic.of(
                            "warm-up",
                            TimedParity.WARM_UP_REQUESTS,
                            i -> Traffic.Request.get("/?delay_ms=0"));
            if (sides.haproxy() != null) {
                sides.drive(sides.haproxy(), warmUp);
            }
            sides.drive(sides.lbkit(), warmUp);
            CompletableFuture<TimedRun> onHaproxy =
                    sides.haproxy() == null
                            ? CompletableFuture.completedFuture(null)
                            : CompletableFuture.supplyAsync(
                                    () -> timed(sides, sides.haproxy(), traffic));
            TimedRun lbkit = timed(sides, sides.lbkit(), traffic);
            TimedRun other = onHaproxy.join();
            System.out.println();
            System.out.printf(
                    Locale.ROOT, "  %-4s %8s   %-22s %-22s%n", "#", "sent at", "HAProxy", "lbkit");
            for (int i = 0; i < traffic.requests().size(); i++) {
                System.out.printf(
                        Locale.ROOT,
                        "  %-4d %6.1f s   %-22s %-22s%n",
                        i,
                        traffic.requests().get(i).startMs() / 1000.0,
                        other == null ? "-" : answer(other, i),
                        answer(lbkit, i));
            }
            System.out.println();
            if (other != null) {
                System.out.print(
                        Report.sideBySide(
                                new Comparison(
                                        title,
                                        config,
                                        traffic.asTraffic(),
                                        other.picks(),
                                        lbkit.picks())));
            } else {
                System.out.print(Report.bars("lbkit", lbkit.picks().distribution()));
            }
        }
    }

    private static String answer(TimedRun run, int i) {
        long took = run.endedMs().get(i) - run.startedMs().get(i);
        return String.format(
                Locale.ROOT, "%s (%.1f s)", run.picks().answers().get(i), took / 1000.0);
    }

    private static TimedRun timed(
            SideBySide sides, SideBySide.Endpoint side, TimedTraffic traffic) {
        try {
            return ConcurrentDriver.timed(sides, side, traffic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending the demo's requests", e);
        }
    }
}
