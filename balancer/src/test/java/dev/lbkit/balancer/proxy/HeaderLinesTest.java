package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
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
        HttpField[] fields = new HttpField[HeaderLines.SETS * HeaderLines.WAYS * 4];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = field(lines, "x-n: " + i);
        }
        for (int i = 0; i < fields.length; i++) {
            assertThat(field(lines, "x-n: " + i).getValue())
                    .as(
                            "line %d, after %d others were kept in %d places",
                            i, fields.length, HeaderLines.SETS * HeaderLines.WAYS)
                    .isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void twoLinesOfOneSetAreBothKept() {
        HeaderLines lines = new HeaderLines();
        // Two lines of the same set: with one line per place they pushed each other out on every
        // answer.
        String[] same = linesOfOneSet(2);
        String a = same[0];
        String b = same[1];
        HttpField fieldA = field(lines, a);
        HttpField fieldB = field(lines, b);

        for (int round = 0; round < 3; round++) {
            assertThat(field(lines, a)).as("%s, round %d", a, round).isSameAs(fieldA);
            assertThat(field(lines, b)).as("%s, round %d", b, round).isSameAs(fieldB);
        }
    }

    @Test
    void aThirdLineOfASetTakesThePlaceOfTheOneUsedLessLately() {
        HeaderLines lines = new HeaderLines();
        String[] same = linesOfOneSet(3);
        HttpField first = field(lines, same[0]);
        HttpField second = field(lines, same[1]);
        assertThat(field(lines, same[0])).isSameAs(first); // the second is now the older

        field(lines, same[2]);

        assertThat(field(lines, same[0])).as("the line used last stays").isSameAs(first);
        assertThat(field(lines, same[1])).as("the older line was replaced").isNotSameAs(second);
    }

    @Test
    void aKeptLineCarriesItsBytesAsTheyGoOut() {
        HeaderLines lines = new HeaderLines();
        HttpField served = field(lines, "X-Served-By: s1");
        HttpField type = field(lines, "content-type: text/plain");

        assertThat(served).isInstanceOf(PreEncodedHttpField.class);
        assertThat(served.getName()).isEqualTo("X-Served-By");
        assertThat(out(served))
                .as("an unknown header, its name as sent")
                .isEqualTo("X-Served-By: s1\r\n");
        assertThat(type).isInstanceOf(PreEncodedHttpField.class);
        assertThat(out(type))
                .as("a header Jetty knows, as Jetty writes it from a plain field")
                .isEqualTo(out(new HttpField("content-type", "text/plain")));
    }

    @Test
    void aLineWithAControlCharacterAndContentLengthStayPlainFields() {
        HeaderLines lines = new HeaderLines();
        HttpField odd = field(lines, "x-odd: a\u0001b");
        HttpField length = field(lines, "content-length: 3000000000");

        assertThat(odd).isNotInstanceOf(PreEncodedHttpField.class);
        assertThat(out(odd))
                .as("Jetty puts a blank for the control character")
                .isEqualTo("x-odd: a b\r\n");
        assertThat(length).isNotInstanceOf(PreEncodedHttpField.class);
        assertThat(length.getLongValue()).isEqualTo(3_000_000_000L);
    }

    @Test
    void theHopByHopSetOfAConnectionFieldIsWorkedOutOncePerField() {
        HeaderLines lines = new HeaderLines();
        HttpField connection = field(lines, "Connection: keep-alive, x-trace");

        HopByHop hop = lines.hopByHop(connection);

        assertThat(lines.hopByHop(connection)).isSameAs(hop);
        assertThat(hop.names(HttpHeader.KEEP_ALIVE)).isTrue();
        assertThat(hop.close()).isFalse();
        assertThat(hop.drops(new HttpField("X-Trace", "1"))).isTrue();
        assertThat(hop.drops(new HttpField("X-Other", "1"))).isFalse();
        assertThat(lines.hopByHop(field(lines, "Connection: close")).close()).isTrue();
    }

    private static int set(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        return HeaderLines.set(bytes, 0, bytes.length);
    }

    /** {@code count} lines that fall in one set, found by trying. */
    private static String[] linesOfOneSet(int count) {
        String[] found = new String[count];
        int set = set("x-s: 0");
        found[0] = "x-s: 0";
        int n = 1;
        for (int i = 1; n < count; i++) {
            if (set("x-s: " + i) == set) {
                found[n++] = "x-s: " + i;
            }
        }
        return found;
    }

    /** The bytes Jetty's HTTP/1 writer puts out for {@code field}. */
    private static String out(HttpField field) {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        HttpGenerator.putTo(field, buffer);
        buffer.flip();
        return StandardCharsets.ISO_8859_1.decode(buffer).toString();
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
