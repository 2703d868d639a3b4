package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * The exact, request-by-request comparison of two runs of the same traffic. It reports the first
 * request where the two sides differ, with the requests around it, since one early difference in a
 * stateful algorithm explains every later one.
 */
public record Comparison(String title, String config, Traffic traffic, Picks haproxy, Picks lbkit) {

    public int total() {
        return Math.max(haproxy.answers().size(), lbkit.answers().size());
    }

    /**
     * Requests answered by the same server on both sides. Two equal answers that name no server
     * (the same {@code 503}, or both sides failing with {@code error: ...}) are not counted: they
     * say the two sides agree that nobody served, not that they picked the same server. See {@link
     * #neitherServed()}.
     */
    public int matching() {
        int n = Math.min(haproxy.answers().size(), lbkit.answers().size());
        int same = 0;
        for (int i = 0; i < n; i++) {
            String answer = haproxy.answers().get(i);
            if (answer.equals(lbkit.answers().get(i)) && namesAServer(answer)) {
                same++;
            }
        }
        return same;
    }

    /**
     * Requests that neither side's server answered but both answered alike (same status, or both
     * failed).
     */
    public int neitherServed() {
        int n = Math.min(haproxy.answers().size(), lbkit.answers().size());
        int none = 0;
        for (int i = 0; i < n; i++) {
            String answer = haproxy.answers().get(i);
            if (answer.equals(lbkit.answers().get(i)) && !namesAServer(answer)) {
                none++;
            }
        }
        return none;
    }

    /**
     * True when an answer names the server that served it; false for a bare status (HAProxy's or
     * lbkit's own {@code 503}, {@code 504}, ...) and for a request that failed ({@code error:
     * ...}).
     */
    public static boolean namesAServer(String answer) {
        return !answer.startsWith("error")
                && !answer.startsWith(PacedParity.COMMAND_ANSWER)
                && !answer.chars().allMatch(Character::isDigit);
    }

    /** The index of the first differing request, or -1 when the two runs are identical. */
    public int firstDifference() {
        int n = Math.min(haproxy.answers().size(), lbkit.answers().size());
        for (int i = 0; i < n; i++) {
            if (!haproxy.answers().get(i).equals(lbkit.answers().get(i))) {
                return i;
            }
        }
        return haproxy.answers().size() == lbkit.answers().size() ? -1 : n;
    }

    public boolean identical() {
        return firstDifference() < 0;
    }

    /**
     * What a negative control's comparison shows, for {@link NegativeControl#record}: "NOT
     * REJECTED", or {@link #rejectedAt}.
     */
    public String verdict() {
        return identical() ? "NOT REJECTED" : rejectedAt();
    }

    /** Where the comparison first differs, and how much still agreed. */
    public String rejectedAt() {
        return "rejected at request #" + firstDifference() + ", " + summary();
    }

    /**
     * One line: "roundrobin 2/1/3: 600/600 requests on the same server", plus, when some requests
     * were served by no server on either side, "(40 more answered alike by no server: 503 or
     * error)".
     */
    public String summary() {
        int none = neitherServed();
        return title
                + ": "
                + matching()
                + "/"
                + total()
                + " requests on the same server"
                + (none == 0
                        ? ""
                        : " (" + none + " more answered alike by no server: status or error)");
    }

    /**
     * A readable account of the first difference: index, both answers, neighbours, events, config.
     */
    public String explainDifference() {
        int at = firstDifference();
        if (at < 0) {
            return summary();
        }
        List<String> lines = new ArrayList<>();
        lines.add(summary());
        lines.add(
                "first difference at request #"
                        + at
                        + (at < traffic.requests().size()
                                ? " (" + describe(traffic.requests().get(at)) + ")"
                                : ""));
        lines.add(String.format("  %-8s %-28s %-28s", "request", "HAProxy", "lbkit"));
        for (int i = Math.max(0, at - 5); i < Math.min(total(), at + 4); i++) {
            for (String command : traffic.commandsBefore(i)) {
                lines.add("           (runtime API: " + command + ")");
            }
            lines.add(
                    String.format(
                            "%s #%-6d %-28s %-28s",
                            i == at ? ">" : " ", i, answer(haproxy, i), answer(lbkit, i)));
        }
        lines.add("HAProxy side: " + haproxy.side());
        lines.add("lbkit side:   " + lbkit.side());
        lines.add("config:");
        config.lines().forEach(l -> lines.add("  | " + l));
        return String.join(System.lineSeparator(), lines);
    }

    private static String answer(Picks picks, int i) {
        return i < picks.answers().size() ? picks.answers().get(i) : "(none)";
    }

    private static String describe(Traffic.Request request) {
        return "GET "
                + request.target()
                + (request.source() == null ? "" : " from " + request.source().getHostAddress())
                + (request.headers().isEmpty() ? "" : " " + request.headers());
    }
}
