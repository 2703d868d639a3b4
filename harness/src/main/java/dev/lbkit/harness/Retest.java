package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A statistical comparison decided by up to two independent samples, so that chance alone almost
 * never fails a build.
 *
 * <p>A test at alpha = 0.01 rejects a right lbkit once in a hundred runs, and the build runs about
 * ten such tests: one run in ten would fail for nothing. Here the first sample decides when it
 * agrees with what the test expects. When it does not, a second sample is drawn afresh (a new
 * HAProxy process, a new lbkit, new traffic) and decides alone. A parity test (expect "same") thus
 * fails only when both samples reject; a negative control (expect "different") fails only when
 * neither does.
 *
 * <p>With a single sample's false-alarm rate alpha and power pi against a wrong model, the
 * procedure's false-alarm rate is alpha² (0.0001 at alpha 0.01) and its power is pi² (a wrong lbkit
 * must be rejected twice): {@link #falseAlarm} and {@link #power}, which the tests state and
 * assert. A negative control misses its wrong model with (1 - pi)². The two samples are independent
 * because nothing is shared between them but the config; {@code RetestTest} checks both rates by
 * Monte Carlo.
 */
public final class Retest {
    private Retest() {}

    /** What the comparison should find. */
    public enum Expect {
        /** A parity test: HAProxy and lbkit split alike. */
        SAME,
        /** A negative control: the wrong lbkit is told apart. */
        DIFFERENT
    }

    /**
     * The samples drawn (one or two) and whether the last agreed with the expectation, which is the
     * procedure's verdict.
     */
    public record Outcome<R>(Expect expect, List<R> samples, boolean asExpected) {
        public R last() {
            return samples.get(samples.size() - 1);
        }

        /**
         * e.g. "decided by sample 2 of 2 (sample 1 disagreed with same: chi2 = ...)", {@code
         * summary} naming a sample's test.
         */
        public String describe(Function<? super R, String> summary) {
            if (samples.size() == 1) {
                return "decided by sample 1 of up to 2";
            }
            return "decided by sample 2 of 2 (sample 1 disagreed with "
                    + expect.name().toLowerCase(java.util.Locale.ROOT)
                    + ": "
                    + summary.apply(samples.get(0))
                    + ")";
        }
    }

    /** Draws sample number 1 or 2: a side-by-side run and its test, say. */
    @FunctionalInterface
    public interface Sample<R> {
        R draw(int number) throws Exception;
    }

    /**
     * Runs {@code sample} with 1, and with 2 when the first does not find what {@code expect} says;
     * {@code rejects} tells whether a sample's test rejects "same split". A sample that throws ends
     * the test with an {@link IllegalStateException} naming its number.
     */
    public static <R> Outcome<R> decide(
            Expect expect, Sample<? extends R> sample, Predicate<? super R> rejects) {
        boolean wantRejection = expect == Expect.DIFFERENT;
        List<R> samples = new ArrayList<>(2);
        R first = draw(sample, 1);
        samples.add(first);
        if (rejects.test(first) == wantRejection) {
            return new Outcome<>(expect, List.copyOf(samples), true);
        }
        R second = draw(sample, 2);
        samples.add(second);
        return new Outcome<>(expect, List.copyOf(samples), rejects.test(second) == wantRejection);
    }

    private static <R> R draw(Sample<? extends R> sample, int number) {
        try {
            return sample.draw(number);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("sample " + number + " could not be drawn", e);
        }
    }

    /** The chance a right lbkit fails a parity test: both samples reject at {@code alpha}. */
    public static double falseAlarm(double alpha) {
        return alpha * alpha;
    }

    /**
     * The chance a wrong lbkit fails a parity test, given one sample's power {@code samplePower}:
     * both samples reject it.
     */
    public static double power(double samplePower) {
        return samplePower * samplePower;
    }

    /** The power one sample needs for the procedure to reach {@code procedurePower}. */
    public static double samplePowerFor(double procedurePower) {
        return Math.sqrt(procedurePower);
    }
}
