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
        assertThat(options.points())
                .as("three concurrencies at 3 servers, 1 KB, keep-alive")
                .containsExactly(
                        new ScalePoint(1, 3, 1024, true),
                        new ScalePoint(64, 3, 1024, true),
                        new ScalePoint(256, 3, 1024, true));
        assertThat(List.of(options.threads(), options.backend(), options.matrix()))
                .as("two wrk threads, backends chosen by body size, one set of processes")
                .containsExactly(2, ScalePoint.BackendKind.AUTO, false);
        assertThat(options.lbkitJvm())
                .as("./lbkit -f's JVM options")
                .containsExactly(
                        "-XX:+UseSerialGC",
                        "-Xms16m",
                        "-Xmx64m",
                        "-XX:+IgnoreUnrecognizedVMOptions",
                        "-XX:TrimNativeHeapInterval=1000",
                        "-XX:-TieredCompilation",
                        "-XX:CICompilerCount=1");
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
                            "--servers",
                            "100",
                            "--body",
                            "100k",
                            "--close",
                            "--threads",
                            "1",
                            "--backend",
                            "nginx",
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
                                List.of(
                                        new ScalePoint(4, 100, 100 * 1024, false),
                                        new ScalePoint(8, 100, 100 * 1024, false)),
                                false,
                                1,
                                ScalePoint.BackendKind.NGINX,
                                List.of("-Xmx64m", "-XX:+UseParallelGC"),
                                "/opt/jdk/bin/java"));
    }

    @Test
    void matrixRunsEveryScalePointAndSaysHowLongBeforehand() {
        SideBySideBenchmark.Options options =
                SideBySideBenchmark.Options.parse(
                        new String[] {
                            "--matrix", "--duration", "10", "--rounds", "3", "--warmup", "15"
                        });

        assertThat(options.points()).as("the issue's scale points").isEqualTo(ScalePoint.matrix());
        assertThat(options.stands()).as("fresh processes per point").isEqualTo(9);
        assertThat(options.estimatedSeconds())
                .as("9 starts of 5 s, then per point 2 x 15 s warm-up and 3 rounds of 3 x 11 s")
                .isEqualTo(9 * 5 + 9 * (30 + 3 * 3 * 11));
        assertThat(SideBySideBenchmark.minutes(options.estimatedSeconds()))
                .as("printed in minutes")
                .isEqualTo("20 min 06 s");
        assertThat(
                        SideBySideBenchmark.Options.parse(new String[] {"--concurrency", "1,64"})
                                .estimatedSeconds())
                .as("without --matrix one start for every concurrency")
                .isEqualTo(5 + 2 * (30 + 3 * 3 * 11));
    }

    @Test
    void matrixRefusesTheOptionsItSetsItself() {
        assertThatThrownBy(
                        () ->
                                SideBySideBenchmark.Options.parse(
                                        new String[] {"--matrix", "--concurrency", "64"}))
                .as("--matrix with --concurrency")
                .hasMessageStartingWith(
                        "--matrix sets the connections, servers, body and keep-alive");
        assertThatThrownBy(
                        () ->
                                SideBySideBenchmark.Options.parse(
                                        new String[] {"--matrix", "--close"}))
                .as("--matrix with --close")
                .hasMessageContaining("leave out --concurrency, --servers, --body and --close");
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
                .hasMessageStartingWith(
                        "unknown option '--durations'. Options: --matrix, --duration S,");
        assertThatThrownBy(() -> SideBySideBenchmark.Options.parse(new String[] {"--body", "1g"}))
                .as("a size out of range")
                .hasMessage(
                        "--body takes a size from 1 to 256m such as 1k, 100k or 10m, got '1g'.");
        assertThatThrownBy(() -> SideBySideBenchmark.Options.parse(new String[] {"--threads", "4"}))
                .as("more wrk threads than the bench allows")
                .hasMessageStartingWith("--threads takes 1 or 2");
        assertThatThrownBy(
                        () ->
                                SideBySideBenchmark.Options.parse(
                                        new String[] {"--backend", "caddy"}))
                .as("an unknown backend")
                .hasMessage("--backend takes auto, haproxy or nginx, got 'caddy'.");
    }

    @Test
    void readsTheLimitsAndCountersOfProc() {
        String limits =
                """
                Limit                     Soft Limit           Hard Limit           Units
                Max processes             unlimited            unlimited            processes
                Max open files            1024                 524288               files
                """;
        assertThat(SideBySideBenchmark.openFilesLimit(limits))
                .as("the soft limit of open files")
                .isEqualTo(1024);
        String snmp =
                """
                Ip: Forwarding DefaultTTL
                Ip: 1 64
                Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens
                Tcp: 1 200 120000 -1 123456 654321
                """;
        assertThat(SideBySideBenchmark.tcpActiveOpens(snmp))
                .as("ActiveOpens found by its name")
                .isEqualTo(123456);
    }

    @Test
    void sizesReadAndPrintInBinaryUnits() {
        assertThat(
                        List.of("512", "1k", "100K", "10m").stream()
                                .map(s -> ScalePoint.parseSize("--body", s)))
                .as("bytes, KB and MB of 1024")
                .containsExactly(512, 1024, 102400, 10485760);
        assertThat(List.of(512, 1024, 102400, 10485760).stream().map(ScalePoint::size))
                .as("printed back")
                .containsExactly("512 B", "1 KB", "100 KB", "10 MB");
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
                        "--matrix",
                        "--concurrency C,C,...",
                        "--servers N",
                        "--body SIZE",
                        "--close",
                        "--threads N",
                        "--backend KIND",
                        "apt-get install -y wrk",
                        "--lbkit-jvm",
                        "--lbkit-java JAVA",
                        "-h, --help");
    }
}
