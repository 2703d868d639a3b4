package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.ConfigGenerator;
import dev.lbkit.harness.EventRun;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Traffic;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Servers taken out and put back through the runtime API while traffic flows, on generated configs
 * and every {@code balance} kind whose picks a run repeats: {@code disable}/{@code enable server},
 * {@code set server ... state ready|drain|maint}, {@code set server ... health up|stopping|down}
 * and weight changes, several at random points of each run, each followed by {@code show stat}.
 * Every request must reach the same server on both sides, every command get the same answer text
 * and every {@code show stat} show the same state of every server and backend ({@link
 * dev.lbkit.harness.ShowStat#states}). The requests vary their path, query, a header and the client
 * address (127.0.0.x), so the hashing kinds hash many keys and fall back to round robin where their
 * key is missing.
 */
class RuntimeStateParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20261204L);
    private static final int CONFIGS = Parity.generatedConfigs(4);
    private static final int REQUESTS = 200;
    private static final int EVENTS = 8;

    static Stream<Arguments> kinds() {
        HaproxyLine line = Parity.haproxy().line();
        List<Arguments> kinds = new ArrayList<>();
        kinds.add(Arguments.of("roundrobin", "balance roundrobin"));
        kinds.add(Arguments.of("static-rr", "balance static-rr"));
        kinds.add(Arguments.of("first", "balance first"));
        kinds.add(Arguments.of("source", "balance source"));
        kinds.add(Arguments.of("source consistent", "balance source\n    hash-type consistent"));
        kinds.add(Arguments.of("uri", "balance uri"));
        kinds.add(Arguments.of("uri consistent", "balance uri\n    hash-type consistent"));
        kinds.add(Arguments.of("url_param", "balance url_param id"));
        kinds.add(Arguments.of("hdr consistent", "balance hdr(X-User)\n    hash-type consistent"));
        // Idle servers tie under leastconn; from 3.2 on HAProxy draws among them, and from 3.0 on
        // random's generator is seeded per process: no two runs agree there.
        if (line.compareTo(HaproxyLine.V3_2) < 0) {
            kinds.add(Arguments.of("leastconn", "balance leastconn"));
        }
        if (line == HaproxyLine.V2_6) {
            kinds.add(Arguments.of("random", "balance random"));
        }
        return kinds.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void serversTakenOutAndPutBackAtRuntimeLeaveBothSidesOnTheSameServer(
            String kind, String balanceLines) throws Exception {
        ConfigGenerator generator = new ConfigGenerator(SEED + kind.hashCode());
        Random random = generator.random();
        System.out.printf(
                "[lbkit] %s: %d generated configs with runtime state changes, seed %d (replay with"
                        + " -Dlbkit.seed=%d)%n",
                kind, CONFIGS, generator.seed(), SEED);
        List<EventRun> runs = new ArrayList<>();
        for (int i = 0; i < CONFIGS; i++) {
            ConfigGenerator.Generated generated = generator.next(kind + " #" + i, balanceLines);
            String config = singleThreaded(generated.config());
            Traffic traffic = withStateChanges(traffic(random), generated, random);
            String title = generated.name() + " weights " + generated.weights();
            EventRun run = EventRun.sideBySide(title, config, traffic);
            run.report();
            System.out.printf(
                    "[lbkit] %s; %d/%d runtime API answers alike%n",
                    run.comparison().summary(), run.sameAnswers(), run.answers().size());
            runs.add(run);
        }
        runs.forEach(
                r ->
                        assertThat(r.answerDifferences())
                                .as("runtime API answers of " + r.comparison().title())
                                .isEmpty());
        runs.forEach(r -> Parity.assertIdentical(r.comparison()));
        int matching = runs.stream().mapToInt(r -> r.comparison().matching()).sum();
        assertThat(matching)
                .as(
                        "most requests were served by a server, the same on both sides (equal 503s"
                                + " are not counted): the runs balanced, not just failed alike")
                .isGreaterThan(CONFIGS * REQUESTS / 2);
    }

    /**
     * The same comparison rejects an lbkit that takes {@code drain} for {@code ready}: a draining
     * server must get no new request from roundrobin.
     */
    @Test
    @Tag(NegativeControl.TAG)
    void rejectsAnLbkitThatKeepsSendingToADrainingServer() throws Exception {
        String config = controlConfig("roundrobin, s1 drained");
        Traffic traffic =
                Traffic.sequential("s1 drained before #10", 60)
                        .withEvent(10, "set server be/s1 state drain");
        EventRun run =
                EventRun.sideBySide(
                        "negative control: drain taken for ready",
                        config,
                        traffic,
                        command -> command.replace("state drain", "state ready"));
        Comparison c = run.comparison();
        NegativeControl.record(
                "runtime-state-drain",
                "RuntimeStateParityTest",
                "'set server be/s1 state ready' where HAProxy got 'state drain'",
                c.summary());
        assertThat(c.matching())
                .as("the comparison tells a draining server from a ready one")
                .isLessThan(c.total());
        assertThat(c.haproxy().answers().subList(10, 60))
                .as("HAProxy sent nothing new to the draining s1")
                .doesNotContain("s1");
    }

    /**
     * The same comparison rejects an lbkit that drains a server HAProxy was told is stopping: both
     * keep new requests from it, so every pick and every answer agree, and only {@code show stat}
     * tells them apart (NOLB against DRAIN).
     */
    @Test
    @Tag(NegativeControl.TAG)
    void rejectsAnLbkitThatDrainsAServerItWasToldIsStopping() throws Exception {
        String config = controlConfig("roundrobin, s1 stopping");
        Traffic traffic =
                Traffic.sequential("s1 stopping before #10", 30)
                        .withEvent(10, "set server be/s1 health stopping")
                        .withEvent(10, "show stat");
        EventRun run =
                EventRun.sideBySide(
                        "negative control: health stopping taken for state drain",
                        config,
                        traffic,
                        command -> command.replace("health stopping", "state drain"));
        NegativeControl.record(
                "runtime-state-stopping",
                "RuntimeStateParityTest (show stat)",
                "'set server be/s1 state drain' where HAProxy got 'health stopping'",
                run.comparison().summary()
                        + "; "
                        + run.sameAnswers()
                        + "/"
                        + run.answers().size()
                        + " answers alike");
        assertThat(run.comparison().matching())
                .as("the picks alone cannot tell a drained server from a stopping one")
                .isEqualTo(run.comparison().total());
        assertThat(run.answerDifferences())
                .as("show stat tells them apart")
                .contains("status=NOLB")
                .contains("status=DRAIN");
    }

    /**
     * A negative control's config: from the default seed whatever {@code -Dlbkit.seed} says, so the
     * control always meets a config where its mistake shows (s1 with a weight above 0).
     */
    private static String controlConfig(String name) {
        ConfigGenerator.Generated generated =
                new ConfigGenerator(20261204L).next(name, "balance roundrobin");
        assertThat(generated.weights().get(0))
                .as("s1's weight in the control's config")
                .isPositive();
        return singleThreaded(generated.config());
    }

    /** Random picks repeat only with one thread; the other kinds do not mind. */
    private static String singleThreaded(String config) {
        return config.replaceFirst("(?m)^global\\n", "global\n    nbthread 1\n");
    }

    /** Paths, queries, a header and client addresses drawn from small pools, so keys repeat. */
    private static Traffic traffic(Random random) {
        List<Traffic.Request> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String path = "/" + List.of("", "img/", "api/v1/", "a/b/c/").get(random.nextInt(4));
            path += random.nextInt(6) == 0 ? "" : "item" + random.nextInt(12);
            if (random.nextInt(3) > 0) {
                path += "?id=" + random.nextInt(20) + (random.nextBoolean() ? "&x=1" : "");
            }
            List<String> headers =
                    random.nextInt(4) == 0 ? List.of() : List.of("X-User: u" + random.nextInt(15));
            requests.add(new Traffic.Request(path, client(1 + random.nextInt(30)), headers));
        }
        return new Traffic("state changes", requests, List.of(), false);
    }

    private static InetAddress client(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Traffic withStateChanges(
            Traffic traffic, ConfigGenerator.Generated config, Random random) {
        int[] points = new int[EVENTS];
        for (int e = 0; e < EVENTS; e++) {
            points[e] = 5 + random.nextInt(REQUESTS - 10);
        }
        java.util.Arrays.sort(points);
        for (int e = 0; e < EVENTS; e++) {
            int before = points[e];
            for (int n = 0; n < 1 + random.nextInt(2); n++) {
                String server = randomServer(config, random);
                String command =
                        switch (random.nextInt(12)) {
                            case 0 -> "disable server " + server;
                            case 1 -> "enable server " + server;
                            case 2 -> "set server " + server + " state maint";
                            case 3 -> "set server " + server + " state drain";
                            case 4, 5 -> "set server " + server + " state ready";
                            case 6 -> "set server " + server + " weight " + random.nextInt(257);
                            case 7 ->
                                    "set server "
                                            + server
                                            + " weight "
                                            + (25 * random.nextInt(9))
                                            + "%";
                            case 8 -> "set weight " + server + " " + random.nextInt(20);
                            default ->
                                    "set server "
                                            + server
                                            + " health "
                                            + List.of("up", "stopping", "down")
                                                    .get(random.nextInt(3));
                        };
                traffic = traffic.withEvent(before, command);
            }
            if (e % 3 == 2) {
                // Every third point puts one server wholly back, so that a run does not end with
                // every server out (a forced DOWN holds until 'health up' or maintenance ends it).
                String server = randomServer(config, random);
                traffic =
                        traffic.withEvent(before, "enable server " + server)
                                .withEvent(before, "set server " + server + " health up")
                                .withEvent(before, "set server " + server + " weight 100%");
            }
            // Each server's state and the backend's after the commands, compared row by row.
            traffic = traffic.withEvent(before, "show stat");
        }
        return traffic;
    }

    /** One of the config's servers, as the runtime API names it ({@code be/sN}). */
    private static String randomServer(ConfigGenerator.Generated config, Random random) {
        return "be/" + config.serverNames().get(random.nextInt(config.serverNames().size()));
    }
}
