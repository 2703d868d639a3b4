package dev.lbkit.balancer.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.eclipse.jetty.http.HttpField;

/**
 * The header lines a thread parsed lately, each with its field as Jetty takes it. A server sends
 * the same lines answer after answer ({@code content-type: text/plain}, {@code content-length:
 * 1024}), so a line seen before costs a hash and a comparison of its bytes, and no new strings,
 * field or lookup of the header's name: the answer path then allocates per request only what
 * changes. One per thread: no lock, and nothing shared between threads but immutable fields.
 */
final class HeaderLines {
    /** Lines kept per thread; a power of two. */
    static final int SLOTS = 64;

    /** Longer lines (cookies, long values) are parsed every time, not kept. */
    static final int LONGEST_KEPT = 128;

    private static final ThreadLocal<HeaderLines> CURRENT =
            ThreadLocal.withInitial(HeaderLines::new);

    private final byte[][] lines = new byte[SLOTS][];
    private final HttpField[] fields = new HttpField[SLOTS];

    static HeaderLines current() {
        return CURRENT.get();
    }

    /**
     * The field of the header line {@code buffer[line, end)} whose name ends at {@code colon}: the
     * name as sent, the value without the blanks around it.
     */
    HttpField field(byte[] buffer, int line, int colon, int end) {
        int length = end - line;
        if (length > LONGEST_KEPT) {
            return parse(buffer, line, colon, end);
        }
        int hash = 1;
        for (int i = line; i < end; i++) {
            hash = 31 * hash + buffer[i];
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        byte[] kept = lines[slot];
        if (kept != null && Arrays.equals(kept, 0, kept.length, buffer, line, end)) {
            return fields[slot];
        }
        HttpField field = parse(buffer, line, colon, end);
        lines[slot] = Arrays.copyOfRange(buffer, line, end);
        fields[slot] = field;
        return field;
    }

    private static HttpField parse(byte[] buffer, int line, int colon, int end) {
        String name = new String(buffer, line, colon - line, StandardCharsets.ISO_8859_1);
        int v = colon + 1;
        int ve = end;
        while (v < ve && (buffer[v] == ' ' || buffer[v] == '\t')) {
            v++;
        }
        while (ve > v && (buffer[ve - 1] == ' ' || buffer[ve - 1] == '\t')) {
            ve--;
        }
        return new HttpField(name, new String(buffer, v, ve - v, StandardCharsets.ISO_8859_1));
    }
}
