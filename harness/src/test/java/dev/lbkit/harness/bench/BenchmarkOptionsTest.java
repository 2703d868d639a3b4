package dev.lbkit.harness.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchmarkOptionsTest {

    @Test
    void defaultsAreTheDocumentedRun() {
        SideBySideBenchmark.Options options = SideBySideBenchmark.Options.parse(new String[0]);

        assertThat(List.of(options.durationSeconds(), options.warmupSeconds(), options.rounds()))
                .as("10 s runs, 15 s warm-up, 3 rounds")
                .containsExactly(10, 15, 3);
        assertThat(options.concurrencies()).as("three concurrencies").containsExactly(1, 64, 256);
        assertThat(options.lbkitJvm())
                .as("./lbkit's JVM options")
                .containsExactly("-XX:+UseSerialGC", "-Xmx128m");
    }

    @Test
    void readsEveryOptionIncludingJvmOptionsThatStartWithADash() {
        SideBySideBenchmark.Options options =
                SideBySideBenchmark.Options.parse(
                        new String[] {
                            "--duration",
                            "2",
                            "--warmup",
                            "0",
                            "--rounds",
                            "1",
                            "--concurrency",
                            "4, 8",
                            "--lbkit-jvm",
                            "-Xmx64m -XX:+UseParallelGC",
                            "--lbkit-java",
                            "/opt/jdk/bin/java"
                        });

        assertThat(options)
                .as("every option")
                .isEqualTo(
                        new SideBySideBenchmark.Options(
                                2,
                                0,
                                1,
                                List.of(4, 8),
                                List.of("-Xmx64m", "-XX:+UseParallelGC"),
                                "/opt/jdk/bin/java"));
    }

    @Test
    void badValuesAreNamedNeverAStackTrace() {
        assertThatThrownBy(() -> SideBySideBenchmark.Options.parse(new String[] {"--rounds", "0"}))
                .as("rounds must be positive")
                .hasMessage("--rounds must be positive, got 0.");
        assertThatThrownBy(
                        () -> SideBySideBenchmark.Options.parse(new String[] {"--duration", "ten"}))
                .as("a word where a number belongs")
                .hasMessage("--duration must be a whole number of 0 or more, got 'ten'.");
        assertThatThrownBy(() -> SideBySideBenchmark.Options.parse(new String[] {"--warmup"}))
                .as("a missing value")
                .hasMessage("--warmup needs a value.");
        assertThatThrownBy(
                        () -> SideBySideBenchmark.Options.parse(new String[] {"--durations", "2"}))
                .as("a typo lists the options")
                .hasMessageStartingWith("unknown option '--durations'. Options: --duration S,");
    }

    @Test
    void helpListsEveryOption() {
        String usage = new CommandLine(SideBySideBenchmark.command()).getUsageMessage();

        assertThat(usage)
                .as("bench --help")
                .startsWith("Usage: bench ")
                .contains(
                        "--duration S",
                        "--warmup S",
                        "--rounds N",
                        "--concurrency C,C,...",
                        "--lbkit-jvm",
                        "--lbkit-java JAVA",
                        "-h, --help");
    }
}
