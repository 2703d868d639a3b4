package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimedParityTest {
    private static final TimedTraffic THREE_EVERY_100_MS =
            TimedTraffic.every("t", 3, 100, i -> "/");

    private static TimedRun run(
            String side, List<String> picks, List<Long> started, List<Long> ended) {
        return new TimedRun(new Picks(side, picks), started, ended, List.of(), THREE_EVERY_100_MS);
    }

    private static TimedParity parity(TimedRun haproxy, TimedRun lbkit) {
        Comparison c =
                new Comparison(
                        "t", "", THREE_EVERY_100_MS.asTraffic(), haproxy.picks(), lbkit.picks());
        return new TimedParity(c, haproxy, lbkit, 1);
    }

    @Test
    void differenceAfterTheSameOrderOfEventsIsReal() {
        TimedRun haproxy =
                run(
                        "h",
                        List.of("s1", "s2", "s1"),
                        List.of(0L, 100L, 200L),
                        List.of(150L, 102L, 203L));
        TimedRun lbkit =
                run(
                        "l",
                        List.of("s1", "s2", "s2"),
                        List.of(0L, 100L, 200L),
                        List.of(151L, 101L, 201L));

        assertThat(parity(haproxy, lbkit).sameHistoryBeforeFirstDifference(30))
                .as(
                        "both saw request 0 end between the starts of 1 and 2: a real difference, no rerun")
                .isTrue();
    }

    @Test
    void differenceAfterAnAnswerCrossedAStartIsTiming() {
        TimedRun haproxy =
                run(
                        "h",
                        List.of("s1", "s2", "s2"),
                        List.of(0L, 100L, 200L),
                        List.of(260L, 102L, 203L));
        TimedRun lbkit =
                run(
                        "l",
                        List.of("s1", "s2", "s1"),
                        List.of(0L, 100L, 200L),
                        List.of(150L, 101L, 201L));

        assertThat(parity(haproxy, lbkit).sameHistoryBeforeFirstDifference(30))
                .as("request 0 ended after request 2 started on one side only: timing, rerun")
                .isFalse();
    }

    @Test
    void answersTooCloseToAStartCannotBeOrdered() {
        TimedRun haproxy =
                run(
                        "h",
                        List.of("s1", "s2", "s2"),
                        List.of(0L, 100L, 200L),
                        List.of(190L, 102L, 203L));
        TimedRun lbkit =
                run(
                        "l",
                        List.of("s1", "s2", "s1"),
                        List.of(0L, 100L, 200L),
                        List.of(185L, 101L, 201L));

        assertThat(parity(haproxy, lbkit).sameHistoryBeforeFirstDifference(30))
                .as(
                        "an answer 10 ms before a start is within the margin: not a trustworthy history")
                .isFalse();
    }

    @Test
    void showStatGivesTheServersInFlight() {
        String csv =
                "# pxname,svname,qcur,qmax,scur,smax\nfe,FRONTEND,,,3,4\nbe,s1,0,0,2,3\nbe,s2,0,0,0,1\nbe,BACKEND,0,0,2,3\n";

        assertThat(ShowStat.inFlight(csv, "be"))
                .as("scur of the server rows only")
                .isEqualTo(Map.of("s1", 2, "s2", 0));
    }

    @Test
    void waitsDifferOnlyBeyondTheMarginOrWhenOneSideGotNoAnswer() {
        TimedRun haproxy =
                run(
                        "h",
                        List.of("s1", "s2", "s1"),
                        List.of(0L, 100L, 200L),
                        List.of(300L, 150L, 260L));
        TimedRun lbkit =
                run(
                        "l",
                        List.of("s1", "s2", "s1"),
                        List.of(0L, 101L, 200L),
                        List.of(330L, 212L, -1L));

        assertThat(parity(haproxy, lbkit).waitsDiffering(40))
                .as("#0 within 40 ms (300 vs 330), #1 not (50 vs 111), #2 unanswered on lbkit")
                .containsExactly(
                        "#1: HAProxy 50 ms, lbkit 111 ms", "#2: HAProxy 60 ms, lbkit no answer");
        assertThat(parity(haproxy, haproxy).waitsDiffering(0)).isEmpty();
    }
}
