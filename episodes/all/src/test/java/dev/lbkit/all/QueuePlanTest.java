package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.all.QueueParityTest.PlannedQueue;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The timetables of {@link QueueParityTest} are clear of ties by plan: no balancer is needed to
 * check that, only the queue they are played through.
 */
class QueuePlanTest {
    private static final long GAP = 200;

    /**
     * Seed 434343 drew holds whose plan, through three slots and {@code timeout queue 400ms}, ends
     * two requests at the same moment (#7 and #8 at 2,855 ms): HAProxy 3.4 and lbkit each saw those
     * servers free 1 ms apart, in opposite orders, in all three attempts, and gave the next queued
     * request to different servers. The plan check finds that tie, and the drawing avoids it.
     */
    @Test
    void theTieSeed434343DrewIsFoundAndAvoided() {
        PlannedQueue timeoutQueue = new PlannedQueue(3, 2 * GAP);
        List<Long> unchecked = QueueParityTest.delays(434343, null);
        assertThat(timeoutQueue.hasTie(unchecked)).as("the tie the failing run met").isTrue();
        assertThat(timeoutQueue.hasTie(QueueParityTest.delays(434343, timeoutQueue))).isFalse();
    }

    @Test
    void plansDrawnForAQueueHaveNoTie() {
        for (PlannedQueue queue :
                List.of(
                        new PlannedQueue(3, 0),
                        new PlannedQueue(4, 0),
                        new PlannedQueue(3, 2 * GAP))) {
            for (long seed = 1; seed <= 200; seed++) {
                List<Long> delays = QueueParityTest.delays(seed, queue);
                assertThat(queue.hasTie(delays))
                        .as("%s, seed %d: %s", queue, seed, delays)
                        .isFalse();
                assertThat(delays).as("a queue still forms").anyMatch(d -> d >= 2 * GAP);
            }
        }
    }

    /** Two requests planned to end together are a tie; a fifth of a gap apart they are not. */
    @Test
    void endsCloserThanAFifthOfAGapAreATie() {
        PlannedQueue three = new PlannedQueue(3, 0);
        // #0 ends at 450, #1 at 200 + 250 = 450.
        assertThat(three.hasTie(List.of(450L, 250L))).isTrue();
        // #1 at 200 + 290 = 490: 40 ms apart.
        assertThat(three.hasTie(List.of(450L, 290L))).isFalse();
        // An end on a later arrival (#0 ends at 400, when #2 arrives): a tie.
        assertThat(three.hasTie(List.of(400L))).isTrue();
        // One slot: #1 waits for #0 (ends 450) and ends at 450 + 350 = 800, on #4's arrival.
        assertThat(new PlannedQueue(1, 0).hasTie(List.of(450L, 350L))).isTrue();
        assertThat(new PlannedQueue(1, 0).hasTie(List.of(450L, 300L))).isFalse();
    }

    /**
     * The plan's timeouts are the 503s HAProxy gave: in runs against HAProxy 3.4.7 of the timeout
     * test (2026-12-04, {@code -Dlbkit.seed=N}), seeds 11, 22, 33, 44 and 434343 answered 4, 6, 4,
     * 3 and 1 requests with a 503 on both sides, the default seed 1 (on 2.6 and 3.4), and seed 55
     * none, which is why the test takes the next seed with a timeout.
     */
    @Test
    void thePlansTimeoutsAreThe503sHaproxyGave() {
        PlannedQueue timeoutQueue = new PlannedQueue(3, 2 * GAP);
        long[][] seedAnd503s = {{11, 4}, {22, 6}, {33, 4}, {44, 3}, {434343, 1}, {20261130, 1}};
        for (long[] run : seedAnd503s) {
            assertThat(timeoutQueue.timedOut(QueueParityTest.delays(run[0], timeoutQueue)))
                    .as("seed %d", run[0])
                    .isEqualTo((int) run[1]);
        }
        assertThat(timeoutQueue.timedOut(QueueParityTest.delays(55, timeoutQueue))).isZero();
        assertThat(QueueParityTest.seedWithATimeout(55, timeoutQueue)).isGreaterThan(55);
        assertThat(QueueParityTest.seedWithATimeout(20261130, timeoutQueue)).isEqualTo(20261130);
    }
}
