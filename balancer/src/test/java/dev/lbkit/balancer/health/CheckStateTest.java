package dev.lbkit.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** HAProxy's rise/fall counter, step by step. */
class CheckStateTest {

    @Test
    void oneFailedCheckAtStartupMarksTheServerDown() {
        CheckState state = new CheckState(2, 3);
        assertThat(state.status())
                .as("a checked server starts UP at health = rise")
                .isEqualTo("UP 1/3");
        assertThat(state.fail()).as("the first failure at startup is a transition").isTrue();
        assertThat(state.up()).isFalse();
        assertThat(state.status()).isEqualTo("DOWN");
    }

    @Test
    void afterOnePassItTakesFallConsecutiveFailuresToGoDown() {
        CheckState state = new CheckState(2, 3);
        state.pass();
        assertThat(state.health()).as("a pass jumps health to rise+fall-1").isEqualTo(4);
        assertThat(state.status()).isEqualTo("UP");
        assertThat(state.fail()).isFalse();
        assertThat(state.status()).as("one failure out of fall").isEqualTo("UP 2/3");
        assertThat(state.fail()).isFalse();
        assertThat(state.status()).isEqualTo("UP 1/3");
        assertThat(state.fail()).as("the third consecutive failure takes it down").isTrue();
        assertThat(state.status()).isEqualTo("DOWN");
        assertThat(state.downTransitions()).isEqualTo(1);
        assertThat(state.failedChecks()).isEqualTo(3);
    }

    @Test
    void aPassBetweenFailuresStartsTheFallCountAgain() {
        CheckState state = new CheckState(2, 3);
        state.pass();
        state.fail();
        state.fail();
        state.pass();
        assertThat(state.status()).as("a pass restores full health").isEqualTo("UP");
        state.fail();
        state.fail();
        assertThat(state.up()).isTrue();
    }

    @Test
    void comingBackUpNeedsRiseConsecutivePasses() {
        CheckState state = new CheckState(3, 2);
        state.fail();
        assertThat(state.pass()).isFalse();
        assertThat(state.status()).as("passes so far out of rise").isEqualTo("DOWN 1/3");
        state.fail();
        assertThat(state.status()).as("a failure while coming up starts over").isEqualTo("DOWN");
        state.pass();
        state.pass();
        assertThat(state.pass()).as("the rise-th consecutive pass brings it up").isTrue();
        assertThat(state.status()).isEqualTo("UP");
    }

    @Test
    void onThreeFourAServerStartsAtHealthZeroAndNeedsRisePassesBeforeItToleratesAFailure() {
        CheckState state = new CheckState(2, 3, 0);
        assertThat(state.status()).as("3.4.7 before the first check").isEqualTo("UP -1/3");
        state.pass();
        assertThat(state.status()).as("3.4.7 after one pass").isEqualTo("UP 0/3");
        assertThat(state.fail()).as("a failure before rise passes takes it down").isTrue();
        CheckState risen = new CheckState(2, 3, 0);
        risen.pass();
        risen.pass();
        assertThat(risen.status()).isEqualTo("UP");
        assertThat(risen.fail()).isFalse();
    }

    @Test
    void forcedHealthGoesToTheTopOrToZero() {
        CheckState state = new CheckState(2, 3);
        state.force(false);
        assertThat(state.status()).isEqualTo("DOWN");
        assertThat(state.downTransitions()).isEqualTo(1);
        state.force(false);
        assertThat(state.downTransitions()).as("already DOWN: no new transition").isEqualTo(1);
        assertThat(state.pass()).isFalse();
        assertThat(state.status()).as("checks go on from 0").isEqualTo("DOWN 1/2");
        state.force(true);
        assertThat(state.status()).isEqualTo("UP");
        assertThat(state.health()).isEqualTo(4);
    }

    @Test
    void maintenanceCountsAsGoingDownFromUpAndLeavingItStartsAtRise() {
        CheckState state = new CheckState(2, 3);
        state.pass();
        state.enterMaintenance();
        assertThat(state.downTransitions()).isEqualTo(1);
        state.leaveMaintenance();
        assertThat(state.status()).isEqualTo("UP 1/3");
        state.force(false);
        state.enterMaintenance();
        assertThat(state.downTransitions())
                .as("from DOWN, maintenance is no new transition")
                .isEqualTo(2);
        state.leaveMaintenance();
        assertThat(state.up()).as("leaving maintenance makes it UP, even from DOWN").isTrue();
        assertThat(state.fail()).as("one failure at rise takes it down").isTrue();
    }
}
