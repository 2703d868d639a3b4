package dev.lbkit.episodes.weighted;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.ConfigGenerator;
import dev.lbkit.harness.EventRun;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Episode 06: the article's weights 2/1/3 and runtime weight changes ({@code set server B/S weight
 * N} and {@code N%}) give the same server on lbkit as on HAProxy for every request, and the same
 * runtime API answer to every command.
 */
class WeightedParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20261206L);
    private static final int CONFIGS = Parity.generatedConfigs(10);
    private static final int REQUESTS = 300;

    /** Weight changes land before these requests (one or two commands each). */
    private static final int[] EVENT_POINTS = {20, 55, 90, 130, 170, 210, 250};

    @Test
    void articleConfigSendsTwoOneThreeInEverySixRequestCycle() throws Exception {
        String config = Parity.episodeConfig();
        List<Comparison> results =
                Parity.run(
                        "episode 06 haproxy.cfg",
                        config,
                        SideBySide.Options.exactRun(),
                        List.of(Traffic.sequential("600 requests, new connection each", 600)));
        Comparison article = results.get(0);
        Parity.assertIdentical(article);
        for (Picks side : List.of(article.haproxy(), article.lbkit())) {
            List<Map<String, Integer>> cycles = cycles(side.answers(), 6);
            System.out.printf(
                    "[lbkit] %s: %s over 600 requests; %d six-request cycles, first %s%n",
                    side.side(), side.distribution(), cycles.size(), cycles.get(0));
            assertThat(cycles)
                    .as(
                            "every 6-request cycle on "
                                    + side.side()
                                    + " is server1=2, server2=1, server3=3")
                    .hasSize(100)
                    .allSatisfy(
                            c ->
                                    assertThat(c)
                                            .isEqualTo(
                                                    Map.of(
                                                            "server1", 2, "server2", 1, "server3",
                                                            3)));
        }
        assertThat(article.haproxy().answers().subList(0, 6))
                .as("roundrobin starts with the heaviest server")
                .containsExactly("server3", "server1", "server3", "server2", "server3", "server1");
    }

    @ParameterizedTest(name = "balance {0}")
    @ValueSource(strings = {"roundrobin", "static-rr"})
    void generatedConfigsFollowRuntimeWeightChangesLikeHaproxy(String algorithm) throws Exception {
        ConfigGenerator generator = new ConfigGenerator(SEED + algorithm.hashCode());
        Random random = generator.random();
        System.out.printf(
                "[lbkit] %s: %d generated configs with weight changes, seed %d (replay with -Dlbkit.seed=%d)%n",
                algorithm, CONFIGS, generator.seed(), SEED);
        List<EventRun> runs = new ArrayList<>();
        for (int i = 0; i < CONFIGS; i++) {
            ConfigGenerator.Generated generated =
                    generator.next(algorithm + " #" + i, "balance " + algorithm);
            Traffic traffic = Traffic.sequential("weight changes", REQUESTS);
            for (int point : EVENT_POINTS) {
                for (int n = 0; n < 1 + random.nextInt(2); n++) {
                    traffic = traffic.withEvent(point, weightCommand(algorithm, generated, random));
                }
            }
            String title = generated.name() + " weights " + generated.weights();
            EventRun run = EventRun.sideBySide(title, generated.config(), traffic);
            run.report();
            runs.add(run);
        }
        int matching = runs.stream().mapToInt(r -> r.comparison().matching()).sum();
        int total = runs.stream().mapToInt(r -> r.comparison().total()).sum();
        long commands = runs.stream().mapToLong(r -> r.answers().size()).sum();
        long sameAnswers = runs.stream().mapToLong(EventRun::sameAnswers).sum();
        long refused =
                runs.stream()
                        .flatMap(r -> r.answers().stream())
                        .filter(a -> !a.haproxy().equals("\n"))
                        .count();
        System.out.printf(
                "[lbkit] %s: %d/%d requests on the same server over %d generated configs; "
                        + "%d/%d weight commands answered alike (%d of them refused or errors on HAProxy)%n",
                algorithm, matching, total, CONFIGS, sameAnswers, commands, refused);
        runs.forEach(
                r ->
                        assertThat(r.answerDifferences())
                                .as("runtime API answers of " + r.comparison().title())
                                .isEmpty());
        runs.forEach(r -> Parity.assertIdentical(r.comparison()));
        assertThat(matching)
                .as(
                        "most requests were served by a server, the same on both sides (equal 503s"
                                + " or errors are not counted): the configs balanced, not just failed alike")
                .isGreaterThan(CONFIGS * REQUESTS / 2);
    }

    @Test
    void smallWeightsChangedEveryFewRequestsKeepRoundrobinInStep() throws Exception {
        // Small weights make short windows, so changes land on servers in every tree (init, curr,
        // next).
        String config = Parity.episodeConfig();
        Random random = new Random(SEED);
        Traffic traffic = Traffic.sequential("a weight change every 3 requests", 600);
        for (int at = 2; at < 600; at += 3) {
            String server = "servers/server" + (1 + random.nextInt(3));
            String value =
                    switch (random.nextInt(5)) {
                        case 0 -> (50 * random.nextInt(5)) + "%";
                        case 1 -> random.nextInt(2) == 0 ? "0" : "100%";
                        default -> String.valueOf(1 + random.nextInt(6));
                    };
            traffic = traffic.withEvent(at, "set server " + server + " weight " + value);
        }
        EventRun run =
                EventRun.sideBySide(
                        "episode 06 haproxy.cfg — a weight change every 3 requests",
                        config,
                        traffic);
        run.report();
        System.out.printf(
                "[lbkit] %s; %d/%d weight commands answered alike%n",
                run.comparison().summary(), run.sameAnswers(), run.answers().size());
        assertThat(run.answerDifferences()).as("runtime API answers").isEmpty();
        Parity.assertIdentical(run.comparison());
    }

    /**
     * A weight change to a server already queued for the next window (picked near the end of the
     * current one). HAProxy first moves the server's position back to the current window's scale,
     * then applies the new step; these four cases were the first that tell the two apart in lbkit's
     * model.
     */
    @ParameterizedTest(name = "weights {0}, before #{1}: {2}")
    @CsvSource({
        "3/1/6, 155, set server be/s2 weight 2",
        "1/7/4, 187, set server be/s1 weight 2",
        "2/2/7, 173, set server be/s1 weight 200%",
        "6/1/3, 155, set weight be/s2 2"
    })
    void weightChangeOfAServerQueuedForTheNextWindow(String weights, int before, String command)
            throws Exception {
        String config =
                SingleBackendConfig.of(
                                "balance roundrobin",
                                java.util.Arrays.stream(weights.split("/"))
                                        .map(Integer::valueOf)
                                        .toList())
                        .text();
        Traffic traffic =
                Traffic.sequential("'" + command + "' before #" + before, 220)
                        .withEvent(before, command);
        String title = "roundrobin " + weights + ", " + command + " before #" + before;
        EventRun run = EventRun.sideBySide(title, config, traffic);
        run.report();
        System.out.println("[lbkit] " + run.comparison().summary());
        assertThat(run.answerDifferences()).as("runtime API answers").isEmpty();
        Parity.assertIdentical(run.comparison());
    }

    @Test
    void staticRrAnswersWeightCommandsLikeHaproxyAndBehavesAlikeAfterwards() throws Exception {
        String config = Parity.episodeConfig().replace("balance roundrobin", "balance static-rr");
        assertThat(config)
                .as("the episode config was turned into static-rr")
                .contains("balance static-rr");
        Traffic traffic =
                Traffic.sequential("static-rr weight commands", 120)
                        .withEvent(12, "set server servers/server1 weight 1")
                        .withEvent(12, "set server servers/server1 weight 50%")
                        .withEvent(12, "set weight servers/server3 200%")
                        .withEvent(12, "set server servers/server2 weight 1")
                        .withEvent(24, "set server servers/server1 weight 0%")
                        .withEvent(48, "set server servers/server1 weight 100%")
                        .withEvent(60, "set server servers/server3 weight 0")
                        .withEvent(72, "set server servers/server3 weight 3")
                        .withEvent(84, "set server servers/server2 weight 0%")
                        .withEvent(84, "set server servers/server3 weight 0%")
                        .withEvent(96, "set server servers/server2 weight 100%")
                        .withEvent(96, "set server servers/server3 weight 100%")
                        .withEvent(96, "set server servers/server1 weight 300")
                        .withEvent(96, "set server servers/server1 weight -5%")
                        .withEvent(96, "get weight servers/server1");
        EventRun run =
                EventRun.sideBySide(
                        "episode 06 haproxy.cfg as static-rr — weight commands", config, traffic);
        run.report();
        run.answers()
                .forEach(
                        a ->
                                System.out.printf(
                                        "[lbkit] static-rr '%s' -> HAProxy %s, lbkit %s%n",
                                        a.command(),
                                        EventRun.quote(a.haproxy()),
                                        EventRun.quote(a.lbkit())));
        System.out.println("[lbkit] " + run.comparison().summary());
        assertThat(run.answerDifferences())
                .as("every runtime API answer is the same text on both sides")
                .isEmpty();
        Parity.assertIdentical(run.comparison());
        List<String> picks = run.comparison().haproxy().answers();
        assertThat(picks.subList(0, 12))
                .as("the refused or no-op commands left the 2/1/3 map alone")
                .isEqualTo(picks.subList(12, 24));
        assertThat(picks.subList(24, 48))
                .as("0%% takes server1 out of the map")
                .doesNotContain("server1");
        assertThat(picks.subList(48, 60)).as("100%% brings server1 back").contains("server1");
        assertThat(picks.subList(84, 96))
                .as("with server2 and server3 at 0%%, server1 gets everything")
                .containsOnly("server1");
    }

    /**
     * A weight command for one random server: absolute or relative, refused ones included for
     * static-rr.
     */
    private static String weightCommand(
            String algorithm, ConfigGenerator.Generated config, Random random) {
        int index = random.nextInt(config.serverNames().size());
        String server = "be/" + config.serverNames().get(index);
        String verb =
                random.nextInt(5) == 0
                        ? "set weight " + server + " "
                        : "set server " + server + " weight ";
        int initial = config.weights().get(index);
        String value;
        if (algorithm.equals("static-rr")) {
            String[] choices = {
                "0%",
                "100%",
                "0",
                String.valueOf(initial),
                "0%",
                "100%",
                "50%",
                String.valueOf(initial + 1)
            };
            value = choices[random.nextInt(choices.length)];
        } else {
            value =
                    switch (random.nextInt(6)) {
                        case 0 -> "0";
                        case 1 -> (25 * random.nextInt(9)) + "%";
                        case 2 -> String.valueOf(1 + random.nextInt(256));
                        case 3 -> random.nextInt(3) + "%";
                        default -> String.valueOf(1 + random.nextInt(8));
                    };
        }
        return verb + value;
    }

    /** Answer counts per cycle of {@code size} consecutive requests. */
    static List<Map<String, Integer>> cycles(List<String> answers, int size) {
        List<Map<String, Integer>> cycles = new ArrayList<>();
        for (int start = 0; start + size <= answers.size(); start += size) {
            Map<String, Integer> counts = new TreeMap<>();
            answers.subList(start, start + size).forEach(a -> counts.merge(a, 1, Integer::sum));
            cycles.add(counts);
        }
        return cycles;
    }
}
