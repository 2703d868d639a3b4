package dev.lbkit.episodes.urihash;

import static dev.lbkit.episodes.sourcehash.HashKeys.NO_KEY;
import static dev.lbkit.episodes.sourcehash.HashKeys.rangeFrom;
import static dev.lbkit.episodes.sourcehash.HashKeys.rangeTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.HaproxyLine;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code url_param} key in a POST body, per HAProxy line (measured facts, see the javadoc). */
class PostParamKeyTest {

    private static String key(String body, HaproxyLine line) {
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        long range =
                RequestKeys.postParamRange(
                        bytes, bytes.length, "uid".getBytes(StandardCharsets.US_ASCII), line);
        return range == NO_KEY
                ? null
                : new String(
                        bytes,
                        rangeFrom(range),
                        rangeTo(range) - rangeFrom(range),
                        StandardCharsets.ISO_8859_1);
    }

    @Test
    void findsTheParameterFirstOrAfterAnAmpersandOnly() {
        assertThat(key("uid=ab&x=1", HaproxyLine.V2_6)).as("first").isEqualTo("ab");
        assertThat(key("x=1&uid=ab", HaproxyLine.V3_4)).as("after '&'").isEqualTo("ab");
        assertThat(key("xuid=ab", HaproxyLine.V2_6)).as("inside another name").isNull();
        assertThat(key("uid=&x=1", HaproxyLine.V3_4)).as("empty value").isEmpty();
        assertThat(key("x=1", HaproxyLine.V2_6)).as("absent").isNull();
    }

    @Test
    void from32OnEveryByteOfTheValueMustBeATokenCharacter() {
        assertThat(key("uid=ab/cd&x", HaproxyLine.V3_2)).as("'/' inside: no key").isNull();
        assertThat(key("uid=ab cd&x", HaproxyLine.V3_4))
                .as("a space ends the value")
                .isEqualTo("ab");
        assertThat(key("uid=%41b~*&x", HaproxyLine.V3_4)).as("token bytes").isEqualTo("%41b~*");
    }

    @Test
    void before32OnlyTheValuesFirstByteIsChecked() {
        assertThat(key("uid=ab/cd&x", HaproxyLine.V2_6))
                .as("'/' inside: hashed whole")
                .isEqualTo("ab/cd");
        assertThat(key("uid=ab cd", HaproxyLine.V3_0))
                .as("a space inside: kept")
                .isEqualTo("ab cd");
        assertThat(key("uid=/ab", HaproxyLine.V2_6)).as("'/' first: no key").isNull();
        assertThat(key("uid= ab", HaproxyLine.V2_6)).as("a space first: the empty key").isEmpty();
    }

    @Test
    void theBodyHaproxyHoldsShrinksWithTheHead() {
        int head = "POST".length() + "/p".length() + 8 + (8 + 4 + 1) + (8 + 14 + 5);
        assertThat(RequestKeys.postBodySeen(HaproxyLine.V2_6, head))
                .as("2.6, measured")
                .isEqualTo(15_213);
        assertThat(RequestKeys.postBodySeen(HaproxyLine.V3_2, head))
                .as("3.2, measured")
                .isEqualTo(15_213);
        assertThat(RequestKeys.postBodySeen(HaproxyLine.V3_4, head))
                .as("3.4, measured")
                .isEqualTo(15_221);
        assertThat(RequestKeys.postBodySeen(HaproxyLine.V2_6, head + 513))
                .as("a 500-byte header X-Pad costs 513 bytes of body, measured")
                .isEqualTo(14_700);
    }
}
