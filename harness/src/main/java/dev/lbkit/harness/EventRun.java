package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A side-by-side run that sends the runtime API events itself, so it can compare what each side
 * answered to each command as well as who served each request. The traffic is cut at its events:
 * both sides get one segment of requests (new connection each), then the event's commands, in turn.
 *
 * @param answers one line per command: the command, HAProxy's answer and lbkit's answer
 */
public record EventRun(Comparison comparison, List<Answer> answers) {

    /**
     * What both sides answered to one runtime API command sent before request {@code
     * beforeRequest}.
     */
    public record Answer(int beforeRequest, String command, String haproxy, String lbkit) {
        public boolean same() {
            return haproxy.equals(lbkit);
        }
    }

    /**
     * Starts the HAProxy {@link Parity#haproxy} finds and lbkit on {@code config} for an exact run,
     * runs {@code traffic} on them ({@link #run}), and stops both.
     */
    public static EventRun sideBySide(String title, String config, Traffic traffic)
            throws Exception {
        return sideBySide(title, config, traffic, UnaryOperator.identity());
    }

    /** As {@link #sideBySide(String, String, Traffic)}, lbkit getting {@code lbkitCommand}s. */
    public static EventRun sideBySide(
            String title, String config, Traffic traffic, UnaryOperator<String> lbkitCommand)
            throws Exception {
        try (SideBySide sides =
                SideBySide.start(title, config, Parity.haproxy(), SideBySide.Options.exactRun())) {
            return run(sides, title, config, traffic, lbkitCommand);
        }
    }

    public static EventRun run(SideBySide sides, String title, String config, Traffic traffic) {
        return run(sides, title, config, traffic, UnaryOperator.identity());
    }

    /**
     * As {@link #run(SideBySide, String, String, Traffic)}, lbkit getting {@code lbkitCommand} of
     * each command (a negative control's mistake; HAProxy gets the command as written).
     */
    public static EventRun run(
            SideBySide sides,
            String title,
            String config,
            Traffic traffic,
            UnaryOperator<String> lbkitCommand) {
        List<String> onHaproxy = new ArrayList<>();
        List<String> onLbkit = new ArrayList<>();
        List<Answer> answers = new ArrayList<>();
        TreeSet<Integer> cuts = new TreeSet<>();
        traffic.events().forEach(e -> cuts.add(e.beforeRequest()));
        cuts.add(traffic.requests().size());
        int from = 0;
        for (int cut : cuts) {
            if (cut > from) {
                Traffic segment =
                        new Traffic(
                                traffic.name(),
                                traffic.requests().subList(from, cut),
                                List.of(),
                                false);
                CompletableFuture<Picks> haproxy =
                        CompletableFuture.supplyAsync(() -> sides.drive(sides.haproxy(), segment));
                onLbkit.addAll(sides.drive(sides.lbkit(), segment).answers());
                onHaproxy.addAll(haproxy.join().answers());
            }
            for (String command : traffic.commandsBefore(cut)) {
                answers.add(
                        new Answer(
                                cut,
                                command,
                                comparable(
                                        command,
                                        RuntimeApiClient.send(
                                                sides.haproxy().statsPort(), command)),
                                comparable(
                                        command,
                                        RuntimeApiClient.send(
                                                sides.lbkit().statsPort(),
                                                lbkitCommand.apply(command)))));
            }
            from = cut;
        }
        Comparison comparison =
                new Comparison(
                        title,
                        config,
                        traffic,
                        new Picks(sides.haproxy().side(), onHaproxy),
                        new Picks(sides.lbkit().side(), onLbkit));
        return new EventRun(comparison, answers);
    }

    /**
     * The part of an answer both sides must give alike: all of it, but of {@code show stat} only
     * each row's state ({@link ShowStat#states}: its clock columns differ by when each side
     * started).
     */
    static String comparable(String command, String answer) {
        return command.strip().equals("show stat") && answer.startsWith("# ")
                ? ShowStat.states(answer)
                : answer;
    }

    /** How many commands got the same answer text on both sides. */
    public long sameAnswers() {
        return answers.stream().filter(Answer::same).count();
    }

    /** The commands whose answers differ, printable; empty when all agree. */
    public String answerDifferences() {
        StringBuilder out = new StringBuilder();
        for (Answer a : answers) {
            if (!a.same()) {
                out.append(
                        String.format(
                                "before #%d '%s': HAProxy %s, lbkit %s%n",
                                a.beforeRequest(),
                                a.command(),
                                quote(a.haproxy()),
                                quote(a.lbkit())));
            }
        }
        return out.toString();
    }

    public static String quote(String answer) {
        return '"' + answer.replace("\n", "\\n") + '"';
    }

    /** Writes the run's report (every command with both answers, then the comparison). */
    public void report() {
        List<String> lines = new ArrayList<>();
        for (Answer a : answers) {
            lines.add(
                    "runtime API before #"
                            + a.beforeRequest()
                            + " '"
                            + a.command()
                            + "': HAProxy "
                            + quote(a.haproxy())
                            + ", lbkit "
                            + quote(a.lbkit()));
        }
        Report.write(Parity.slug(comparison.title()), comparison, lines);
    }
}
