package dev.lbkit.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;

/**
 * Overlapping requests paced by {@code show stat} instead of a clock: each request is sent on its
 * own connection only once the balancer's runtime API shows every earlier one settled (served by a
 * server, waiting in a queue, or answered), so both sides pick every request with the same requests
 * in flight and the same queues, however busy the machine is.
 *
 * <p>A request's {@code ?delay_ms=N} holds it at its server. A request without a delay is quick:
 * its answer is awaited before the next request goes. A held request must still be in flight when
 * the last request is sent (pick delays longer than the sending takes); if one comes back earlier,
 * the run did not load the balancer as planned and is run again, up to {@value #ATTEMPTS} times (a
 * negative control is not: its wrong lbkit may hold requests differently). After the last request,
 * held ones end by their delays and queued ones take the freed slots.
 *
 * <p>A target that starts with {@value #COMMAND} is a runtime API command instead (e.g. {@code
 * !disable server be/s1}), sent once the requests before it settled; its row holds the command's
 * answer text (never counted as a server), and the state after it is read as after a request.
 *
 * <p>A target may carry request header lines after it, each after a newline ({@link #withHeaders}:
 * {@code /?delay_ms=900\nCookie: SRV=s1}).
 *
 * <p>Compared, exactly: the answer of each request (the server, or the status when no server
 * answered); the balancer's state after each request settled (per server: in flight, queued,
 * refused; the backend's queue); the counters at the end ({@code lbtot}, {@code qmax}, {@code
 * econ}); and, on request ({@link #sameAnswerOrder}), the order in which each server answered.
 *
 * @param comparison the answers, request by request
 * @param haproxy what HAProxy did
 * @param lbkit what lbkit did
 * @param attempts how many runs it took to get one where no held request ended early on either side
 */
public record PacedParity(Comparison comparison, Side haproxy, Side lbkit, int attempts) {
    /** A target starting with this is a runtime API command, not a request. */
    public static final String COMMAND = "!";

    /** How a command's row begins: then the answer's text, quoted. */
    public static final String COMMAND_ANSWER = "runtime API answered ";

    /** Runs tried before giving up on a machine too busy for the planned delays. */
    public static final int ATTEMPTS = 3;

    private static final long SETTLE_TIMEOUT_MS = 10_000;
    private static final int CLIENT_TIMEOUT_MS = 60_000;

    /** A settled state is read again this much later, and must not have changed. */
    private static final long STABLE_MS = 30;

    /** No set-up before the first request. */
    private static final java.util.function.Consumer<SideBySide> AS_STARTED = sides -> {};

    /**
     * What one side did.
     *
     * @param picks who answered each request
     * @param states the balancer's state after each request settled, one line per request
     * @param answerOrder per server, the requests it answered, in the order their answers came
     * @param endedEarly held requests answered by a server before the last request was sent
     * @param finalState the counters once every request was answered (lbtot, qmax, econ)
     */
    public record Side(
            Picks picks,
            List<String> states,
            Map<String, List<Integer>> answerOrder,
            List<Integer> endedEarly,
            String finalState) {}

    /** Starts both sides for {@code config}, drives {@code targets} on HAProxy then on lbkit. */
    public static PacedParity run(String title, String config, String backend, List<String> targets)
            throws Exception {
        return run(title, config, backend, targets, null, Parity.haproxy(), AS_STARTED);
    }

    /**
     * A negative control: as {@link #run}, but lbkit is given {@code mistake} applied to its config
     * ({@link SideBySide#startNegativeControl}); the comparison that follows must reject it.
     */
    public static PacedParity runNegativeControl(
            String title,
            String config,
            String backend,
            List<String> targets,
            UnaryOperator<String> mistake)
            throws Exception {
        return run(title, config, backend, targets, mistake, Parity.haproxy(), AS_STARTED);
    }

    /**
     * As {@link #run(String, String, String, List)}, against {@code haproxy} instead of the HAProxy
     * the run was given ({@link Parity#haproxy}): one line of several.
     */
    public static PacedParity run(
            String title,
            String config,
            String backend,
            List<String> targets,
            SideBySide.HaproxyStarter haproxy)
            throws Exception {
        return run(title, config, backend, targets, null, haproxy, AS_STARTED);
    }

    /**
     * A negative control against {@code haproxy}, whose lbkit is wrong by its model ({@link
     * SideBySide.HaproxyStarter#withLbkitAs}): run once, as {@link #runNegativeControl}.
     */
    public static PacedParity runNegativeControl(
            String title,
            String config,
            String backend,
            List<String> targets,
            SideBySide.HaproxyStarter haproxy)
            throws Exception {
        return run(title, config, backend, targets, UnaryOperator.identity(), haproxy, AS_STARTED);
    }

    /**
     * As {@link #run(String, String, String, List)} (or {@link #runNegativeControl} when {@code
     * mistake} is not null), with {@code setUp} run on both sides once they started, before any
     * request: to stop a server's replica, say, so that it refuses connections on both sides.
     */
    public static PacedParity runWith(
            String title,
            String config,
            String backend,
            List<String> targets,
            UnaryOperator<String> mistake,
            java.util.function.Consumer<SideBySide> setUp)
            throws Exception {
        return run(title, config, backend, targets, mistake, Parity.haproxy(), setUp);
    }

    private static PacedParity run(
            String title,
            String config,
            String backend,
            List<String> targets,
            UnaryOperator<String> mistake,
            SideBySide.HaproxyStarter haproxy,
            java.util.function.Consumer<SideBySide> setUp)
            throws Exception {
        Traffic traffic =
                Traffic.of(
                        title,
                        targets.size(),
                        i ->
                                new Traffic.Request(
                                        targetOf(targets.get(i)), null, headersOf(targets.get(i))));
        PacedParity result = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            SideBySide.Options options = SideBySide.Options.exactRun();
            try (SideBySide sides =
                    mistake == null
                            ? SideBySide.start(title, config, haproxy, options)
                            : SideBySide.startNegativeControl(
                                    title, config, haproxy, options, mistake)) {
                setUp.accept(sides);
                Side onHaproxy = drive(sides, sides.haproxy(), backend, targets);
                Side onLbkit = drive(sides, sides.lbkit(), backend, targets);
                Comparison comparison =
                        new Comparison(
                                title,
                                sides.lbkit().config(),
                                traffic,
                                onHaproxy.picks(),
                                onLbkit.picks());
                result = new PacedParity(comparison, onHaproxy, onLbkit, attempt);
            }
            // A negative control's lbkit may well hold requests otherwise: rerunning it tells
            // nothing.
            if (mistake != null
                    || result.haproxy.endedEarly().isEmpty()
                            && result.lbkit.endedEarly().isEmpty()) {
                break;
            }
            System.out.printf(
                    "[lbkit] %s: attempt %d: held requests answered before the last request was sent"
                            + " (HAProxy %s, lbkit %s): the machine is too slow for these delays%s%n",
                    title,
                    attempt,
                    result.haproxy.endedEarly(),
                    result.lbkit.endedEarly(),
                    attempt < ATTEMPTS ? ", running it again" : ", giving up");
        }
        Report.write(Parity.slug(title), result.comparison, result.report());
        System.out.println(
                "[lbkit] "
                        + result.comparison.summary()
                        + "; states after each request "
                        + (result.sameStates() ? "identical" : "DIFFER")
                        + "  (attempt "
                        + result.attempts
                        + "; HAProxy: "
                        + result.haproxy.picks().side()
                        + ")");
        return result;
    }

    /** Sends {@code targets} to one side, each once the previous ones settled; see the class. */
    public static Side drive(
            SideBySide sides, SideBySide.Endpoint side, String backend, List<String> targets)
            throws Exception {
        int n = targets.size();
        String[] answers = new String[n];
        Arrays.fill(answers, "(no answer)");
        long[] answeredNanos = new long[n];
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", side.port());
        String host = "127.0.0.1:" + side.port();
        List<Thread> clients = new ArrayList<>();
        List<String> states = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int request = i;
            if (targets.get(i).startsWith(COMMAND)) {
                String answer =
                        RuntimeApiClient.send(
                                side.side(),
                                side.statsPort(),
                                targets.get(i).substring(COMMAND.length()));
                synchronized (answers) {
                    answers[request] = COMMAND_ANSWER + EventRun.quote(answer);
                    answeredNanos[request] = System.nanoTime();
                }
                states.add(settle(side, backend, answers, i + 1));
                continue;
            }
            Thread client =
                    new Thread(
                            () -> {
                                String answer;
                                try (RawHttpClient http =
                                        new RawHttpClient(address, null, CLIENT_TIMEOUT_MS)) {
                                    answer =
                                            sides.answeredBy(
                                                    http.get(
                                                            targetOf(targets.get(request)),
                                                            host,
                                                            headersOf(targets.get(request)),
                                                            false));
                                } catch (IOException e) {
                                    answer = "error: " + e.getMessage();
                                }
                                synchronized (answers) {
                                    answers[request] = answer;
                                    answeredNanos[request] = System.nanoTime();
                                    answers.notifyAll();
                                }
                            },
                            "lbkit-paced-client");
            client.setDaemon(true);
            clients.add(client);
            client.start();
            if (!held(targets.get(i))) {
                awaitAnswer(answers, request);
            }
            states.add(settle(side, backend, answers, i + 1));
        }
        long lastSent = System.nanoTime();
        for (Thread client : clients) {
            client.join(CLIENT_TIMEOUT_MS);
        }
        List<Integer> endedEarly = new ArrayList<>();
        List<Integer> byAnswerTime = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byAnswerTime.add(i);
            if (held(targets.get(i))
                    && Comparison.namesAServer(answers[i])
                    && answeredNanos[i] < lastSent) {
                endedEarly.add(i);
            }
        }
        byAnswerTime.sort((a, b) -> Long.compare(answeredNanos[a], answeredNanos[b]));
        Map<String, List<Integer>> answerOrder =
                byAnswerTime.stream()
                        .filter(i -> Comparison.namesAServer(answers[i]))
                        .collect(
                                Collectors.groupingBy(
                                        i -> answers[i],
                                        java.util.TreeMap::new,
                                        Collectors.toList()));
        String csv = RuntimeApiClient.admin(side.side(), side.statsPort(), "show stat");
        String finalState =
                "lbtot "
                        + ShowStat.column(csv, backend, "lbtot")
                        + ", qmax "
                        + ShowStat.column(csv, backend, "qmax")
                        + ", econ "
                        + ShowStat.column(csv, backend, "econ")
                        + "; backend qmax "
                        + backendColumn(csv, backend, "qmax")
                        + ", econ "
                        + backendColumn(csv, backend, "econ");
        return new Side(
                new Picks(side.side(), Arrays.asList(answers)),
                states,
                answerOrder,
                endedEarly,
                finalState);
    }

    /** {@code target} sent with these header lines ({@code Name: value}). */
    public static String withHeaders(String target, String... headers) {
        return target + (headers.length == 0 ? "" : "\n" + String.join("\n", headers));
    }

    private static String targetOf(String target) {
        int end = target.indexOf('\n');
        return end < 0 ? target : target.substring(0, end);
    }

    private static List<String> headersOf(String target) {
        int end = target.indexOf('\n');
        return end < 0 ? List.of() : List.of(target.substring(end + 1).split("\n"));
    }

    /** A request the server holds: one with a {@code delay_ms} above 0. */
    static boolean held(String request) {
        String target = targetOf(request);
        int at = target.indexOf("delay_ms=");
        if (at < 0) {
            return false;
        }
        String digits = target.substring(at + "delay_ms=".length()).replaceAll("[^0-9].*", "");
        return !digits.isEmpty() && Long.parseLong(digits) > 0;
    }

    private static void awaitAnswer(String[] answers, int request) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLIENT_TIMEOUT_MS);
        synchronized (answers) {
            while (unanswered(answers, request)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("request #" + request + " got no answer");
                }
                TimeUnit.NANOSECONDS.timedWait(answers, left);
            }
        }
    }

    private static boolean unanswered(String[] answers, int request) {
        return answers[request].equals("(no answer)");
    }

    /**
     * Polls {@code show stat} until every one of the {@code sent} requests is accounted for: in
     * flight on a server, waiting in a server's or the backend's queue, or answered, and two such
     * settled readings {@value #STABLE_MS} ms apart give the same state line. Returns that line.
     *
     * <p>The answers are counted before {@code show stat} is read, never after: a request answered
     * in between then counts nowhere and the reading is taken again. Counted after, it could count
     * as answered in a reading taken before the balancer even saw it (its refusal not yet in {@code
     * econ}), and that reading could pass for settled.
     */
    private static String settle(
            SideBySide.Endpoint side, String backend, String[] answers, int sent)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_TIMEOUT_MS);
        String lastSettled = null;
        String last = "";
        while (System.nanoTime() < deadline) {
            int answered;
            synchronized (answers) {
                answered =
                        (int) Arrays.stream(answers).filter(a -> !a.equals("(no answer)")).count();
            }
            String csv = RuntimeApiClient.admin(side.side(), side.statsPort(), "show stat");
            Map<String, Integer> scur = ShowStat.column(csv, backend, "scur");
            Map<String, Integer> qcur = ShowStat.column(csv, backend, "qcur");
            int backendQueue = backendColumn(csv, backend, "qcur");
            int accounted =
                    scur.values().stream().mapToInt(Integer::intValue).sum()
                            + qcur.values().stream().mapToInt(Integer::intValue).sum()
                            + backendQueue;
            last = state(csv, backend);
            if (accounted + answered != sent) {
                lastSettled = null;
                Thread.sleep(5);
                continue;
            }
            // Settled, and settled to the same state a little later: some counters may move just
            // after the answer left.
            if (last.equals(lastSettled)) {
                return last;
            }
            lastSettled = last;
            Thread.sleep(STABLE_MS);
        }
        throw new IllegalStateException(
                side.side()
                        + ": request #"
                        + (sent - 1)
                        + " not settled after "
                        + SETTLE_TIMEOUT_MS
                        + " ms; last state: "
                        + last);
    }

    /**
     * One line: per server its requests in flight, queued and refused so far; the backend's queue.
     */
    static String state(String csv, String backend) {
        Map<String, Integer> scur = ShowStat.column(csv, backend, "scur");
        Map<String, Integer> qcur = ShowStat.column(csv, backend, "qcur");
        Map<String, Integer> econ = ShowStat.column(csv, backend, "econ");
        StringBuilder line = new StringBuilder();
        for (String server : scur.keySet()) {
            line.append(server).append(' ').append(scur.get(server));
            if (qcur.get(server) > 0) {
                line.append(" +").append(qcur.get(server)).append(" queued");
            }
            if (econ.get(server) > 0) {
                line.append(" (").append(econ.get(server)).append(" refused)");
            }
            line.append(", ");
        }
        return line.append("backend queue ").append(backendColumn(csv, backend, "qcur")).toString();
    }

    /** Column {@code name} of the BACKEND row of {@code backend} (empty reads as 0). */
    static int backendColumn(String csv, String backend, String name) {
        List<String> lines = csv.lines().toList();
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        int at = header.indexOf(name);
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > at && fields[0].equals(backend) && fields[1].equals("BACKEND")) {
                return fields[at].isEmpty() ? 0 : Integer.parseInt(fields[at]);
            }
        }
        throw new IllegalArgumentException("'show stat' has no BACKEND row for " + backend);
    }

    /** Both sides' states after each request are the same. */
    public boolean sameStates() {
        return haproxy.states().equals(lbkit.states());
    }

    /**
     * Each server answered its requests in the same order on both sides. Meaningful where the order
     * is planned (a queue is served first in, first out; delays apart): two held requests with the
     * same delay sent a few milliseconds apart may come back in either order.
     */
    public boolean sameAnswerOrder() {
        return haproxy.answerOrder().equals(lbkit.answerOrder());
    }

    /** The answers, the states after each request and the final counters agree. */
    public boolean identical() {
        return comparison.identical()
                && sameStates()
                && haproxy.finalState().equals(lbkit.finalState());
    }

    /**
     * What a negative control's run shows, for {@link NegativeControl#record}: "NOT REJECTED", or
     * where it was rejected and how much still agreed.
     */
    public String verdict() {
        return identical() ? "NOT REJECTED" : comparison.rejectedAt();
    }

    /** Lines for the report and for failure messages: both sides, step by step. */
    public List<String> report() {
        List<String> lines = new ArrayList<>();
        lines.add("attempt " + attempts);
        lines.add("state after each request settled (HAProxy | lbkit):");
        List<String> targets =
                comparison.traffic().requests().stream()
                        .map(
                                r ->
                                        String.join(" ", r.target(), String.join(" ", r.headers()))
                                                .trim())
                        .toList();
        for (int i = 0; i < haproxy.states().size(); i++) {
            String theirs = haproxy.states().get(i);
            String ours = i < lbkit.states().size() ? lbkit.states().get(i) : "(none)";
            lines.add(
                    String.format(
                            "  #%-2d %-28s %-6s %s%n      %-6s %s%s",
                            i,
                            targets.get(i),
                            haproxy.picks().answers().get(i),
                            theirs,
                            lbkit.picks().answers().get(i),
                            ours,
                            theirs.equals(ours) ? "" : "   <-- differs"));
        }
        lines.add("answer order per server: HAProxy " + haproxy.answerOrder());
        lines.add("                         lbkit   " + lbkit.answerOrder());
        lines.add("at the end: HAProxy " + haproxy.finalState());
        lines.add("            lbkit   " + lbkit.finalState());
        return lines;
    }

    /** Fails with both sides' steps when anything differs. */
    public void assertIdentical() {
        if (!identical()) {
            Assertions.fail(
                    (comparison.identical()
                                    ? "answers identical, "
                                    : comparison.explainDifference())
                            + System.lineSeparator()
                            + String.join(System.lineSeparator(), report()));
        }
    }
}
