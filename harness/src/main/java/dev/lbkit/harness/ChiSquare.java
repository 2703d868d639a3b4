package dev.lbkit.harness;

import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * The two-sample chi-square test of homogeneity: do two per-server distributions come from the
 * same underlying split? Used where timing decides which server answers (concurrent load, random
 * with several threads), so per-request equality cannot be asked for but the distributions can.
 *
 * <p>For categories i with counts a_i and b_i (totals A and B), the statistic is
 * sum over i of (a_i·sqrt(B/A) − b_i·sqrt(A/B))² / (a_i + b_i), with (categories − 1) degrees of
 * freedom. A p-value below alpha rejects "same distribution".
 *
 * @param statistic the chi-square statistic
 * @param degreesOfFreedom categories with at least one count, minus one
 * @param pValue the probability of a statistic at least this large if both samples share one distribution
 */
public record ChiSquare(double statistic, int degreesOfFreedom, double pValue) {

    /** Compares two count maps keyed by server (a server missing from one side counts 0 there). */
    public static ChiSquare twoSample(Map<String, Integer> first, Map<String, Integer> second) {
        TreeSet<String> categories = new TreeSet<>(first.keySet());
        categories.addAll(second.keySet());
        double a = first.values().stream().mapToInt(Integer::intValue).sum();
        double b = second.values().stream().mapToInt(Integer::intValue).sum();
        if (a == 0 || b == 0) {
            throw new IllegalArgumentException("both samples need at least one observation");
        }
        double ka = Math.sqrt(b / a);
        double kb = Math.sqrt(a / b);
        double statistic = 0;
        int used = 0;
        for (String c : categories) {
            int x = first.getOrDefault(c, 0);
            int y = second.getOrDefault(c, 0);
            if (x + y == 0) {
                continue;
            }
            used++;
            double d = x * ka - y * kb;
            statistic += d * d / (x + y);
        }
        int df = Math.max(1, used - 1);
        double p = used < 2 ? 1.0 : 1.0 - new ChiSquaredDistribution(df).cumulativeProbability(statistic);
        return new ChiSquare(statistic, df, p);
    }

    /** True when the test does not reject equality at significance {@code alpha}. */
    public boolean sameDistributionAt(double alpha) {
        return pValue >= alpha;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "two-sample chi-square: statistic %.3f, df %d, p-value %.4f",
                statistic, degreesOfFreedom, pValue);
    }
}
