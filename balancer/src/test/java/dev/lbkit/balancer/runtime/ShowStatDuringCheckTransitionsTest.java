package dev.lbkit.balancer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.Watchdog;
import dev.lbkit.balancer.config.HttpCheck;
import dev.lbkit.balancer.health.FlappingHealth;
import dev.lbkit.balancer.proxy.TestBackend;
import dev.lbkit.balancer.proxy.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 25: {@code show stat} polled while health checks move servers UP and DOWN froze lbkit for
 * good. {@code show stat} held the backend's lock and waited for a checker's; the checker, marking
 * its server DOWN, held its own lock and waited for the backend's. Here several servers flap
 * between passing and failing their HTTP checks as fast as a 10 ms {@code inter} goes while several
 * clients poll {@code show stat} through the real stats socket. A {@link Watchdog} fails the test
 * with a thread dump when lbkit deadlocks or an answer is late, instead of hanging.
 */
class ShowStatDuringCheckTransitionsTest {
    /**
     * The old lock order deadlocked in 20 runs out of 20, 0.17 to 0.79 s into the race (median 0.31
     * s) on a busy 2-core machine; five seconds is six times the slowest of them.
     */
    private static final Duration RACE = Duration.ofSeconds(5);

    /**
     * {@code show stat} does no I/O but writing its answer: seconds mean it is stuck, even on a
     * busy machine.
     */
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(2);

    private static final int SERVERS = 8;
    private static final int POLLERS = 3;
    private static final int INTER_MS = 10;
    private static final int RISE = 2;
    private static final int FALL = 2;

    /** A deadlocked lbkit never stops; the build must not wait for it. */
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private Lbkit lbkit;

    @AfterEach
    void stop() throws Exception {
        boolean stopped = lbkit == null || Watchdog.closeWithin(CLOSE_LIMIT, lbkit);
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        assertThat(stopped)
                .as("lbkit stops within %d s once the test is over", CLOSE_LIMIT.toSeconds())
                .isTrue();
    }

    @Test
    void showStatKeepsAnsweringWhileChecksMoveServersUpAndDown() throws Exception {
        TestConfigs.Listen listen =
                TestConfigs.listen("web")
                        .httpCheck(new HttpCheck("GET", "/health", "HTTP/1.0"))
                        .timeouts(1000, 30_000, 30_000, 1000)
                        .statsSocket("127.0.0.1", 0, null, "admin");
        for (int i = 1; i <= SERVERS; i++) {
            TestBackend server = new TestBackend("s" + i);
            closeAfter.add(server);
            server.route("/health", new FlappingHealth(RISE, FALL));
            listen.server(TestConfigs.checked("s" + i, server.port(), INTER_MS, RISE, FALL));
        }
        lbkit = Lbkit.start(listen.config());
        List<String> expectedRows = new ArrayList<>(List.of("web/FRONTEND"));
        for (int s = 1; s <= SERVERS; s++) {
            expectedRows.add("web/s" + s);
        }
        expectedRows.add("web/BACKEND");
        StatsSocketClient stats = new StatsSocketClient(lbkit, ANSWER_LIMIT.multipliedBy(2));
        Watchdog watchdog = new Watchdog();
        closeAfter.add(watchdog);

        AtomicLong polls = new AtomicLong();
        Set<String> statusesSeen = ConcurrentHashMap.newKeySet();
        long endNanos = System.nanoTime() + RACE.toNanos();
        ExecutorService pollers =
                Executors.newFixedThreadPool(
                        POLLERS,
                        runnable -> {
                            Thread thread = new Thread(runnable, "show-stat-poller");
                            thread.setDaemon(true);
                            return thread;
                        });
        for (int i = 0; i < POLLERS; i++) {
            pollers.execute(
                    () -> {
                        try {
                            while (!watchdog.tripped() && System.nanoTime() < endNanos) {
                                Map<String, Map<String, String>> rows =
                                        watchdog.watch("show stat", ANSWER_LIMIT, stats::showStat);
                                assertThat(rows.keySet())
                                        .as(
                                                "show stat has the FRONTEND row, one row per server, the BACKEND row")
                                        .containsExactlyElementsOf(expectedRows);
                                int shownUp = 0;
                                for (int s = 1; s <= SERVERS; s++) {
                                    String status = rows.get("web/s" + s).get("status");
                                    statusesSeen.add(status);
                                    shownUp += status.startsWith("UP") ? 1 : 0;
                                }
                                assertThat(rows.get("web/BACKEND").get("act"))
                                        .as(
                                                "one show stat is one picture: the BACKEND row counts as active the servers shown UP")
                                        .isEqualTo(String.valueOf(shownUp));
                                polls.incrementAndGet();
                            }
                        } catch (Throwable failure) {
                            watchdog.workerFailed(Thread.currentThread().getName(), failure);
                        }
                    });
        }
        pollers.shutdown();

        Optional<String> trip = watchdog.awaitTrip(RACE);
        assertThat(trip)
                .as("show stat and the health checks never wait for each other for good (issue 25)")
                .isEmpty();
        assertThat(pollers.awaitTermination(ANSWER_LIMIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("every poller stops once the race is over")
                .isTrue();
        assertThat(watchdog.awaitTrip(Duration.ZERO))
                .as("no poller failed while stopping")
                .isEmpty();

        Map<String, Map<String, String>> last = stats.showStat();
        long downs = 0;
        for (int s = 1; s <= SERVERS; s++) {
            long serverDowns = Long.parseLong(last.get("web/s" + s).get("chkdown"));
            assertThat(serverDowns)
                    .as("s%d went DOWN (and UP again) many times while show stat was polled", s)
                    .isGreaterThanOrEqualTo(10);
            downs += serverDowns;
        }
        assertThat(polls.get())
                .as("the pollers really raced the checks")
                .isGreaterThanOrEqualTo(100);
        assertThat(statusesSeen)
                .as("the polls saw servers UP and DOWN, not one side of the race")
                .contains("UP", "DOWN");
        System.out.printf(
                "issue 25 race: %d show stat answers, %d DOWN transitions (and about as many UP), statuses seen %s, %d s%n",
                polls.get(), downs, statusesSeen, RACE.toSeconds());
    }
}
