package dev.lbkit.harness;

import java.util.List;

/**
 * What one side did with a {@link TimedTraffic}: who answered each request, when each request
 * really started and ended (ms from the start of the run, measured at the client), and the answers
 * of the probes.
 */
public record TimedRun(Picks picks, List<Long> startedMs, List<Long> endedMs, List<String> probeAnswers,
        TimedTraffic traffic) {

    public TimedRun {
        startedMs = List.copyOf(startedMs);
        endedMs = List.copyOf(endedMs);
        probeAnswers = List.copyOf(probeAnswers);
    }

    /** The largest delay between a request's planned start and its real one. */
    public long maxLateStartMs() {
        long late = 0;
        for (int i = 0; i < startedMs.size(); i++) {
            late = Math.max(late, startedMs.get(i) - traffic.requests().get(i).startMs());
        }
        return late;
    }

    /**
     * The closest any request's end came to any planned start (ms); a small value means an end and a
     * start nearly touched and the run may not mean what it was planned to mean.
     */
    public long closestEndToAStartMs() {
        long closest = Long.MAX_VALUE;
        for (long end : endedMs) {
            for (TimedTraffic.TimedRequest r : traffic.requests()) {
                if (end >= 0) {
                    closest = Math.min(closest, Math.abs(end - r.startMs()));
                }
            }
        }
        return closest;
    }

    /** One line per request: planned and real start, end, who answered. */
    public String timeline() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < startedMs.size(); i++) {
            TimedTraffic.TimedRequest r = traffic.requests().get(i);
            out.append(String.format(java.util.Locale.ROOT, "  #%-3d plan %5d ms  sent %5d  answered %5d  %-10s %s%n",
                    i, r.startMs(), startedMs.get(i), endedMs.get(i), picks.answers().get(i), r.target()));
        }
        return out.toString();
    }
}
