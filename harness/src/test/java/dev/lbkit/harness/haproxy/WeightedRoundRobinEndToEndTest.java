package dev.lbkit.harness.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.backends.Replicas;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The article's EP 9 (weights 2/1/3, roundrobin) on a real HAProxy in front of three replicas:
 * every 6 requests go 2 to app1, 1 to app2, 3 to app3.
 *
 * <p>Servers UP before traffic: HAProxy 2.6 starts a {@code check} server UP, and one failed check
 * would mark it DOWN. The replicas listen before HAProxy starts, so the first checks pass. No
 * warm-up request is sent, because each one would move the roundrobin position; instead any non-200
 * answer fails the test with HAProxy's log, and the log must show no server going DOWN.
 */
class WeightedRoundRobinEndToEndTest {

    private static final int REQUESTS = 600;
    private static final int CYCLE = 6;
    private static final Map<String, Long> PER_CYCLE = Map.of("app1", 2L, "app2", 1L, "app3", 3L);

    @ParameterizedTest(name = "HAProxy {0}")
    @MethodSource("dev.lbkit.harness.haproxy.HaproxyForTests#kindsHere")
    void sendsTwoOneThreeOfEverySixRequestsToApp1App2App3(Haproxy.Kind kind) throws IOException {
        Haproxy haproxy = HaproxyForTests.get(kind);
        try (Replicas apps = Replicas.start(3)) {
            int port = ArticleConfigs.freeLoopbackPort();
            String article = ArticleConfigs.read("article/ep9-weighted-roundrobin.cfg");
            String config = ArticleConfigs.localize(article, port, apps);
            assertOnlyAddressesDiffer(article, config);

            long startNanos = System.nanoTime();
            try (RunningHaproxy running = haproxy.start(config)) {
                System.out.printf(
                        "[lbkit] %s started and listening in %d ms%n",
                        haproxy.describe(), (System.nanoTime() - startNanos) / 1_000_000);
                List<String> servedBy = sendSequentially("http://127.0.0.1:" + port + "/", running);

                List<Map<String, Long>> cycles = new ArrayList<>();
                for (int start = 0; start < REQUESTS; start += CYCLE) {
                    cycles.add(count(servedBy.subList(start, start + CYCLE)));
                }
                assertThat(cycles)
                        .as(
                                "weights 2/1/3: every 6-request cycle sends 2 to app1, 1 to app2, 3 to app3")
                        .allSatisfy(cycle -> assertThat(cycle).isEqualTo(PER_CYCLE));
                assertThat(count(servedBy))
                        .as("600 requests split 200/100/300 by weights 2/1/3")
                        .isEqualTo(Map.of("app1", 200L, "app2", 100L, "app3", 300L));
                assertThat(running.logs())
                        .as("no server went DOWN during the run")
                        .doesNotContain(" is DOWN");
            }
        }
    }

    private static List<String> sendSequentially(String url, RunningHaproxy running)
            throws IOException {
        OkHttpClient client = new OkHttpClient();
        List<String> servedBy = new ArrayList<>(REQUESTS);
        try {
            for (int i = 0; i < REQUESTS; i++) {
                try (Response response =
                        client.newCall(new Request.Builder().url(url).build()).execute()) {
                    String body = response.body().string();
                    String replica = response.header(FlaskReplica.SERVED_BY_HEADER, "none");
                    if (response.code() != 200) {
                        fail(
                                "request %d got %d '%s'; HAProxy's log:%n%s",
                                i + 1, response.code(), body, running.logs());
                    }
                    assertThat(body)
                            .as(
                                    "request %d: the body comes from the replica named in the header",
                                    i + 1)
                            .isEqualTo(
                                    FlaskReplica.helloText(
                                            Integer.parseInt(replica.substring("app".length()))));
                    servedBy.add(replica);
                }
            }
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
        return servedBy;
    }

    private static Map<String, Long> count(List<String> servedBy) {
        return servedBy.stream()
                .collect(
                        Collectors.groupingBy(
                                Function.identity(), TreeMap::new, Collectors.counting()));
    }

    private static void assertOnlyAddressesDiffer(String article, String localized) {
        String[] before = article.split("\n", -1);
        String[] after = localized.split("\n", -1);
        assertThat(after).as("the rewrite keeps every line").hasSameSizeAs(before);
        for (int i = 0; i < before.length; i++) {
            if (!before[i].equals(after[i])) {
                assertThat(before[i].strip())
                        .as("line %d: only bind and server addresses change", i + 1)
                        .matches("(bind|server) .*");
                assertThat(after[i].replaceAll("127\\.0\\.0\\.1:\\d+", "ADDR"))
                        .as("line %d: the same words around the new address", i + 1)
                        .isEqualTo(before[i].replaceAll("(\\*|app\\d+):\\d+", "ADDR"));
            }
        }
    }
}
