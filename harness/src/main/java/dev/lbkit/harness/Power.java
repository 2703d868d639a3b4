package dev.lbkit.harness;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How strong a {@link ChiSquare} comparison is: the chance it rejects "same distribution" when the
 * two sides really split the requests differently (its power), and the smallest difference it
 * detects with 80% power.
 *
 * <p>Computed by a seeded Monte Carlo over the multinomial: draw {@code n1} requests from the
 * reference split and {@code n2} from the alternative one, run the same two-sample test at the same
 * alpha, repeat {@value #REPETITIONS} times, count the rejections. (commons-math3 has no noncentral
 * chi-square distribution, which would give the same number in closed form.) The multinomial is a
 * model: it treats every request as an independent draw, which is exact for random with {@code
 * nbthread > 1} and an approximation for a timing-driven load, where neighbouring picks are
 * correlated. The seed is fixed, so the same inputs always give the same figures.
 *
 * <p>The minimum detectable effect is stated as a share moved from the reference's largest server
 * to its smallest one, in percentage points: e.g. "2.9 points" means the test sees, 80 times in
 * 100, a proxy that gives the smallest server 2.9 points more of the requests, taken from the
 * largest.
 */
public final class Power {
    public static final int REPETITIONS = 1000;
    public static final double TARGET = 0.80;
    private static final long SEED = 20240518L;

    private Power() {}

    /** One comparison's strength, for reports and docs/testing.md's table. */
    public record Statement(
            String comparison,
            int n1,
            int n2,
            double alpha,
            double[] reference,
            double minimumShift) {
        /**
         * Writes {@link #describe()} to {@code target/lbkit-reports/power/<slug>.txt}, where
         * docs/testing.md's table comes from.
         */
        public void write(String slug) {
            Report.writeLine("power", slug, describe());
        }

        /**
         * e.g. "...: n = 6000 + 6000, alpha = 0.01 a sample, decided by up to two samples (false
         * alarms 1e-04), reference split ...; detects with 80% power a shift of 2.3 points ...".
         */
        public String describe() {
            return String.format(
                    Locale.ROOT,
                    "%s: n = %d + %d, alpha = %s a sample, decided by up to two samples (false alarms"
                            + " %.0e), reference split %s; detects with %.0f%% power a shift of %.1f"
                            + " points of share from the largest to the smallest server (Monte Carlo, %d"
                            + " multinomial repetitions, seed %d)",
                    comparison,
                    n1,
                    n2,
                    alpha,
                    Retest.falseAlarm(alpha),
                    shares(reference),
                    TARGET * 100,
                    minimumShift * 100,
                    REPETITIONS,
                    SEED);
        }
    }

    /**
     * The statement for a comparison of {@code n1} against {@code n2} requests whose reference
     * split is {@code reference}, decided by {@link Retest}: its power is that of both samples.
     */
    public static Statement ofRetested(
            String comparison, double[] reference, int n1, int n2, double alpha) {
        return new Statement(
                comparison,
                n1,
                n2,
                alpha,
                reference.clone(),
                minimumShift(reference, n1, n2, alpha, true));
    }

    /**
     * The reference split of a count map, in key order: e.g. {server1=1041, server2=897, ...} to
     * {0.347, 0.299, ...}.
     */
    public static double[] shares(java.util.Map<String, Integer> counts) {
        double total = counts.values().stream().mapToInt(Integer::intValue).sum();
        return new java.util.TreeMap<>(counts)
                .values().stream().mapToDouble(c -> c / total).toArray();
    }

    /**
     * The chance that the two-sample test at {@code alpha} rejects when one side splits by {@code
     * p}, the other by {@code q}.
     */
    public static double power(double[] p, double[] q, int n1, int n2, double alpha) {
        SplittableRandom random = new SplittableRandom(SEED);
        int rejected = 0;
        for (int r = 0; r < REPETITIONS; r++) {
            long[] a = draw(p, n1, random);
            long[] b = draw(q, n2, random);
            if (!test(a, b).sameDistributionAt(alpha)) {
                rejected++;
            }
        }
        return rejected / (double) REPETITIONS;
    }

    /**
     * The chance that a parity comparison decided by {@link Retest} fails when one side splits by
     * {@code p}, the other by {@code q}: the procedure itself is run on fresh multinomial samples,
     * {@code repetitions} times (about {@link Retest#power} of {@link #power}).
     */
    public static double retestedPower(
            double[] p, double[] q, int n1, int n2, double alpha, int repetitions) {
        SplittableRandom random = new SplittableRandom(SEED);
        int failed = 0;
        for (int r = 0; r < repetitions; r++) {
            Retest.Outcome<ChiSquare> outcome =
                    Retest.decide(
                            Retest.Expect.SAME,
                            sample -> test(draw(p, n1, random), draw(q, n2, random)),
                            test -> !test.sameDistributionAt(alpha));
            if (!outcome.asExpected()) {
                failed++;
            }
        }
        return failed / (double) repetitions;
    }

    /**
     * The smallest share moved from the largest to the smallest server of {@code p} that the test
     * rejects with {@value #TARGET} power (bisection to 0.2 point).
     */
    public static double minimumShift(double[] p, int n1, int n2, double alpha) {
        return minimumShift(p, n1, n2, alpha, false);
    }

    /**
     * The same for a comparison decided by {@link Retest} when {@code retested}: each sample then
     * needs the power {@link Retest#samplePowerFor} of {@value #TARGET}.
     */
    public static double minimumShift(double[] p, int n1, int n2, double alpha, boolean retested) {
        double target = retested ? Retest.samplePowerFor(TARGET) : TARGET;
        int largest = 0;
        int smallest = 0;
        for (int i = 1; i < p.length; i++) {
            largest = p[i] > p[largest] ? i : largest;
            smallest = p[i] < p[smallest] ? i : smallest;
        }
        double low = 0;
        double high = p[largest];
        double[] tenPoints = p.clone();
        tenPoints[largest] -= Math.min(0.1, p[largest]);
        tenPoints[smallest] += Math.min(0.1, p[largest]);
        if (power(p, tenPoints, n1, n2, alpha) >= target) {
            high = Math.min(0.1, p[largest]); // the usual case: start the bisection from 10 points
        }
        while (high - low > 0.002) {
            double mid = (low + high) / 2;
            double[] q = p.clone();
            q[largest] -= mid;
            q[smallest] += mid;
            if (power(p, q, n1, n2, alpha) >= target) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    /**
     * The test on two count vectors, with categories empty on both sides dropped (as the maps
     * version does).
     */
    private static ChiSquare test(long[] a, long[] b) {
        int used = 0;
        for (int i = 0; i < a.length; i++) {
            used += a[i] + b[i] > 0 ? 1 : 0;
        }
        long[] x = new long[used];
        long[] y = new long[used];
        for (int i = 0, j = 0; i < a.length; i++) {
            if (a[i] + b[i] > 0) {
                x[j] = a[i];
                y[j++] = b[i];
            }
        }
        return ChiSquare.twoSample(x, y);
    }

    private static long[] draw(double[] shares, int n, SplittableRandom random) {
        double[] cumulative = new double[shares.length];
        double sum = 0;
        for (int i = 0; i < shares.length; i++) {
            sum += shares[i];
            cumulative[i] = sum;
        }
        long[] counts = new long[shares.length];
        for (int k = 0; k < n; k++) {
            double u = random.nextDouble() * sum;
            int i = Arrays.binarySearch(cumulative, u);
            i = i >= 0 ? i : -i - 1;
            counts[Math.min(i, counts.length - 1)]++;
        }
        return counts;
    }

    static String shares(double[] p) {
        StringBuilder text = new StringBuilder();
        for (double share : p) {
            text.append(text.length() == 0 ? "" : "/")
                    .append(String.format(Locale.ROOT, "%.3f", share));
        }
        return text.toString();
    }
}
