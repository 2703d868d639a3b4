package dev.lbkit.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares where two free-running loads went, when timing decides each pick and only the per-server
 * distributions can be compared: a two-sample chi-square test, and a report (text plus SVG) under
 * {@code target/lbkit-reports/} with both distributions, the test, its p-value and the run times.
 */
public record DistributionReport(String title, LoadRun haproxy, LoadRun lbkit, ChiSquare test) {
    private static final Path DIR = Path.of("target", "lbkit-reports");

    /** Runs the test on the two runs' per-server counts. */
    public static DistributionReport of(String title, LoadRun haproxy, LoadRun lbkit) {
        return new DistributionReport(
                title,
                haproxy,
                lbkit,
                ChiSquare.twoSample(haproxy.picks().distribution(), lbkit.picks().distribution()));
    }

    /**
     * e.g. "article slow/fast: HAProxy {server1=60, ...} vs lbkit {...}; two-sample chi-square ...
     * p-value 0.41".
     */
    public String summary() {
        return String.format(
                Locale.ROOT,
                "%s: HAProxy %s vs lbkit %s; %s",
                title,
                haproxy.picks().distribution(),
                lbkit.picks().distribution(),
                test);
    }

    /** The report's lines: summary, load, run times, bars, verdict at {@code alpha}. */
    public List<String> lines(double alpha) {
        List<String> lines = new ArrayList<>();
        lines.add(title);
        lines.add("load: " + haproxy.load().describe() + ", GET " + haproxy.load().target());
        lines.add(
                String.format(
                        Locale.ROOT,
                        "HAProxy: %s, %d ms (%.0f requests/s)",
                        haproxy.picks().side(),
                        haproxy.elapsedMs(),
                        haproxy.throughput()));
        lines.add(
                String.format(
                        Locale.ROOT,
                        "lbkit:   %s, %d ms (%.0f requests/s)",
                        lbkit.picks().side(),
                        lbkit.elapsedMs(),
                        lbkit.throughput()));
        lines.add("");
        lines.add(Report.bars(haproxy.picks().distribution(), lbkit.picks().distribution()));
        lines.add(
                "picks per second of the run, by server (the split of a free-running load follows the proxy's own speed):");
        lines.add("  HAProxy " + perSecond(haproxy));
        lines.add("  lbkit   " + perSecond(lbkit));
        lines.add(test.toString());
        lines.add(
                String.format(
                        Locale.ROOT,
                        "verdict at alpha = %s: %s",
                        alpha,
                        test.sameDistributionAt(alpha)
                                ? "same distribution not rejected"
                                : "the two distributions differ (p < alpha)"));
        return lines;
    }

    /** Each server's picks per second of the run, e.g. {@code {server1=21.3, server2=1010.2}}. */
    public static java.util.Map<String, String> perSecond(LoadRun run) {
        java.util.Map<String, String> rates = new java.util.TreeMap<>();
        run.picks()
                .distribution()
                .forEach(
                        (server, count) ->
                                rates.put(
                                        server,
                                        String.format(
                                                Locale.ROOT,
                                                "%.1f",
                                                count * 1000.0 / Math.max(1, run.elapsedMs()))));
        return rates;
    }

    /** Writes {@code <slug>.txt} and {@code <slug>.svg}; returns the text path. */
    public Path write(String slug, double alpha) {
        try {
            Files.createDirectories(DIR);
            Path text = DIR.resolve(slug + ".txt");
            Files.writeString(
                    text,
                    String.join(System.lineSeparator(), lines(alpha)) + System.lineSeparator());
            Files.writeString(
                    DIR.resolve(slug + ".svg"),
                    Report.svg(
                            String.format(Locale.ROOT, "%s (p = %.4f)", title, test.pValue()),
                            haproxy.picks().distribution(),
                            lbkit.picks().distribution()));
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not write the report under " + DIR.toAbsolutePath(), e);
        }
    }
}
