package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Faults under load, short version (50 clients x 5 s per fault; {@link SoakRun} is the long one): a
 * killed server, one that never answers, one that resets, one that answers garbage, and one whose
 * health flaps. Every request gets an answer HAProxy would give, none waits past the timeouts, no
 * answer goes to the wrong request, show stat balances, and nothing is left behind.
 */
class FaultsUnderLoadTest {
    static final int CLIENTS = Integer.getInteger("lbkit.faults.clients", 50);
    static final Duration DURATION =
            Duration.ofSeconds(Integer.getInteger("lbkit.faults.seconds", 5));

    @BeforeAll
    static void warmUp() throws Exception {
        // Class loading and JIT happen once per JVM; keep them out of the baselines.
        FaultLoad.run(FaultLoad.Fault.RESETS, 4, Duration.ofSeconds(1));
    }

    @TestFactory
    Stream<DynamicTest> everyRequestIsAnsweredAndNothingLeaks() {
        return Stream.of(FaultLoad.Fault.values())
                .map(
                        fault ->
                                DynamicTest.dynamicTest(
                                        fault.name(),
                                        () -> check(FaultLoad.run(fault, CLIENTS, DURATION))));
    }

    static void check(FaultLoad.Result r) {
        System.out.println("[lbkit] fault " + r.line());
        assertThat(r.failed()).as("%s: requests without an answer", r.fault()).isZero();
        if (r.fault() == FaultLoad.Fault.KILLED) {
            // Killed between its head and its body, the server leaves the answer cut short; HAProxy
            // then forwards what came and closes the connection, as ServerDiesMidAnswerTest shows.
            // Each client has one request in flight, so at most one cut answer each.
            assertThat(r.truncated())
                    .as("%s: answers cut short (at most one per client)", r.fault())
                    .isLessThanOrEqualTo(r.clients());
        } else {
            assertThat(r.truncated()).as("%s: answers cut short", r.fault()).isZero();
        }
        assertThat(r.answered())
                .as("%s: every request sent is answered", r.fault())
                .isEqualTo(r.sent());
        assertThat(r.byStatus().keySet())
                .as("%s: only the statuses HAProxy gives for this fault", r.fault())
                .isSubsetOf(r.fault().allowed);
        assertThat(r.byStatus())
                .as("%s: the good server keeps answering", r.fault())
                .containsKey(200);
        if (r.fault() != FaultLoad.Fault.KILLED && r.fault() != FaultLoad.Fault.HEALTH_FLAPPING) {
            assertThat(r.byStatus().keySet())
                    .as("%s: the fault is seen by clients", r.fault())
                    .containsAnyOf(502, 504);
        }
        assertThat(r.maxLatencyMs())
                .as("%s: no answer waits past the configured timeouts", r.fault())
                .isLessThanOrEqualTo(FaultLoad.WORST_CASE_ANSWER.toMillis());
        assertThat(r.earlyTimeouts())
                .as("%s: 504s answered before timeout server had passed", r.fault())
                .isZero();
        assertThat(r.misrouted())
                .as("%s: answers that belong to another request", r.fault())
                .isZero();
        assertThat(r.duplicates()).as("%s: requests the good server got twice", r.fault()).isZero();
        assertThat(r.frontendTotal())
                .as("%s: show stat FRONTEND req_tot equals requests sent", r.fault())
                .isEqualTo(r.sent());
        assertThat(r.frontendCurrent()).as("%s: FRONTEND scur after the run", r.fault()).isZero();
        assertThat(r.serversInFlight()).as("%s: servers' scur after the run", r.fault()).isZero();
        assertThat(r.lbkitThreadsLeft()).as("%s: lbkit-* threads after close", r.fault()).isZero();
        assertThat(r.threadsLeft())
                .as("%s: threads above the baseline after close: %s", r.fault(), r.newThreads())
                .isLessThanOrEqualTo(0);
        assertThat(r.fdsLeft())
                .as("%s: file descriptors above the baseline after close", r.fault())
                .isLessThanOrEqualTo(0);
        assertThat(r.heapGrowthMb())
                .as("%s: heap after GC above the baseline (MiB)", r.fault())
                .isLessThanOrEqualTo(16);
    }
}
