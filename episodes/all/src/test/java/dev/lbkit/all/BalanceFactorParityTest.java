package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.PacedParity;
import dev.lbkit.harness.SingleBackendConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code hash-balance-factor} (consistent hashing with bounded loads), side by side: requests are
 * held at their servers so a known number is in flight on each, and each next request is sent once
 * {@code show stat} shows the earlier ones in place. A key whose server already holds more than its
 * share of slots moves on to the next server clockwise on the ring; the test compares, request by
 * request, which server each side picked, and how many requests each server held after each one.
 *
 * <p>Most requests ask for one hot key, so its server fills up at once and the factor decides where
 * the rest go; quick requests (no delay) in between probe the choice under the current load without
 * adding to it. Held requests keep their server for {@value #HOLD_MS} ms, longer than sending all
 * of them takes.
 */
class BalanceFactorParityTest {
    static final long HOLD_MS = Long.getLong("lbkit.hold.ms", 6000);

    @Test
    void factor125SpreadsAHotKeyOverTheRingAsHaproxyDoes() throws Exception {
        PacedParity result =
                PacedParity.run(
                        "hash-balance-factor 125, url_param, weights 1/1/1",
                        config(125, List.of(1, 1, 1)),
                        "be",
                        hotKeyTraffic());

        result.assertIdentical();
        assertFactorMattered(result);
    }

    @Test
    void factor150WithWeights213GivesEachServerItsWeightedShare() throws Exception {
        PacedParity result =
                PacedParity.run(
                        "hash-balance-factor 150, url_param, weights 2/1/3",
                        config(150, List.of(2, 1, 3)),
                        "be",
                        hotKeyTraffic());

        result.assertIdentical();
        assertFactorMattered(result);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitWithoutTheFactor() throws Exception {
        negativeControl(
                "balance-factor-ignored",
                "no hash-balance-factor: every request for a key goes to the key's server",
                NegativeControl.replace("    hash-balance-factor 125\n", ""));
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsLbkitWithAnotherFactor() throws Exception {
        negativeControl(
                "balance-factor-150-for-125",
                "hash-balance-factor 150 where HAProxy has 125",
                NegativeControl.replace("hash-balance-factor 125", "hash-balance-factor 150"));
    }

    private static void negativeControl(String slug, String mistake, UnaryOperator<String> change)
            throws Exception {
        PacedParity result =
                PacedParity.runNegativeControl(
                        "NEGATIVE CONTROL hash-balance-factor 125, lbkit given " + mistake,
                        config(125, List.of(1, 1, 1)),
                        "be",
                        hotKeyTraffic(),
                        change);
        NegativeControl.record(
                slug,
                "paced per-request comparison under a known load (hash-balance-factor)",
                mistake,
                result.verdict());
        assertThat(result.identical()).as("the comparison sees the wrong factor").isFalse();
    }

    /**
     * The factor moved some requests for the hot key off its server: without it they would all land
     * on one.
     */
    private static void assertFactorMattered(PacedParity result) {
        List<String> answers = result.comparison().haproxy().answers();
        List<String> hot = new ArrayList<>();
        List<String> targets = hotKeyTraffic();
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).startsWith("/?key=hot")) {
                hot.add(answers.get(i));
            }
        }
        assertThat(hot.stream().distinct().count())
                .as("HAProxy sent the hot key to more than one server: the factor bounded its load")
                .isGreaterThan(1);
        assertThat(result.comparison().matching())
                .as("every request was served, by the same server on both sides")
                .isEqualTo(targets.size());
    }

    /**
     * 21 requests: mostly held requests for the key {@code hot}, some for two other keys, and every
     * third one a quick probe for {@code hot}. {@code balance url_param key} hashes only that
     * parameter, so the delay does not change the key (and the replicas answer only {@code /}
     * slowly: another path is a quick 404).
     */
    static List<String> hotKeyTraffic() {
        String held = "&delay_ms=" + HOLD_MS;
        List<String> targets = new ArrayList<>();
        String[] heldKeys = {"hot", "hot", "cool", "hot", "hot", "warm", "hot"};
        for (int i = 0; i < 21; i++) {
            if (i % 3 == 2) {
                targets.add("/?key=hot");
            } else {
                targets.add("/?key=" + heldKeys[(i - i / 3) % heldKeys.length] + held);
            }
        }
        return targets;
    }

    static String config(int factor, List<Integer> weights) {
        return SingleBackendConfig.of(
                        "balance url_param key\n    hash-type consistent\n    hash-balance-factor "
                                + factor,
                        weights)
                .text();
    }
}
