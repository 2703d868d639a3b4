package dev.lbkit.harness.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class HaproxyForTestsTest {

    private static final HaproxyLocator.Lookup MISSING = HaproxyLocator.Lookup.missing("Docker does not answer");

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
        Haproxy binary = Haproxy.binary(Path.of("/usr/sbin/haproxy"));

        assertThat(HaproxyForTests.use(HaproxyLocator.Lookup.found(binary), false, true))
                .as("a found HAProxy is returned as is").isSameAs(binary);
    }

    @Test
    void unknownChoiceNamesTheAllowedValues() {
        assertThatThrownBy(() -> HaproxyLocator.parseChoice("docker", "-Dlbkit.haproxy"))
                .as("a typo in -Dlbkit.haproxy says what is allowed")
                .hasMessage("-Dlbkit.haproxy=docker is not a HAProxy choice: use auto, container, binary or none");
    }

    @Test
    void autoAllowsBothKindsAndAKindOnlyItself() {
        assertThat(HaproxyLocator.Choice.AUTO.allows(Haproxy.Kind.CONTAINER)).as("auto allows the container").isTrue();
        assertThat(HaproxyLocator.Choice.BINARY.allows(Haproxy.Kind.CONTAINER)).as("binary excludes the container").isFalse();
        assertThat(HaproxyLocator.Choice.NONE.allows(Haproxy.Kind.BINARY)).as("none excludes everything").isFalse();
    }
}
