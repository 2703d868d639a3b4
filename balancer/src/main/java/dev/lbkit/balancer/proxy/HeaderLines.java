package dev.lbkit.balancer.proxy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;

/**
 * The header lines a thread parsed lately, each with its field as Jetty takes it. A server sends
 * the same lines answer after answer ({@code content-type: text/plain}, {@code content-length:
 * 1024}), so a line seen before costs a lookup and a comparison of its bytes, and no new strings,
 * field or lookup of the header's name: the answer path then allocates per request only what
 * changes. A kept field also carries its bytes as they go out ({@link PreEncodedHttpField}), so
 * writing the answer's head to the client copies them instead of encoding the line again. One per
 * thread: no lock, and nothing shared between threads but immutable fields.
 *
 * <p>The lines are kept in {@link #SETS} sets of two, the set chosen from the line's length and its
 * first and last eight bytes; a new line takes the place of the one of its set used less lately.
 * Two lines per set keep a server's ten or so lines apart (with one line per place, 64 places, two
 * of eleven lines shared a place about six times in ten and pushed each other out on every answer).
 */
final class HeaderLines {
    /** Sets of kept lines per thread; a power of two. */
    static final int SETS = 128;

    /** Lines per set: two, as {@link #older} tells which of the two a new line takes. */
    static final int WAYS = 2;

    /** Longer lines (cookies, long values) are parsed every time, not kept. */
    static final int LONGEST_KEPT = 128;

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final ThreadLocal<HeaderLines> CURRENT =
            ThreadLocal.withInitial(HeaderLines::new);

    private final byte[][] lines = new byte[SETS * WAYS][];
    private final HttpField[] fields = new HttpField[SETS * WAYS];

    /** Per set, which of its two places was used less lately: the one a new line takes. */
    private final byte[] older = new byte[SETS];

    /** The last {@code Connection} field {@link #hopByHop} was asked about, and its answer. */
    private HttpField connection;

    private HopByHop connectionHop = HopByHop.EMPTY;

    /**
     * The hop-by-hop set of an answer whose only {@code Connection} header is {@code field}: a
     * server sends the same one answer after answer, and a kept field is the same object each time,
     * so its tokens are split once.
     */
    HopByHop hopByHop(HttpField field) {
        if (field != connection) {
            connectionHop = HopByHop.of(List.of(field.getValue()));
            connection = field;
        }
        return connectionHop;
    }

    /** The lines of the calling thread: a loop thread's own, or else a thread-local one. */
    static HeaderLines current() {
        return Thread.currentThread() instanceof LoopThread loop ? loop.headerLines : CURRENT.get();
    }

    /**
     * The field of the header line {@code buffer[line, end)} whose name ends at {@code colon}: the
     * name as sent, the value without the blanks around it.
     */
    HttpField field(byte[] buffer, int line, int colon, int end) {
        if (end - line > LONGEST_KEPT) {
            return parse(buffer, line, colon, end, false);
        }
        int set = set(buffer, line, end);
        int first = set * WAYS;
        byte[] kept = lines[first];
        if (kept != null && Arrays.equals(kept, 0, kept.length, buffer, line, end)) {
            older[set] = 1;
            return fields[first];
        }
        kept = lines[first + 1];
        if (kept != null && Arrays.equals(kept, 0, kept.length, buffer, line, end)) {
            older[set] = 0;
            return fields[first + 1];
        }
        int way = older[set];
        HttpField field = parse(buffer, line, colon, end, true);
        lines[first + way] = Arrays.copyOfRange(buffer, line, end);
        fields[first + way] = field;
        older[set] = (byte) (1 - way);
        return field;
    }

    /** The set of the line {@code buffer[from, to)}. */
    static int set(byte[] buffer, int from, int to) {
        int length = to - from;
        long h;
        if (length >= Long.BYTES) {
            long head = (long) LONGS.get(buffer, from);
            long tail = (long) LONGS.get(buffer, to - Long.BYTES);
            h = head * 0x9E3779B97F4A7C15L + tail * 0xC2B2AE3D27D4EB4FL + length;
        } else {
            h = length;
            for (int i = from; i < to; i++) {
                h = h * 31 + buffer[i];
            }
            h *= 0x9E3779B97F4A7C15L;
        }
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h >>> (Long.SIZE - Integer.numberOfTrailingZeros(SETS)));
    }

    private static HttpField parse(byte[] buffer, int line, int colon, int end, boolean kept) {
        String name = new String(buffer, line, colon - line, StandardCharsets.ISO_8859_1);
        int v = colon + 1;
        int ve = end;
        while (v < ve && (buffer[v] == ' ' || buffer[v] == '\t')) {
            v++;
        }
        while (ve > v && (buffer[ve - 1] == ' ' || buffer[ve - 1] == '\t')) {
            ve--;
        }
        String value = new String(buffer, v, ve - v, StandardCharsets.ISO_8859_1);
        HttpHeader header = HttpHeader.CACHE.get(name);
        // Jetty writes a field's bytes as they are only when it was made with them; it writes any
        // other field character by character, putting a blank in place of a control character.
        // Content-Length is not written from its field (Jetty writes the length itself), and a
        // pre-encoded field reads its number wrongly above 2^31 - 1: it stays a plain field.
        if (kept && header != HttpHeader.CONTENT_LENGTH && plain(buffer, line, end)) {
            return new PreEncodedHttpField(header, name, value);
        }
        return new HttpField(header, name, value);
    }

    /** No control character but the tab in {@code buffer[from, to)}. */
    private static boolean plain(byte[] buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buffer[i];
            if (b >= 0 && b < ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
