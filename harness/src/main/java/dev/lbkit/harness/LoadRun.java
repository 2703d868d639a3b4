package dev.lbkit.harness;

/**
 * What one side did with a {@link ConcurrentLoad}: who answered each request, and how long it all
 * took.
 */
public record LoadRun(ConcurrentLoad load, Picks picks, long elapsedMs) {

    /** Requests per second over the whole run. */
    public double throughput() {
        return picks.answers().size() * 1000.0 / Math.max(1, elapsedMs);
    }
}
