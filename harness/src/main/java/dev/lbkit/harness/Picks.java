package dev.lbkit.harness;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which server answered each request of one run on one side, in request order. An answer that did
 * not come from a server is recorded by its status, e.g. {@code 503}.
 *
 * @param side a description of the side that produced them (which HAProxy, or lbkit)
 */
public record Picks(String side, List<String> answers) {
    public Picks {
        answers = List.copyOf(answers);
    }

    /** Answer counts by server (or status), in name order. */
    public Map<String, Integer> distribution() {
        Map<String, Integer> counts = new TreeMap<>();
        answers.forEach(a -> counts.merge(a, 1, Integer::sum));
        return counts;
    }
}
