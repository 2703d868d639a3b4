package dev.lbkit.harness.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.harness.bench.MatrixTable.PointResult;
import dev.lbkit.harness.bench.ScalePoint.BackendKind;
import dev.lbkit.harness.bench.SideBySideBenchmark.CpuTime;
import dev.lbkit.harness.bench.SideBySideBenchmark.Round;
import dev.lbkit.harness.bench.SideBySideBenchmark.Run;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatrixTableTest {
    /** What wrk 4.1 prints with the benchmark's Lua hook: its summary, then the hook's line. */
    private static final String WRK_OUTPUT =
            """
            Running 10s test @ http://127.0.0.1:41234/
              2 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.31ms  512.20us  12.40ms   80.11%
                Req/Sec    24.51k     1.20k   27.00k    70.00%
              487654 requests in 10.00s, 530.12MB read
            Requests/sec:  48765.40
            Transfer/sec:     53.01MB
            LBKIT_RESULT requests=487654 duration_us=10000123 errors=3 p50_us=1210 p99_us=3040 p999_us=4520 max_us=12400
            """;

    @Test
    void readsTheLuaHooksLineAmongWrksOutput() {
        Run run = Run.parse("haproxy", 64, WRK_OUTPUT, new CpuTime(2.5, 7.25), 70);

        assertThat(run)
                .as("requests, seconds, errors and percentiles from the hook's line")
                .isEqualTo(
                        new Run(
                                "haproxy", 64, 487654, 10.000123, 3, 1210, 3040, 4520, 9.75, 2.5,
                                70));
        assertThat(run.cpuMicrosPerRequest())
                .as("CPU seconds over requests, in µs")
                .isCloseTo(19.99, org.assertj.core.data.Offset.offset(0.01));
        assertThat(run.userMicrosPerRequest())
                .as("user CPU seconds over requests, in µs")
                .isCloseTo(5.13, org.assertj.core.data.Offset.offset(0.01));
        assertThat(run.systemMicrosPerRequest())
                .as("system CPU seconds over requests, in µs")
                .isCloseTo(14.87, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void wrkOutputWithoutTheHooksLineIsAnErrorThatShowsTheOutput() {
        assertThatThrownBy(
                        () ->
                                Run.parse(
                                        "lbkit",
                                        1,
                                        "unable to connect to 127.0.0.1:1",
                                        CpuTime.UNMEASURED,
                                        0))
                .as("no result line")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wrk printed no result line")
                .hasMessageContaining("unable to connect");
    }

    @Test
    void summaryRowHoldsTheMediansAndTheRatiosOfAPoint() {
        ScalePoint point = new ScalePoint(64, 100, 1024, true);
        List<Round> rounds =
                List.of(
                        round(1, 50_000, 40_000, 3000, 4500, 20, 26),
                        round(2, 45_000, 46_000, 2800, 2800, 22, 22),
                        round(3, 48_000, 43_200, 3100, 3720, 21, 25));

        String table =
                MatrixTable.summary(
                        List.of(
                                new PointResult(
                                        point,
                                        BackendKind.HAPROXY,
                                        rounds,
                                        20 * 1024,
                                        200 * 1024)));

        assertThat(table.lines()).as("a head, a separator and one row").hasSize(3);
        assertThat(table.lines().toList().get(2))
                .as(
                        "medians of 48000 and 43200 req/s; ratios 0.80, 1.02, 0.90 give 0.90;"
                                + " p99 ratios 1.50, 1.00, 1.20 give 1.20; CPU 21/25 µs and 1.19,"
                                + " a quarter of it user time (5.25 and 6.25 µs), the rest system;"
                                + " RSS 20 and 200 MB, 10.0 ×; 3 errors in total per side")
                .isEqualTo(
                        "| c=64, 100 servers, 1 KB, keep-alive | HAProxy return | 100000 | 48000 | 43200"
                                + " | **0.90** | 1.00 / 3.00 / 4.00 | 1.00 / 3.72 / 4.00 | **1.20**"
                                + " | 21 (5 + 16) / 25 (6 + 19) | **1.19** | 20 / 200 | **10.0** | 0.00 / 0.00"
                                + " | 3 / 3 / 3 |");
    }

    @Test
    void roundsTableListsEveryRoundAndTheMedian() {
        List<Round> rounds =
                List.of(
                        round(1, 50_000, 40_000, 3000, 4500, 20, 26),
                        round(2, 45_000, 46_000, 2800, 2800, 22, 22));

        String table = MatrixTable.rounds("c=1, 3 servers, 1 KB, keep-alive", rounds);

        assertThat(table)
                .as("title, two rounds, the median of an even count is the mean of the middle two")
                .startsWith("## c=1, 3 servers, 1 KB, keep-alive\n\n")
                .contains(
                        "| 1 | 100000 | 50000 | 40000 | 1.00 / 3.00 / 4.00 | 1.00 / 4.50 / 4.00 | 0.80 | 1.50 | 20 (5 + 15) / 26 (7 + 20) | 0.00 / 0.00 | 1 / 1 / 1 |")
                .contains(
                        "| **median** | 100000 | 47500 | 43000 | | | **0.91** | **1.25** | | | |");
    }

    @Test
    void scalePointsReadAsTheIssueNamesThem() {
        assertThat(ScalePoint.matrix().stream().map(ScalePoint::label))
                .as("the matrix, in order")
                .containsExactly(
                        "c=1, 3 servers, 1 KB, keep-alive",
                        "c=64, 3 servers, 1 KB, keep-alive",
                        "c=256, 3 servers, 1 KB, keep-alive",
                        "c=1024, 3 servers, 1 KB, keep-alive",
                        "c=64, 100 servers, 1 KB, keep-alive",
                        "c=64, 1000 servers, 1 KB, keep-alive",
                        "c=64, 3 servers, 100 KB, keep-alive",
                        "c=64, 3 servers, 10 MB, keep-alive",
                        "c=64, 3 servers, 1 KB, new connection per request");
        assertThat(ScalePoint.matrix().stream().map(p -> p.backend(BackendKind.AUTO)))
                .as("auto: nginx only for the 10 MB body")
                .containsExactly(
                        BackendKind.HAPROXY,
                        BackendKind.HAPROXY,
                        BackendKind.HAPROXY,
                        BackendKind.HAPROXY,
                        BackendKind.HAPROXY,
                        BackendKind.HAPROXY,
                        BackendKind.HAPROXY,
                        BackendKind.NGINX,
                        BackendKind.HAPROXY);
    }

    /** A round whose HAProxy and lbkit runs took 10 s, with one error each. */
    private static Round round(
            int number,
            double haproxyRps,
            double lbkitRps,
            long haproxyP99,
            long lbkitP99,
            double haproxyCpuUs,
            double lbkitCpuUs) {
        Run direct =
                new Run("direct", 64, 1_000_000, 10, 1, 500, 1000, 2000, Double.NaN, Double.NaN, 0);
        long h = (long) (haproxyRps * 10);
        long l = (long) (lbkitRps * 10);
        return new Round(
                number,
                direct,
                run("haproxy", h, haproxyP99, haproxyCpuUs),
                run("lbkit", l, lbkitP99, lbkitCpuUs));
    }

    /** A run of 10 s with one error, a quarter of whose CPU time is user time. */
    private static Run run(String target, long requests, long p99, double cpuUs) {
        double cpu = cpuUs * requests / 1e6;
        return new Run(target, 64, requests, 10, 1, 1000, p99, 4000, cpu, cpu / 4, 0);
    }
}
