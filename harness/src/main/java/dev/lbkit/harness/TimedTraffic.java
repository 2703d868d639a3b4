package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Overlapping requests on a fixed timetable: request i is launched {@code startMs} after the run
 * begins, so the order of every start and every end is known in advance and is the same on both
 * sides. That is what makes leastconn comparable request by request under concurrency: its choice
 * depends on which requests are still in flight, and with starts and ends kept tens of milliseconds
 * apart, scheduling jitter cannot swap two of them.
 *
 * <p>A server holds a request for its replica's delay ({@link SideBySide.Options#withDelay}) or for
 * the request's own {@code ?delay_ms=N}. Pick both so that every end falls between two starts and
 * no two ends fall together (for instance, each slow server ending at its own quarter of a gap):
 * the order of two releases decides which server goes first among equally loaded ones.
 *
 * @param requests the timetable, in launch order
 * @param probes runtime API commands run at fixed times (e.g. {@code show stat} to read who holds a
 *     slot)
 */
public record TimedTraffic(String name, List<TimedRequest> requests, List<Probe> probes) {

    /**
     * One request of the timetable.
     *
     * @param startMs when to send it, counted from the start of the run
     * @param target the request-target, e.g. {@code /} or {@code /?delay_ms=330}
     * @param connection requests naming the same connection share one keep-alive connection (in
     *     launch order; each waits for the previous answer); null opens a new connection, closed
     *     after
     */
    public record TimedRequest(long startMs, String target, String connection) {}

    /**
     * A runtime API command sent to the side under test {@code atMs} after the start of the run.
     */
    public record Probe(long atMs, String command) {}

    public TimedTraffic {
        requests =
                requests.stream().sorted(Comparator.comparingLong(TimedRequest::startMs)).toList();
        probes = List.copyOf(probes);
    }

    /**
     * {@code count} requests, one every {@code gapMs}, each on a new connection, targets built by
     * {@code target}.
     */
    public static TimedTraffic every(
            String name, int count, long gapMs, IntFunction<String> target) {
        List<TimedRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(new TimedRequest(i * gapMs, target.apply(i), null));
        }
        return new TimedTraffic(name, requests, List.of());
    }

    /** The same timetable plus {@code more} requests. */
    public TimedTraffic with(List<TimedRequest> more) {
        List<TimedRequest> all = new ArrayList<>(requests);
        all.addAll(more);
        return new TimedTraffic(name, all, probes);
    }

    /** The same timetable with a runtime API command run at {@code atMs}. */
    public TimedTraffic withProbe(long atMs, String command) {
        List<Probe> more = new ArrayList<>(probes);
        more.add(new Probe(atMs, command));
        more.sort(Comparator.comparingLong(Probe::atMs));
        return new TimedTraffic(name, requests, more);
    }

    /** When the last request starts; a run lasts at least this plus the longest delay. */
    public long lastStartMs() {
        return requests.isEmpty() ? 0 : requests.get(requests.size() - 1).startMs();
    }

    /** The same requests as a plain {@link Traffic}, for {@link Comparison} and {@link Report}. */
    public Traffic asTraffic() {
        return Traffic.of(
                name, requests.size(), i -> Traffic.Request.get(requests.get(i).target()));
    }
}
