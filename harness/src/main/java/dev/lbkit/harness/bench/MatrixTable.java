package dev.lbkit.harness.bench;

import dev.lbkit.harness.bench.ScalePoint.BackendKind;
import dev.lbkit.harness.bench.SideBySideBenchmark.Round;
import dev.lbkit.harness.bench.SideBySideBenchmark.Run;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The benchmark's Markdown tables: one row per scale point with the medians of its rounds and the
 * lbkit/HAProxy ratios ({@link #summary}), and one table per point with every round ({@link
 * #rounds}). Pure formatting, so a test can read them from made-up rounds.
 */
final class MatrixTable {
    private MatrixTable() {}

    /**
     * What one scale point measured.
     *
     * @param point the scale point
     * @param backend the backend it ran on (never AUTO)
     * @param rounds its alternating rounds, at least one
     * @param haproxyPeakKb HAProxy's peak RSS (VmHWM) over the point's warm-up and rounds, in kB
     * @param lbkitPeakKb lbkit's, likewise
     */
    record PointResult(
            ScalePoint point,
            BackendKind backend,
            List<Round> rounds,
            long haproxyPeakKb,
            long lbkitPeakKb) {
        double median(ToDoubleFunction<Round> figure) {
            return SideBySideBenchmark.median(rounds.stream().mapToDouble(figure).toArray());
        }

        long errors(ToDoubleFunction<Round> figure) {
            return (long) rounds.stream().mapToDouble(figure).sum();
        }
    }

    /** One row per point: medians of the rounds, and the ratios lbkit/HAProxy. */
    static String summary(List<PointResult> points) {
        StringBuilder t = new StringBuilder();
        t.append(
                "| scale point | backend | backend direct req/s | HAProxy req/s | lbkit req/s"
                        + " | lbkit/HAProxy req/s | HAProxy p50 / p99 / p99.9 ms"
                        + " | lbkit p50 / p99 / p99.9 ms | lbkit/HAProxy p99"
                        + " | CPU µs/req HAProxy / lbkit (user + system) | lbkit/HAProxy CPU"
                        + " | peak RSS MB HAProxy / lbkit | lbkit/HAProxy RSS"
                        + " | new TCP connections per request HAProxy / lbkit"
                        + " | errors direct / HAProxy / lbkit |\n");
        t.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (PointResult p : points) {
            t.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %.0f | %.0f | %.0f | **%.2f** | %s | %s | **%.2f** | %s"
                                    + " | **%.2f** | %.0f / %.0f | **%.1f** | %.2f / %.2f | %d / %d / %d |%n",
                            p.point().label(),
                            p.backend().display(),
                            p.median(r -> r.direct().requestsPerSecond()),
                            p.median(r -> r.haproxy().requestsPerSecond()),
                            p.median(r -> r.lbkit().requestsPerSecond()),
                            p.median(Round::throughputRatio),
                            milliseconds(
                                    p.median(r -> r.haproxy().p50us()),
                                    p.median(r -> r.haproxy().p99us()),
                                    p.median(r -> r.haproxy().p999us())),
                            milliseconds(
                                    p.median(r -> r.lbkit().p50us()),
                                    p.median(r -> r.lbkit().p99us()),
                                    p.median(r -> r.lbkit().p999us())),
                            p.median(Round::p99Ratio),
                            cpu(
                                    p.median(r -> r.haproxy().cpuMicrosPerRequest()),
                                    p.median(r -> r.haproxy().userMicrosPerRequest()),
                                    p.median(r -> r.haproxy().systemMicrosPerRequest()),
                                    p.median(r -> r.lbkit().cpuMicrosPerRequest()),
                                    p.median(r -> r.lbkit().userMicrosPerRequest()),
                                    p.median(r -> r.lbkit().systemMicrosPerRequest())),
                            p.median(Round::cpuRatio),
                            p.haproxyPeakKb() / 1024.0,
                            p.lbkitPeakKb() / 1024.0,
                            (double) p.lbkitPeakKb() / Math.max(1, p.haproxyPeakKb()),
                            p.median(r -> r.haproxy().connectionsPerRequest()),
                            p.median(r -> r.lbkit().connectionsPerRequest()),
                            p.errors(r -> r.direct().errors()),
                            p.errors(r -> r.haproxy().errors()),
                            p.errors(r -> r.lbkit().errors())));
        }
        return t.toString();
    }

    /** Every round of one point (or of one concurrency), then the medians. */
    static String rounds(String title, List<Round> rounds) {
        StringBuilder t = new StringBuilder();
        t.append("## ").append(title).append("\n\n");
        t.append(
                "| round | backend direct req/s | HAProxy req/s | lbkit req/s | HAProxy p50 / p99 / p99.9 ms"
                        + " | lbkit p50 / p99 / p99.9 ms | lbkit/HAProxy req/s | lbkit/HAProxy p99 | CPU µs/req HAProxy / lbkit (user + system)"
                        + " | new TCP connections per request HAProxy / lbkit | errors |\n");
        t.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Round r : rounds) {
            t.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.0f | %.0f | %.0f | %s | %s | %.2f | %.2f | %s | %.2f / %.2f | %d / %d / %d |%n",
                            r.number(),
                            r.direct().requestsPerSecond(),
                            r.haproxy().requestsPerSecond(),
                            r.lbkit().requestsPerSecond(),
                            latencies(r.haproxy()),
                            latencies(r.lbkit()),
                            r.throughputRatio(),
                            r.p99Ratio(),
                            cpu(
                                    r.haproxy().cpuMicrosPerRequest(),
                                    r.haproxy().userMicrosPerRequest(),
                                    r.haproxy().systemMicrosPerRequest(),
                                    r.lbkit().cpuMicrosPerRequest(),
                                    r.lbkit().userMicrosPerRequest(),
                                    r.lbkit().systemMicrosPerRequest()),
                            r.haproxy().connectionsPerRequest(),
                            r.lbkit().connectionsPerRequest(),
                            r.direct().errors(),
                            r.haproxy().errors(),
                            r.lbkit().errors()));
        }
        t.append(
                String.format(
                        Locale.ROOT,
                        "| **median** | %.0f | %.0f | %.0f | | | **%.2f** | **%.2f** | | | |%n",
                        median(rounds, r -> r.direct().requestsPerSecond()),
                        median(rounds, r -> r.haproxy().requestsPerSecond()),
                        median(rounds, r -> r.lbkit().requestsPerSecond()),
                        median(rounds, Round::throughputRatio),
                        median(rounds, Round::p99Ratio)));
        return t.toString();
    }

    /**
     * CPU µs per request of both proxies, each with its user and system parts: "21 (5 + 16) / 25 (8
     * + 17)". In the summary each figure is a median of its own, so the parts may not add up to the
     * total by a unit.
     */
    private static String cpu(
            double haproxy,
            double haproxyUser,
            double haproxySystem,
            double lbkit,
            double lbkitUser,
            double lbkitSystem) {
        return String.format(
                Locale.ROOT,
                "%.0f (%.0f + %.0f) / %.0f (%.0f + %.0f)",
                haproxy,
                haproxyUser,
                haproxySystem,
                lbkit,
                lbkitUser,
                lbkitSystem);
    }

    private static double median(List<Round> rounds, ToDoubleFunction<Round> figure) {
        return SideBySideBenchmark.median(rounds.stream().mapToDouble(figure).toArray());
    }

    private static String latencies(Run run) {
        return milliseconds(run.p50us(), run.p99us(), run.p999us());
    }

    private static String milliseconds(double... micros) {
        return String.join(
                " / ",
                Arrays.stream(micros)
                        .mapToObj(us -> String.format(Locale.ROOT, "%.2f", us / 1000.0))
                        .toList());
    }
}
