package dev.lbkit.episodes.leastconn;

import dev.lbkit.harness.DemoRunner;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.TimedDemo;
import dev.lbkit.harness.TimedTraffic;
import java.time.Duration;

/**
 * Episode 02 demo, the article's experiment: app1 and app3 sleep 5 s, app2 answers at once, and a
 * request arrives every 0.6 s. leastconn sends the first request to each server in turn, then sees
 * app1 and app3 busy and sends everything to app2 until a slow request ends. lbkit and HAProxy side
 * by side, request by request.
 */
public final class Demo {
    /** The article's {@code time.sleep(5)} in app1 and app3. */
    private static final Duration ARTICLE_SLEEP = Duration.ofSeconds(5);

    /**
     * 0.6 s between requests: a 5 s answer then ends a third of the way between two arrivals, never
     * together with one, so both balancers see the same order of events.
     */
    private static final long GAP_MS = 600;

    private static final int REQUESTS = 14;

    private Demo() {}

    public static void main(String[] args) throws Exception {
        // snippet:start slow-apps
        SideBySide.Options articleApps =
                SideBySide.Options.exactRun()
                        .withDelay(0, ARTICLE_SLEEP) // server1 -> app1: time.sleep(5)
                        .withDelay(2, ARTICLE_SLEEP); // server3 -> app3: time.sleep(5)
        TimedTraffic traffic =
                TimedTraffic.every(
                        "one GET / every " + GAP_MS + " ms, each on a new connection",
                        REQUESTS,
                        GAP_MS,
                        i -> "/");
        // snippet:end slow-apps
        String config = DemoRunner.episodeConfig("02-leastconn");
        TimedDemo.run(
                "Episode 02 — " + DemoRunner.balancing(config) + " (app1 and app3 sleep 5 s)",
                config,
                articleApps,
                traffic);
    }
}
