package dev.lbkit.episodes.random;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.Where;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How {@code balance random(N)} reads N: as C's {@code strtol(text, &end, 0)} does (leading blanks
 * and a sign allowed, 0x for hex, a leading 0 for octal, clamped at the int range), then a closing
 * parenthesis and at least one draw.
 */
class RandomAlgorithmsTest {

    private static Balance read(String word, List<String> alerts) {
        return new RandomAlgorithms()
                .read(Algorithm.RANDOM, List.of(word), new Where("t.cfg", 7), alerts::add);
    }

    @ParameterizedTest(name = "{0} -> {1} draws")
    @CsvSource(
            delimiter = '|',
            value = {
                "random|2", "random()|2", "random(1)|1", "random(2)|2", "random(3)|3",
                        "random(10)|10",
                "random(0x3)|3", "random(0X10)|16", "random(010)|8", "random(07)|7", "random( 4)|4",
                        "random(+5)|5",
                "random(99999999999)|2147483647", "random(2147483647)|2147483647"
            })
    void drawsAreReadAsStrtolReadsThem(String word, int draws) {
        List<String> alerts = new ArrayList<>();
        Balance balance = read(word, alerts);
        assertThat(alerts).as("'%s' is accepted", word).isEmpty();
        assertThat(balance.randomDraws()).as("draws for '%s'", word).isEqualTo(draws);
        assertThat(balance.algorithm()).isEqualTo(Algorithm.RANDOM);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "random(0)|balance random : number of draws must be at least 1.",
                "random(-1)|balance random : number of draws must be at least 1.",
                "random(-0x2)|balance random : number of draws must be at least 1.",
                "random(00)|balance random : number of draws must be at least 1.",
                "random(|balance random : missing closing parenthesis.",
                "random(2|balance random : missing closing parenthesis.",
                "random(0x|balance random : unexpected character 'x' after argument.",
                "random(2x)|balance random : unexpected character 'x' after argument.",
                "random(x)|balance random : unexpected character 'x' after argument.",
                "random(08)|balance random : unexpected character '8' after argument.",
                "random(0xg)|balance random : unexpected character 'x' after argument."
            })
    void wrongArgumentsAreRefusedWithOneAlert(String word, String alert) {
        List<String> alerts = new ArrayList<>();
        assertThat(read(word, alerts)).as("'%s' is refused", word).isNull();
        assertThat(alerts).as("the alert for '%s'", word).containsExactly(alert);
    }

    @ParameterizedTest(name = "provider serves {0}")
    @CsvSource("RANDOM")
    void theProviderServesRandom(Algorithm algorithm) {
        assertThat(new RandomAlgorithms().algorithms())
                .as("episode 05 serves balance random")
                .containsExactly(algorithm);
    }
}
