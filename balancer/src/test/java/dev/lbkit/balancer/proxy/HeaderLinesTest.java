package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.Test;

class HeaderLinesTest {

    /** The field of {@code line} as it sits in a buffer between other bytes. */
    private static HttpField field(HeaderLines lines, String line) {
        byte[] buffer = ("xx" + line + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        int end = 2 + line.length();
        return lines.field(buffer, 2, 2 + line.indexOf(':'), end);
    }

    @Test
    void aLineSeenBeforeGivesTheSameFieldWithoutParsingAgain() {
        HeaderLines lines = new HeaderLines();
        HttpField first = field(lines, "content-length: 1024");

        assertThat(first.getName()).as("the name as sent").isEqualTo("content-length");
        assertThat(first.getValue()).as("the value").isEqualTo("1024");
        assertThat(first.getHeader()).as("Jetty's header").isEqualTo(HttpHeader.CONTENT_LENGTH);
        assertThat(field(lines, "content-length: 1024")).as("the same line again").isSameAs(first);
    }

    @Test
    void differentLinesGiveTheirOwnFieldsEvenWhenTheyShareASlot() {
        HeaderLines lines = new HeaderLines();
        HttpField[] fields = new HttpField[HeaderLines.SLOTS * 4];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = field(lines, "x-n: " + i);
        }
        for (int i = 0; i < fields.length; i++) {
            assertThat(field(lines, "x-n: " + i).getValue())
                    .as(
                            "line %d, after %d others were kept in %d slots",
                            i, fields.length, HeaderLines.SLOTS)
                    .isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void blanksAroundTheValueAreNotPartOfIt() {
        HttpField field = field(new HeaderLines(), "Content-Type:\t text/plain  ");

        assertThat(field.getName()).isEqualTo("Content-Type");
        assertThat(field.getValue()).isEqualTo("text/plain");
    }

    @Test
    void aLongLineIsParsedEveryTimeAndNotKept() {
        HeaderLines lines = new HeaderLines();
        String line = "set-cookie: " + "a".repeat(HeaderLines.LONGEST_KEPT);
        HttpField first = field(lines, line);

        assertThat(first.getValue()).hasSize(HeaderLines.LONGEST_KEPT);
        assertThat(field(lines, line)).as("parsed again").isNotSameAs(first).isEqualTo(first);
    }
}
