package dev.lbkit.episodes.leastconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code balance sticky} (HAProxy 3.0 and later; 2.6 refuses it) side by side with each line that
 * has it, request by request, while runtime API commands take servers out and bring them back: the
 * traffic stays on one server until that server stops being usable, then moves to the first usable
 * server in declaration order, and does not move back ({@link StickyBalancer}).
 *
 * <p>Two scripts: the measured one (ids against the declaration order, maintenance, weight 0,
 * drain, both backups, a server out and in again with no request between), and generated configs
 * and commands from a seed, so the rule is checked on cases no one wrote down.
 */
class StickyLinesParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20261205L);
    private static final int GENERATED_CONFIGS = 6;
    private static final int GENERATED_REQUESTS = 60;

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_2", "V3_4"})
    void theTrafficStaysOnOneServerUntilItStopsBeingUsable(HaproxyLine line) throws Exception {
        SideBySide.HaproxyStarter starter = SideBySide.HaproxyStarter.of(HaproxyLines.get(line));
        assertThat(starter.line()).as("lbkit runs as the line it met").isEqualTo(line);
        List<Comparison> all = new ArrayList<>();
        Comparison measured = run(starter, "sticky, measured script", config(), script(), null);
        all.add(measured);
        assertThat(measured.haproxy().answers())
                .as("HAProxy %s followed the script's plan (its picks, five per step)", line.text())
                .isEqualTo(plannedAnswers());

        Comparison runningTotal =
                run(starter, "sticky, running-total script", totalConfig(), totalScript(), null);
        all.add(runningTotal);
        assertThat(runningTotal.haproxy().answers())
                .as("HAProxy %s followed the running-total script's plan", line.text())
                .isEqualTo(TOTAL_PLAN);

        if (line.keepsAReadyServer()) {
            Comparison waiting =
                    run(starter, "sticky, waiting script", waitingConfig(), waitingScript(), null);
            all.add(waiting);
            assertThat(waiting.haproxy().answers())
                    .as("HAProxy %s followed the waiting script's plan", line.text())
                    .isEqualTo(WAITING_PLAN);
        }

        Random random = new Random(SEED);
        int servedBy = 0;
        int generatedTotal = 0;
        for (int i = 0; i < GENERATED_CONFIGS; i++) {
            SingleBackendConfig generated = generatedConfig(random);
            String title = "sticky, generated #" + i + " (seed " + SEED + ")";
            Traffic traffic = generatedTraffic(generated, random);
            if (!line.keepsAReadyServer()) {
                traffic = beforeTheFirstWait(starter, title, generated.text(), traffic);
            }
            Comparison c = run(starter, title, generated.text(), traffic, null);
            servedBy +=
                    (int) c.haproxy().answers().stream().filter(a -> a.matches("s\\d+")).count();
            generatedTotal += c.total();
            all.add(c);
        }
        int matching = all.stream().mapToInt(Comparison::matching).sum();
        int total = all.stream().mapToInt(Comparison::total).sum();
        System.out.printf(
                "[lbkit] balance sticky, HAProxy %s: %d/%d requests on the same server over %d configs"
                        + " (seed %d; %d of %d generated requests answered by a server)%n",
                starter.describe(), matching, total, all.size(), SEED, servedBy, generatedTotal);
        all.forEach(Parity::assertIdentical);
        assertThat(servedBy)
                .as(
                        "most generated requests reach a server, so the comparison is about servers, not 503s")
                .isGreaterThan(generatedTotal / 2);
    }

    /**
     * HAProxy 3.0.11 aborts (its watchdog kills a loop) as soon as a request has to wait for a
     * sticky server with nothing in flight: {@link #haproxy30AbortsWhenARequestWaitsForNoServer}.
     * So on 3.0 each generated script stops before the first request that waits on lbkit's side
     * (its backend's {@code qmax} becomes 1), found by a first run of lbkit alone.
     */
    private static Traffic beforeTheFirstWait(
            SideBySide.HaproxyStarter starter, String title, String config, Traffic traffic)
            throws Exception {
        try (SideBySide sides =
                SideBySide.start(
                        title + ", lbkit alone", config, starter, SideBySide.Options.exactRun())) {
            for (int i = 0; i < traffic.requests().size(); i++) {
                for (String command : traffic.commandsBefore(i)) {
                    RuntimeApiClient.admin("lbkit", sides.lbkit().statsPort(), command);
                }
                sides.drive(sides.lbkit(), Traffic.sequential("one request", 1));
                if (backendQmax(
                                RuntimeApiClient.send(
                                        "lbkit", sides.lbkit().statsPort(), "show stat"))
                        > 0) {
                    System.out.printf(
                            "[lbkit] %s: HAProxy 3.0 would abort at request #%d (it waits): compared up to it%n",
                            title, i);
                    return traffic.firstRequests(i);
                }
            }
            return traffic;
        }
    }

    /** The {@code qmax} of backend {@code be} in a {@code show stat} CSV. */
    private static int backendQmax(String csv) {
        for (String row : csv.split("\n")) {
            String[] cells = row.split(",", -1);
            if (cells.length > 3 && cells[0].equals("be") && cells[1].equals("BACKEND")) {
                return Integer.parseInt(cells[3]);
            }
        }
        throw new AssertionError("no BACKEND row for be in show stat:\n" + csv);
    }

    /**
     * HAProxy 3.0.11's abort, shown on the real binary so that a 3.0 that no longer aborts is
     * noticed: the first request of the waiting script that has to wait gets no answer, and the
     * runtime API is gone with the process. lbkit as 3.0 answers it 503 when {@code timeout queue}
     * ends, as 3.2 and 3.4 do for a request no ready server takes.
     */
    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0"})
    void haproxy30AbortsWhenARequestWaitsForNoServer(HaproxyLine line) throws Exception {
        SideBySide.HaproxyStarter starter = SideBySide.HaproxyStarter.of(HaproxyLines.get(line));
        Traffic script = waitingScript();
        int firstWait = WAITING_PLAN.indexOf("503");
        Traffic before = script.firstRequests(firstWait + 1);
        try (SideBySide sides =
                SideBySide.start(
                        "sticky, HAProxy 3.0 abort",
                        waitingConfig(),
                        starter,
                        SideBySide.Options.exactRun())) {
            List<String> answers = sides.drive(sides.haproxy(), before).answers();
            System.out.printf(
                    "[lbkit] sticky, waiting script on %s: %s%n", starter.describe(), answers);
            assertThat(answers.subList(0, firstWait))
                    .as("HAProxy %s before the first wait", starter.describe())
                    .isEqualTo(WAITING_PLAN.subList(0, firstWait));
            assertThat(answers.get(firstWait))
                    .as("the request that waits gets no HTTP answer from %s", starter.describe())
                    .startsWith("error: ");
            Throwable gone =
                    org.assertj.core.api.Assertions.catchThrowable(
                            () ->
                                    RuntimeApiClient.send(
                                            "haproxy", sides.haproxy().statsPort(), "show info"));
            assertThat(gone)
                    .as("the runtime API of %s is gone with its process", starter.describe())
                    .isNotNull();
            List<String> lbkit = sides.drive(sides.lbkit(), before).answers();
            assertThat(lbkit).as("lbkit as 3.0").isEqualTo(WAITING_PLAN.subList(0, firstWait + 1));
        }
    }

    /** s1 to s3 at weight 1. */
    static String totalConfig() {
        return SingleBackendConfig.of("balance sticky", List.of(1, 1, 1)).text();
    }

    /**
     * Measured on 3.0.11, 3.2.26 and 3.4.7: the current s1 set to weight 3 (while usable: the
     * running total stays 3) and then to 0 (it takes 3 away: the total is 0), so HAProxy answers
     * 503 at once although s2 and s3 are up; s2 is current meanwhile, and takes the traffic when
     * s1's weight 5 brings the total back, until s2 goes out and s1, the first usable, takes it.
     */
    static Traffic totalScript() {
        return Traffic.sequential("sticky running-total script", TOTAL_PLAN.size())
                .withEvent(1, "set server be/s1 weight 3")
                .withEvent(2, "set server be/s1 weight 0")
                .withEvent(4, "set server be/s1 weight 5")
                .withEvent(5, "set server be/s3 weight 2")
                .withEvent(6, "disable server be/s2");
    }

    private static final List<String> TOTAL_PLAN =
            List.of("s1", "s1", "503", "503", "s2", "s2", "s1");

    /** Two servers, s2 a backup, and a short {@code timeout queue} for the requests that wait. */
    static String waitingConfig() {
        return new SingleBackendConfig(
                        "be",
                        "s",
                        "balance sticky\n    timeout queue 1s",
                        List.of(2, 1),
                        List.of("id 34", "backup"))
                .text();
    }

    /**
     * Measured on 3.2.26 and 3.4.7: with s1 at weight 0 and in maintenance, and the backup s2
     * drained, no server is current but s2's weight still counts, so requests wait (503 after
     * {@code timeout queue}); s1 leaving maintenance becomes the ready server and takes the next
     * one (weight 0 or not, ready or drained), once.
     */
    static Traffic waitingScript() {
        return Traffic.sequential("sticky waiting script", WAITING_PLAN.size())
                .withEvent(1, "set server be/s2 weight 3")
                .withEvent(2, "set server be/s1 weight 0")
                .withEvent(4, "disable server be/s1")
                .withEvent(5, "set server be/s2 state drain")
                .withEvent(7, "enable server be/s1")
                .withEvent(10, "set server be/s1 state ready")
                .withEvent(11, "disable server be/s1")
                .withEvent(12, "set server be/s1 state drain");
    }

    private static final List<String> WAITING_PLAN =
            List.of(
                    "s1", "s1", "s2", "s2", "s2", "503", "503", "s1", "503", "503", "503", "503",
                    "s1", "503");

    /**
     * The same comparison rejects lbkit sending each request to the first usable server (by
     * declaration order, so that only the stickiness differs): the traffic goes back to s1 when it
     * returns, where HAProxy stays on the server that replaced it.
     */
    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_4"})
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsAServerThatTakesTheTrafficBack(HaproxyLine line) throws Exception {
        SideBySide.HaproxyStarter starter = SideBySide.HaproxyStarter.of(HaproxyLines.get(line));
        Comparison wrong =
                run(
                        starter,
                        "NEGATIVE CONTROL sticky, lbkit given first in declaration order",
                        config(),
                        script(),
                        config ->
                                NegativeControl.replace(" id \\d+", "")
                                        .apply(
                                                NegativeControl.replace(
                                                                "balance sticky", "balance first")
                                                        .apply(config)));
        NegativeControl.record(
                "sticky-vs-first-usable",
                "per-request comparison of balance sticky with runtime API commands",
                "the first usable server in declaration order for every request (balance first"
                        + " without ids), against HAProxy "
                        + line.text(),
                wrong.verdict());
        assertThat(wrong.identical()).as("the comparison sees the traffic move back").isFalse();
    }

    /**
     * The waiting script rejects lbkit balancing as 3.0 (no ready server) against a 3.4: the
     * requests that 3.4 hands to the server leaving maintenance wait on lbkit's side until {@code
     * timeout queue}, and two 503s are not the answer of a server.
     */
    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_4"})
    @Tag(NegativeControl.TAG)
    void theWaitingScriptRejectsLbkitWithoutTheReadyServer(HaproxyLine line) throws Exception {
        SideBySide.HaproxyStarter starter =
                SideBySide.HaproxyStarter.of(HaproxyLines.get(line)).withLbkitAs(HaproxyLine.V3_0);
        Comparison wrong =
                run(
                        starter,
                        "NEGATIVE CONTROL sticky waiting script, lbkit as 3.0",
                        waitingConfig(),
                        waitingScript(),
                        null);
        NegativeControl.record(
                "sticky-without-ready-server",
                "per-request comparison of balance sticky with requests that wait",
                "lbkit balancing as 3.0 (no ready server), against HAProxy " + line.text(),
                wrong.verdict());
        assertThat(wrong.identical())
                .as("the comparison sees the ready server's requests")
                .isFalse();
    }

    private static Comparison run(
            SideBySide.HaproxyStarter starter,
            String title,
            String config,
            Traffic traffic,
            java.util.function.UnaryOperator<String> mistake)
            throws Exception {
        try (SideBySide sides =
                mistake == null
                        ? SideBySide.start(title, config, starter, SideBySide.Options.exactRun())
                        : SideBySide.startNegativeControl(
                                title, config, starter, SideBySide.Options.exactRun(), mistake)) {
            Comparison c = sides.run(title, traffic);
            System.out.println("[lbkit] " + c.summary() + "  (" + starter.describe() + ")");
            return c;
        }
    }

    /**
     * s1 to s3 declared in that order with ids 5, 9 and 2 (so {@code first} would start on s3), s4
     * and s5 backups.
     */
    static String config() {
        return new SingleBackendConfig(
                        "be",
                        "s",
                        "balance sticky",
                        List.of(1, 1, 1, 1, 1),
                        List.of("id 5", "id 9", "id 2", "backup", "backup"))
                .text();
    }

    private static final int STEP = 5;

    /**
     * The commands before each step of {@link #STEP} requests, and the server each step expects.
     */
    private static final String[][] SCRIPT = {
        {"s1"},
        {"s2", "disable server be/s1"},
        {"s2", "enable server be/s1"},
        {"s1", "set server be/s2 weight 0"},
        {"s1", "set server be/s2 weight 3"},
        {"s2", "set server be/s1 state drain"},
        {"s2", "set server be/s1 state ready"},
        {"s4", "disable server be/s1", "disable server be/s2", "disable server be/s3"},
        {"s5", "disable server be/s4"},
        {"s5", "enable server be/s4"},
        {"s3", "enable server be/s3"},
        {"s3", "enable server be/s1", "enable server be/s2"},
        {"s1", "disable server be/s3", "enable server be/s3"},
    };

    static Traffic script() {
        Traffic traffic = Traffic.sequential("sticky script", SCRIPT.length * STEP);
        for (int step = 0; step < SCRIPT.length; step++) {
            for (int c = 1; c < SCRIPT[step].length; c++) {
                traffic = traffic.withEvent(step * STEP, SCRIPT[step][c]);
            }
        }
        return traffic;
    }

    private static List<String> plannedAnswers() {
        List<String> answers = new ArrayList<>();
        for (String[] step : SCRIPT) {
            for (int i = 0; i < STEP; i++) {
                answers.add(step[0]);
            }
        }
        return answers;
    }

    /**
     * Two to seven servers: weights 0 to 5 (sticky starts each at 1 anyway), a third with an id of
     * their own, a quarter of those after the first marked {@code backup}; {@code timeout queue 1s}
     * for the requests that wait, and {@code option allbackups} in a third of the configs.
     */
    static SingleBackendConfig generatedConfig(Random random) {
        int count = 2 + random.nextInt(6);
        List<Integer> weights = new ArrayList<>();
        List<String> extras = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            weights.add(random.nextInt(6));
            List<String> words = new ArrayList<>();
            if (random.nextInt(3) == 0) {
                int id;
                do {
                    id = 1 + random.nextInt(40);
                } while (!ids.add(id));
                words.add("id " + id);
            }
            if (i > 0 && random.nextInt(4) == 0) {
                words.add("backup");
            }
            extras.add(String.join(" ", words));
        }
        String balance =
                "balance sticky\n    timeout queue 1s"
                        + (random.nextInt(3) == 0 ? "\n    option allbackups" : "");
        return new SingleBackendConfig("be", "s", balance, weights, extras);
    }

    /**
     * {@link #GENERATED_REQUESTS} requests with a command before one in four: maintenance on or
     * off, a weight (0 to 3), drain or ready, a forced health (up, stopping, down), on a random
     * server.
     */
    static Traffic generatedTraffic(SingleBackendConfig config, Random random) {
        List<String> names = config.serverNames();
        Traffic traffic = Traffic.sequential("generated commands", GENERATED_REQUESTS);
        for (int i = 0; i < GENERATED_REQUESTS; i++) {
            if (random.nextInt(4) != 0) {
                continue;
            }
            String server = "be/" + names.get(random.nextInt(names.size()));
            String command =
                    switch (random.nextInt(9)) {
                        case 0, 1 -> "disable server " + server;
                        case 2, 3 -> "enable server " + server;
                        case 4 -> "set server " + server + " weight " + random.nextInt(4);
                        case 5 -> "set server " + server + " state drain";
                        case 6 -> "set server " + server + " state ready";
                        default ->
                                "set server "
                                        + server
                                        + " health "
                                        + List.of("up", "stopping", "down").get(random.nextInt(3));
                    };
            traffic = traffic.withEvent(i, command);
        }
        return traffic;
    }
}
