package dev.lbkit.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaSettingsTest {

    @Test
    void defaultsToTheArticlesApp1() {
        ReplicaSettings settings = ReplicaSettings.parse(List.of(), Map.of());

        assertThat(settings)
                .as("no flags, no env: app1 on 127.0.0.1:5001")
                .isEqualTo(new ReplicaSettings(List.of(1), "127.0.0.1", 5001, Duration.ZERO));
    }

    @Test
    void readsEveryFlag() {
        ReplicaSettings settings =
                ReplicaSettings.parse(
                        List.of(
                                "--app",
                                "3",
                                "--port",
                                "0",
                                "--host",
                                "127.0.0.2",
                                "--delay-ms",
                                "5000"),
                        Map.of());

        assertThat(settings)
                .as("all four flags")
                .isEqualTo(new ReplicaSettings(List.of(3), "127.0.0.2", 0, Duration.ofSeconds(5)));
    }

    @Test
    void appNumberAloneImpliesTheArticlesPort() {
        assertThat(ReplicaSettings.parse(List.of("--app", "3"), Map.of()).port())
                .as("app 3 listens on 5003 unless told otherwise")
                .isEqualTo(5003);
    }

    @Test
    void readsEnvironmentForContainers() {
        ReplicaSettings settings =
                ReplicaSettings.parse(
                        List.of(),
                        Map.of(
                                "APP_NUMBER",
                                "2",
                                "APP_PORT",
                                "6002",
                                "APP_HOST",
                                "127.0.0.1",
                                "APP_DELAY_MS",
                                "250"));

        assertThat(settings)
                .as("APP_* variables")
                .isEqualTo(
                        new ReplicaSettings(List.of(2), "127.0.0.1", 6002, Duration.ofMillis(250)));
    }

    @Test
    void flagsWinOverEnvironment() {
        ReplicaSettings settings =
                ReplicaSettings.parse(List.of("--port", "7000"), Map.of("APP_PORT", "6002"));

        assertThat(settings.port()).as("--port beats APP_PORT").isEqualTo(7000);
    }

    @Test
    void allStartsTheArticlesThreeApps() {
        ReplicaSettings settings = ReplicaSettings.parse(List.of("--all"), Map.of());

        assertThat(settings.apps()).as("--all means app1..app3").containsExactly(1, 2, 3);
        assertThat(List.of(settings.portOf(1), settings.portOf(2), settings.portOf(3)))
                .as("on the article's ports")
                .containsExactly(5001, 5002, 5003);
    }

    @Test
    void badNumberSaysWhichSettingAndWhatIsAllowed() {
        assertThatThrownBy(() -> ReplicaSettings.parse(List.of(), Map.of("APP_PORT", "80a")))
                .as("a typo in APP_PORT is named, with the allowed range")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("APP_PORT must be a whole number from 0 to 65535, got '80a'");
    }

    @Test
    void unknownFlagShowsUsage() {
        assertThatThrownBy(() -> ReplicaSettings.parse(List.of("--ap", "2"), Map.of()))
                .as("a mistyped flag is named and the usage follows")
                .hasMessageStartingWith("unknown argument '--ap'")
                .hasMessageContaining("Usage: backends");
    }

    @Test
    void flagWithoutValueIsNamed() {
        assertThatThrownBy(() -> ReplicaSettings.parse(List.of("--port"), Map.of()))
                .as("the flag missing its value is named, the usage follows")
                .hasMessageStartingWith("--port needs a value")
                .hasMessageContaining("Usage: backends");
    }

    @Test
    void usageListsEveryFlagWithItsEnvironmentVariable() {
        assertThat(ReplicaSettings.usage())
                .as("--help text")
                .startsWith("Usage: backends ")
                .contains(
                        "--app N",
                        "APP_NUMBER",
                        "--port P",
                        "APP_PORT",
                        "--host H",
                        "APP_HOST",
                        "--delay-ms D",
                        "APP_DELAY_MS",
                        "--all",
                        "-h, --help");
    }
}
