package dev.lbkit.harness;

import java.util.List;

/**
 * What one side did with a {@link TimedTraffic}: who answered each request, when each request
 * really started and ended (ms from the start of the run, measured at the client), and the answers
 * of the probes.
 */
public record TimedRun(
        Picks picks,
        List<Long> startedMs,
        List<Long> endedMs,
        List<String> probeAnswers,
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
     * Whether request {@code i}'s answer came before request {@code j} was sent, as seen by the
     * client; null when the two were within {@code marginMs} of each other, too close to tell which
     * the balancer saw first (the answer leaves the balancer a little before the client reads it,
     * the request reaches it a little after the client sends it).
     */
    public Boolean answeredBeforeSent(int i, int j, long marginMs) {
        long gap = startedMs.get(j) - endedMs.get(i);
        if (endedMs.get(i) < 0 || Math.abs(gap) < marginMs) {
            return null;
        }
        return gap > 0;
    }

    /**
     * Whether request {@code i} was answered before request {@code other}; null when within {@code
     * marginMs} or unanswered.
     */
    public Boolean answeredBeforeAnswer(int i, int other, long marginMs) {
        long gap = endedMs.get(other) - endedMs.get(i);
        if (endedMs.get(i) < 0 || endedMs.get(other) < 0 || Math.abs(gap) < marginMs) {
            return null;
        }
        return gap > 0;
    }

    /**
     * How long request {@code i} took, from the client's send to its answer (queue wait included),
     * or -1 when it got none.
     */
    public long waitMs(int i) {
        return endedMs.get(i) < 0 ? -1 : endedMs.get(i) - startedMs.get(i);
    }

    /** One line per request: planned and real start, end, who answered. */
    public String timeline() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < startedMs.size(); i++) {
            TimedTraffic.TimedRequest r = traffic.requests().get(i);
            out.append(
                    String.format(
                            java.util.Locale.ROOT,
                            "  #%-3d plan %5d ms  sent %5d  answered %5d  %-10s %s%n",
                            i,
                            r.startMs(),
                            startedMs.get(i),
                            endedMs.get(i),
                            picks.answers().get(i),
                            r.target()));
        }
        return out.toString();
    }
}
