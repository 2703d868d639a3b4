package dev.lbkit.episodes.random;

import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The lesson's scenario: three equal servers, server1 answers 300 ms late, 8 clients send 360
 * requests at once. Run with {@code random(1)} (pure random: server1 keeps its ring share, about a
 * third) and {@code random(2)} (two choices: a busy server1 loses every draw against an idle one),
 * on HAProxy and on lbkit, one side after the other so they do not compete for the CPU.
 */
public final class SlowServerScenario {
    public static final String SLOW_SERVER = "server1";
    public static final Duration SLOW_DELAY = Duration.ofMillis(300);
    public static final int CLIENTS = 8;
    public static final int REQUESTS = 360;

    private SlowServerScenario() {}

    /**
     * Both sides' outcome for one draw count; {@code haproxy} is null when the run had no HAProxy.
     */
    public record Result(
            int draws, ConcurrentClients.Outcome haproxy, ConcurrentClients.Outcome lbkit) {

        /** Per-server counts of both sides (or lbkit's alone) as text bars, with timings. */
        public String describe() {
            StringBuilder out = new StringBuilder();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "balance random(%d), %s delayed %d ms, %d clients, %d requests%n",
                            draws,
                            SLOW_SERVER,
                            SLOW_DELAY.toMillis(),
                            CLIENTS,
                            REQUESTS));
            out.append(
                    haproxy == null
                            ? Report.bars("lbkit", lbkit.counts())
                            : Report.bars(haproxy.counts(), lbkit.counts()));
            if (haproxy != null) {
                out.append(timings("HAProxy", haproxy));
            }
            out.append(timings("lbkit", lbkit));
            return out.toString();
        }

        private static String timings(String label, ConcurrentClients.Outcome side) {
            return String.format(
                    Locale.ROOT,
                    "  %-7s %s got %.1f%% of requests, mean answer %.0f ms, all done in %.1f s%n",
                    label,
                    SLOW_SERVER,
                    100 * side.share(SLOW_SERVER),
                    side.meanMillis(),
                    side.wallMillis() / 1000.0);
        }
    }

    /**
     * The HAProxy of this machine (container or binary) as a starter for the demo, or null when
     * there is none.
     */
    public static SideBySide.HaproxyStarter localHaproxy() {
        return HaproxyLocator.find().haproxy().map(SideBySide.HaproxyStarter::of).orElse(null);
    }

    /** The scenario's config: equal weights, {@code balance random(draws)}. */
    public static String config(int draws) {
        return RandomConfigs.backend("balance random(" + draws + ")", List.of(1, 1, 1));
    }

    /**
     * Starts replicas (server1 slow), HAProxy (unless {@code haproxy} is null) and lbkit with
     * {@code nbthread 1}, so each side has exactly one random generator, and drives both in turn.
     */
    public static Result run(int draws, SideBySide.HaproxyStarter haproxy) throws Exception {
        SideBySide.Options options = SideBySide.Options.exactRun().withDelay(0, SLOW_DELAY);
        try (SideBySide sides =
                SideBySide.start(
                        "random(" + draws + ") slow server", config(draws), haproxy, options)) {
            ConcurrentClients.Outcome onHaproxy =
                    sides.haproxy() == null
                            ? null
                            : ConcurrentClients.drive(sides, sides.haproxy(), CLIENTS, REQUESTS);
            ConcurrentClients.Outcome onLbkit =
                    ConcurrentClients.drive(sides, sides.lbkit(), CLIENTS, REQUESTS);
            return new Result(draws, onHaproxy, onLbkit);
        }
    }
}
