package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Retries after a refused connect, side by side, with {@code retries} above 1: where each retry
 * goes (the same server, or another at once with {@code option redispatch}) and how long the
 * request waits before its answer (HAProxy pauses before retrying the same server). Four scenarios,
 * each request on a new connection: the answer (the server that served it, or the status) and the
 * time to it must be the same, within {@value #TOLERANCE_MS} ms.
 */
class RetryPauseParityTest {
    static final long TOLERANCE_MS = 250;

    /**
     * A name, the backend's lines (ports as {REFUSED1}, {REFUSED2}, {APP1}, {APP2}) and targets.
     */
    record Scenario(String name, String backend, List<String> targets) {}

    static final List<Scenario> SCENARIOS =
            List.of(
                    new Scenario(
                            "roundrobin, two of three servers refuse, retries 3, option redispatch:"
                                    + " every retry at once on another server",
                            """
                                balance roundrobin
                                retries 3
                                option redispatch
                                server s1 127.0.0.1:{REFUSED1}
                                server s2 127.0.0.1:{REFUSED2}
                                server s3 127.0.0.1:{APP1}
                            """,
                            List.of("/", "/", "/", "/", "/", "/")),
                    new Scenario(
                            "uri, one of two servers refuses, retries 3, option redispatch: two"
                                    + " pauses on the key's server, then the last retry at once",
                            """
                                balance uri
                                retries 3
                                option redispatch
                                server s1 127.0.0.1:{REFUSED1}
                                server s2 127.0.0.1:{APP1}
                            """,
                            List.of("/a", "/b")),
                    new Scenario(
                            "one server, refused, retries 2, timeout connect 300ms: two pauses of"
                                    + " 300 ms",
                            """
                                timeout connect 300ms
                                retries 2
                                server s1 127.0.0.1:{REFUSED1}
                            """,
                            List.of("/", "/")),
                    new Scenario(
                            "roundrobin, the only active server refuses, a backup, retries 2,"
                                    + " option redispatch: no other active server, so a pause"
                                    + " before each retry",
                            """
                                balance roundrobin
                                retries 2
                                option redispatch
                                server s1 127.0.0.1:{REFUSED1}
                                server s2 127.0.0.1:{APP2} backup
                            """,
                            List.of("/")));

    private static final List<FlaskReplica> APPS = new ArrayList<>();
    private static final Map<String, List<Answer>> HAPROXY = new ConcurrentHashMap<>();

    @BeforeAll
    static void startApps() {
        for (int app = 1; app <= 2; app++) {
            APPS.add(FlaskReplica.start(app, "127.0.0.1", 0, Duration.ZERO));
        }
    }

    @AfterAll
    static void stopApps() {
        APPS.forEach(FlaskReplica::close);
    }

    /** One answer: the server that served it (or the status, or the error) and how long it took. */
    record Answer(String what, long millis) {
        boolean sameAs(Answer other) {
            return what.equals(other.what) && Math.abs(millis - other.millis) <= TOLERANCE_MS;
        }

        @Override
        public String toString() {
            return what + " after " + millis + " ms";
        }
    }

    @Test
    void retriesGoWhereHaproxysGoAndWaitAsLong() throws Exception {
        List<String> differences = new ArrayList<>();
        int compared = 0;
        int paused = 0;
        for (Scenario scenario : SCENARIOS) {
            List<Answer> theirs = haproxy(scenario);
            List<Answer> ours = lbkit(scenario, UnaryOperator.identity());
            for (int i = 0; i < theirs.size(); i++) {
                compared++;
                if (theirs.get(i).millis() >= 250) {
                    paused++;
                }
                if (!theirs.get(i).sameAs(ours.get(i))) {
                    differences.add(
                            scenario.name()
                                    + " "
                                    + scenario.targets().get(i)
                                    + ": HAProxy "
                                    + theirs.get(i)
                                    + ", lbkit "
                                    + ours.get(i));
                }
            }
            System.out.printf(
                    "[lbkit] retries: %s%n    HAProxy %s%n    lbkit   %s%n",
                    scenario.name(), theirs, ours);
        }
        String summary =
                (compared - differences.size())
                        + "/"
                        + compared
                        + " answers alike (server or status, and time within "
                        + TOLERANCE_MS
                        + " ms), "
                        + paused
                        + " of them after a pause; HAProxy: "
                        + Parity.haproxy().describe();
        System.out.println("[lbkit] retries: " + summary);
        Report.writeLine("retries", "retry-pauses", summary);
        assertThat(paused).as("answers HAProxy gave after a pause").isGreaterThanOrEqualTo(4);
        assertThat(differences).as("answers that differ from HAProxy's").isEmpty();
    }

    /**
     * Negative control: lbkit given {@code retries 1} where HAProxy has 3 or 2. Every scenario then
     * ends sooner or elsewhere, and the same comparison must say so.
     */
    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitWithFewerRetries() throws Exception {
        int differing = 0;
        int compared = 0;
        for (Scenario scenario : SCENARIOS) {
            List<Answer> theirs = haproxy(scenario);
            List<Answer> ours =
                    lbkit(scenario, NegativeControl.replace("retries [23]\n", "retries 1\n"));
            for (int i = 0; i < theirs.size(); i++) {
                compared++;
                if (!theirs.get(i).sameAs(ours.get(i))) {
                    differing++;
                }
            }
        }
        NegativeControl.record(
                "retries-fewer",
                "retries after a refused connect: answer and time per request",
                "retries 1 for 3 or 2",
                "rejected: " + differing + "/" + compared + " answers differ");
        assertThat(differing).as("answers that differ with retries 1").isGreaterThan(0);
    }

    /** HAProxy's answers, once per scenario (both tests compare against the same run). */
    private static List<Answer> haproxy(Scenario scenario) throws Exception {
        List<Answer> cached = HAPROXY.get(scenario.name());
        if (cached != null) {
            return cached;
        }
        int port = SideBySide.freePort();
        List<Answer> answers;
        try (AutoCloseable running = Parity.haproxy().start(config(scenario, port))) {
            answers = drive(port, scenario.targets());
        }
        HAPROXY.put(scenario.name(), answers);
        return answers;
    }

    private static List<Answer> lbkit(Scenario scenario, UnaryOperator<String> mistake)
            throws Exception {
        int port = SideBySide.freePort();
        try (Lbkit lbkit =
                Lbkit.start(
                        ConfigParser.parse(
                                mistake.apply(config(scenario, port)),
                                "retries (lbkit side)",
                                Parity.haproxy().line()))) {
            return drive(port, scenario.targets());
        }
    }

    /** Free ports nothing listens on, the same for both sides (a refused connect). */
    private static final int REFUSED1 = freePort();

    private static final int REFUSED2 = freePort();

    private static int freePort() {
        try {
            return SideBySide.freePort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    static String config(Scenario scenario, int bindPort) {
        String backend =
                scenario.backend()
                        .replace("{REFUSED1}", Integer.toString(REFUSED1))
                        .replace("{REFUSED2}", Integer.toString(REFUSED2))
                        .replace("{APP1}", Integer.toString(APPS.get(0).port()))
                        .replace("{APP2}", Integer.toString(APPS.get(1).port()));
        return """
                global
                    nbthread 1

                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s

                frontend fe
                    bind 127.0.0.1:%d
                    default_backend be

                backend be
                %s"""
                .formatted(bindPort, backend);
    }

    private static List<Answer> drive(int port, List<String> targets) {
        List<Answer> answers = new ArrayList<>();
        for (String target : targets) {
            long start = System.nanoTime();
            String what;
            try (RawHttpClient client =
                    new RawHttpClient(new InetSocketAddress("127.0.0.1", port), null, 15_000)) {
                RawHttpClient.Response response =
                        client.get(target, "127.0.0.1:" + port, List.of(), false);
                String servedBy = response.header("x-served-by");
                what = servedBy != null ? servedBy : String.valueOf(response.status());
            } catch (IOException e) {
                what = "error: " + e.getMessage();
            }
            answers.add(new Answer(what, (System.nanoTime() - start) / 1_000_000));
        }
        return answers;
    }
}
