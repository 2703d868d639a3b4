package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * The two-sample chi-square test of homogeneity: do two per-server distributions come from the same
 * underlying split? Used where timing decides which server answers (concurrent load, random with
 * several threads), so per-request equality cannot be asked for but the distributions can.
 *
 * <p>The statistic and p-value are commons-math3's {@link
 * ChiSquareTest#chiSquareDataSetsComparison(long[], long[])} (Pearson's statistic for a 2 x k
 * table, unequal sample sizes allowed), with (k − 1) degrees of freedom, k being the servers
 * counted at least once on either side. A p-value below alpha rejects "same distribution". How
 * large a difference a given n can see is {@link Power}'s business (docs/testing.md has the table).
 *
 * @param statistic the chi-square statistic
 * @param degreesOfFreedom categories with at least one count, minus one
 * @param pValue the probability of a statistic at least this large if both samples share one
 *     distribution
 */
public record ChiSquare(double statistic, int degreesOfFreedom, double pValue) {
    private static final ChiSquareTest TEST = new ChiSquareTest();

    /** Compares two count maps keyed by server (a server missing from one side counts 0 there). */
    public static ChiSquare twoSample(Map<String, Integer> first, Map<String, Integer> second) {
        TreeSet<String> categories = new TreeSet<>(first.keySet());
        categories.addAll(second.keySet());
        List<long[]> columns = new ArrayList<>();
        for (String c : categories) {
            long x = first.getOrDefault(c, 0);
            long y = second.getOrDefault(c, 0);
            if (x + y > 0) {
                columns.add(new long[] {x, y});
            }
        }
        return twoSample(
                columns.stream().mapToLong(col -> col[0]).toArray(),
                columns.stream().mapToLong(col -> col[1]).toArray());
    }

    /**
     * The same test on two count vectors in the same category order (no category zero on both
     * sides).
     */
    public static ChiSquare twoSample(long[] first, long[] second) {
        long a = java.util.Arrays.stream(first).sum();
        long b = java.util.Arrays.stream(second).sum();
        if (a == 0 || b == 0) {
            throw new IllegalArgumentException("both samples need at least one observation");
        }
        if (first.length < 2) {
            // One server on both sides: nothing can differ.
            return new ChiSquare(0, 1, 1.0);
        }
        return new ChiSquare(
                TEST.chiSquareDataSetsComparison(first, second),
                first.length - 1,
                TEST.chiSquareTestDataSetsComparison(first, second));
    }

    /** True when the test does not reject equality at significance {@code alpha}. */
    public boolean sameDistributionAt(double alpha) {
        return pValue >= alpha;
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "two-sample chi-square: statistic %.3f, df %d, p-value %.4f",
                statistic,
                degreesOfFreedom,
                pValue);
    }
}
