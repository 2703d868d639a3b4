package dev.lbkit.episodes.weighted;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A side-by-side run that sends the runtime API events itself, so it can compare what each side
 * answered to each command as well as who served each request. The traffic is cut at its events:
 * both sides get one segment of requests (new connection each), then the event's commands, in turn.
 *
 * @param answers one line per command: the command, HAProxy's answer and lbkit's answer
 */
record EventRun(Comparison comparison, List<Answer> answers) {

    /**
     * What both sides answered to one runtime API command sent before request {@code
     * beforeRequest}.
     */
    record Answer(int beforeRequest, String command, String haproxy, String lbkit) {
        boolean same() {
            return haproxy.equals(lbkit);
        }
    }

    static EventRun run(SideBySide sides, String title, String config, Traffic traffic) {
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
                                RuntimeApiClient.send(sides.haproxy().statsPort(), command),
                                RuntimeApiClient.send(sides.lbkit().statsPort(), command)));
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

    /** How many commands got the same answer text on both sides. */
    long sameAnswers() {
        return answers.stream().filter(Answer::same).count();
    }

    /** The commands whose answers differ, printable; empty when all agree. */
    String answerDifferences() {
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

    static String quote(String answer) {
        return '"' + answer.replace("\n", "\\n") + '"';
    }
}
