package dev.lbkit.harness.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.balancer.config.HaproxyLine;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class HaproxyForTestsTest {

    private static final HaproxyLocator.Lookup MISSING =
            HaproxyLocator.Lookup.missing("Docker does not answer");

    @Test
    void missingHaproxySkipsTheTestOutsideCi() {
        assertThatThrownBy(() -> HaproxyForTests.use(MISSING, false, false))
                .as("no HAProxy and not required: skipped, saying how to get one")
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("Docker does not answer")
                .hasMessageContaining("install haproxy")
                .hasMessageContaining("-Dlbkit.haproxy=");
    }

    @Test
    void missingHaproxyFailsTheTestWhenRequired() {
        assertThatThrownBy(() -> HaproxyForTests.use(MISSING, false, true))
                .as("CI=true or -Dlbkit.haproxy.required=true: a missing HAProxy is a failure")
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("failing, not skipping");
    }

    @Test
    void missingHaproxyFailsWhenItsKindWasAskedFor() {
        assertThatThrownBy(() -> HaproxyForTests.use(MISSING, true, false))
                .as("-Dlbkit.haproxy=container with no container is a failure, not a silent skip")
                .isInstanceOf(AssertionFailedError.class);
    }

    @Test
    void foundHaproxyIsHandedOver() {
        Haproxy found = HaproxyForTests.get();

        assertThat(HaproxyForTests.use(HaproxyLocator.Lookup.found(found), false, true))
                .as("a found HAProxy is returned as is")
                .isSameAs(found);
    }

    @Test
    void unknownChoiceNamesTheAllowedValues() {
        assertThatThrownBy(() -> HaproxyLocator.parseChoice("docker", "-Dlbkit.haproxy"))
                .as("a typo in -Dlbkit.haproxy says what is allowed")
                .hasMessage(
                        "-Dlbkit.haproxy=docker is not a HAProxy choice: use auto, container, binary or none");
    }

    @Test
    void autoAllowsBothKindsAndAKindOnlyItself() {
        assertThat(HaproxyLocator.Choice.AUTO.allows(Haproxy.Kind.CONTAINER))
                .as("auto allows the container")
                .isTrue();
        assertThat(HaproxyLocator.Choice.BINARY.allows(Haproxy.Kind.CONTAINER))
                .as("binary excludes the container")
                .isFalse();
        assertThat(HaproxyLocator.Choice.NONE.allows(Haproxy.Kind.BINARY))
                .as("none excludes everything")
                .isFalse();
    }

    @Test
    void aHaproxyOfAModelledLineIsHandedOverAndItsLineRead() {
        Haproxy met = HaproxyForTests.get();
        assertThat(HaproxyLine.ofVersion(met.version()))
                .as("the HAProxy met here (%s) is of a modelled line", met.describe())
                .isIn(HaproxyLine.modelledLines());
        assertThat(HaproxyForTests.modelledOrRefused(met, true))
                .as("its line is modelled: used, even in CI")
                .isSameAs(met);
    }

    /**
     * A HAProxy of a line lbkit does not model is refused: checked with a real HAProxy 3.2 (pulled,
     * or the image .ci/build-haproxy-versions.sh builds) and the policy told that only 2.6 is
     * modelled, as it was before lbkit modelled 3.2 (no image of an unknown line, such as 2.8, can
     * be built here).
     */
    @Test
    void aHaproxyOfALineLbkitDoesNotModelIsSkippedLocallyAndFailsInCi() {
        // haproxy:3.2, pulled when it is not local, else local/haproxy:3.2; skipped without either
        // (failed in CI)
        Haproxy newer = HaproxyLines.get(HaproxyLine.V3_2);
        String version = newer.version();
        assertThat(version).as("the image holds HAProxy 3.2").startsWith("3.2.");
        java.util.List<HaproxyLine> only26 = java.util.List.of(HaproxyLine.V2_6);
        assertThat(HaproxyForTests.modelledOrRefused(newer, true))
                .as("3.2 is modelled now: used, even in CI")
                .isSameAs(newer);
        assertThatThrownBy(() -> HaproxyForTests.modelledOrRefused(newer, false, only26))
                .as(
                        "outside CI: skipped, naming the modelled lines and the way to a modelled HAProxy")
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("HAProxy " + version)
                .hasMessageContaining("lbkit models HAProxy 2.6")
                .hasMessageContaining("-Dhaproxy.image=local/haproxy:2.6");
        assertThatThrownBy(() -> HaproxyForTests.modelledOrRefused(newer, true, only26))
                .as("in CI: a failure, never a skip")
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("failing, not skipping");
    }

    @Test
    void versionsAreReadAsLines() {
        assertThat(HaproxyLine.ofVersion("2.6.12-1+deb12u4")).isEqualTo(HaproxyLine.V2_6);
        assertThat(HaproxyLine.ofVersion("3.0.11-1+deb13u4")).isEqualTo(HaproxyLine.V3_0);
        assertThat(HaproxyLine.ofVersion("3.4.7-1")).isEqualTo(HaproxyLine.V3_4);
        assertThat(HaproxyLine.ofVersion("3.2")).isEqualTo(HaproxyLine.V3_2);
        assertThat(HaproxyLine.ofVersion("2.8.5")).as("a line lbkit does not know").isNull();
        assertThatThrownBy(() -> HaproxyLine.requireModelled("9.9", "--haproxy-version"))
                .as("an unknown line is an error naming the known ones, never a fallback")
                .hasMessageContaining(
                        "Known lines: 2.6, 3.0, 3.2, 3.4; modelled: 2.6, 3.0, 3.2, 3.4.");
    }
}
