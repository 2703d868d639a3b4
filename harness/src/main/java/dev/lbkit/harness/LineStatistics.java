package dev.lbkit.harness;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.function.ToDoubleBiFunction;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * The statistical comparisons of lbkit with a HAProxy line that does not repeat itself (random from
 * 3.0, leastconn from 3.2): a two-sample test on two pick sequences, its power against a named
 * wrong model by seeded Monte Carlo of lbkit's own models, and its minimum detectable effect.
 *
 * <p>Worked example (measured): HAProxy 3.2.26 gave server1/2/3 = 1552/549/1899 of 4000 random(2)
 * picks (weights 2/1/3) and lbkit as 3.2 gave 1529/574/1897; {@link #counts} of the two is a 2x3
 * chi-square, 2 df, chi2 = 0.73, p = 0.69: no evidence of a difference. The same test between
 * lbkit-as-3.2 and lbkit-as-3.4 samples (ring shares against weight shares) rejected at alpha 0.01
 * in 200 of 200 seeded replications: that is its power against the 3.4 rule, and a test without
 * such power would prove nothing.
 */
public final class LineStatistics {
    private LineStatistics() {}

    /** One test's outcome: what was measured, its statistic and p-value. */
    public record Result(String what, double statistic, int degreesOfFreedom, double pValue) {
        public boolean rejectsAt(double alpha) {
            return pValue < alpha;
        }

        @Override
        public String toString() {
            return String.format(
                    "%s: chi2 = %.2f, %d df, p = %.4g", what, statistic, degreesOfFreedom, pValue);
        }
    }

    /** A test on two pick sequences (HAProxy's, lbkit's). */
    public interface TwoSampleTest {
        Result test(List<String> first, List<String> second);
    }

    /**
     * Two-sample chi-square on the per-server counts (commons-math3), every server named in either
     * sample.
     */
    public static Result counts(List<String> first, List<String> second) {
        TreeSet<String> names = new TreeSet<>(first);
        names.addAll(second);
        long[] a = new long[names.size()];
        long[] b = new long[names.size()];
        int i = 0;
        for (String name : names) {
            a[i] = first.stream().filter(name::equals).count();
            b[i] = second.stream().filter(name::equals).count();
            i++;
        }
        int df = names.size() - 1;
        if (df < 1) {
            return new Result("counts " + Map.of(), 0, 0, 1);
        }
        ChiSquareTest test = new ChiSquareTest();
        double statistic = test.chiSquareDataSetsComparison(a, b);
        return new Result(
                "counts "
                        + java.util.Arrays.toString(a)
                        + " vs "
                        + java.util.Arrays.toString(b)
                        + " "
                        + names,
                statistic,
                df,
                test.chiSquareTestDataSetsComparison(a, b));
    }

    /** How often a pick names the same server as the one before (of size - 1 transitions). */
    public static int repeats(List<String> picks) {
        int repeats = 0;
        for (int i = 1; i < picks.size(); i++) {
            if (picks.get(i).equals(picks.get(i - 1))) {
                repeats++;
            }
        }
        return repeats;
    }

    /**
     * A 2x2 chi-square on (repeats, other transitions) of the two sequences: does one pick the same
     * server twice in a row more often? Transitions are not independent (a Markov chain), so the
     * nominal alpha is checked by {@link #power} with the right model against itself.
     */
    public static Result repeatsTest(List<String> first, List<String> second) {
        long r1 = repeats(first);
        long r2 = repeats(second);
        long[] a = {r1, first.size() - 1 - r1};
        long[] b = {r2, second.size() - 1 - r2};
        String label =
                "repeats "
                        + r1
                        + "/"
                        + (first.size() - 1)
                        + " vs "
                        + r2
                        + "/"
                        + (second.size() - 1);
        if ((r1 == 0 && r2 == 0) || (a[1] == 0 && b[1] == 0)) {
            return new Result(label, 0, 1, 1);
        }
        ChiSquareTest test = new ChiSquareTest();
        return new Result(
                label,
                test.chiSquareDataSetsComparison(a, b),
                1,
                test.chiSquareTestDataSetsComparison(a, b));
    }

    /**
     * The fraction of {@code replications} in which {@code test} rejects at {@code alpha} when its
     * two samples come from {@code first} and {@code second} (each called with a distinct seed).
     * With a wrong model as {@code second} this is the power against it; with the right one, the
     * true size.
     */
    public static double power(
            TwoSampleTest test,
            IntFunction<List<String>> first,
            IntFunction<List<String>> second,
            double alpha,
            int replications,
            int baseSeed) {
        int rejected = 0;
        for (int r = 0; r < replications; r++) {
            if (test.test(first.apply(baseSeed + 2 * r), second.apply(baseSeed + 2 * r + 1))
                    .rejectsAt(alpha)) {
                rejected++;
            }
        }
        return (double) rejected / replications;
    }

    /**
     * The minimum detectable effect (Cohen's w) of a two-sample chi-square with {@code df} degrees
     * of freedom, samples of {@code n1} and {@code n2}, at {@code alpha} with 80% power: the
     * noncentrality lambda whose seeded Monte Carlo power is 0.8, then w = sqrt(lambda (n1+n2) /
     * (n1 n2)). For df 2, alpha 0.01, 4000 + 4000 picks: w = 0.083 (2400 + 2400: 0.107).
     */
    public static double minimumDetectableW(int df, double alpha, int n1, int n2) {
        double critical = new ChiSquaredDistribution(df).inverseCumulativeProbability(1 - alpha);
        Random random = new Random(20240601L);
        int draws = 20_000;
        double[][] normals = new double[draws][df];
        for (double[] row : normals) {
            for (int j = 0; j < df; j++) {
                row[j] = random.nextGaussian();
            }
        }
        ToDoubleBiFunction<Double, Double> powerAt =
                (lambda, crit) -> {
                    double shift = Math.sqrt(lambda);
                    int over = 0;
                    for (double[] row : normals) {
                        double sum = (row[0] + shift) * (row[0] + shift);
                        for (int j = 1; j < df; j++) {
                            sum += row[j] * row[j];
                        }
                        if (sum > crit) {
                            over++;
                        }
                    }
                    return (double) over / draws;
                };
        double low = 0;
        double high = 100;
        for (int i = 0; i < 40; i++) {
            double mid = (low + high) / 2;
            if (powerAt.applyAsDouble(mid, critical) < 0.8) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return Math.sqrt(high * (n1 + n2) / ((double) n1 * n2));
    }
}
