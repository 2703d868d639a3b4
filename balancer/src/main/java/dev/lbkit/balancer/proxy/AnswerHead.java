package dev.lbkit.balancer.proxy;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The head of a server's answer, parsed from bytes: status, headers in order, and how its body
 * ends. Both ways lbkit talks to servers (the blocking {@link ServerConnection} and the event
 * loop's {@link AsyncConnection}) parse with it.
 */
final class AnswerHead {
    /** How an answer's body ends. */
    enum Framing {
        NONE,
        LENGTH,
        CHUNKED,
        UNTIL_CLOSE
    }

    final int status;
    private HttpField[] fields = new HttpField[16];
    private int size;
    Framing framing;
    long length = -1;
    boolean reusable;

    /** The headers this answer's {@code Connection} headers name, and the fixed list. */
    HopByHop hopByHop = HopByHop.EMPTY;

    AnswerHead(int status) {
        this.status = status;
    }

    void add(HttpField field) {
        if (size == fields.length) {
            fields = Arrays.copyOf(fields, size * 2);
        }
        fields[size++] = field;
    }

    /** The values of every header called {@code name}. */
    java.util.List<String> headers(String name) {
        java.util.List<String> values = new java.util.ArrayList<>(1);
        for (int i = 0; i < size; i++) {
            if (fields[i].getName().equalsIgnoreCase(name)) {
                values.add(fields[i].getValue());
            }
        }
        return values;
    }

    int headerCount() {
        return size;
    }

    /** Header {@code i} as Jetty takes it (shared between answers: it never changes). */
    HttpField field(int i) {
        return fields[i];
    }

    /**
     * Index just past the blank line ending the head in {@code buffer[pos, limit)}, or -1 when it
     * is not all there yet.
     */
    static int endOfHead(byte[] buffer, int pos, int limit) {
        for (int i = pos; i < limit; i++) {
            if (buffer[i] == '\n') {
                if (i + 1 < limit && buffer[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < limit && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    static AnswerHead parse(byte[] buffer, int start, int end, boolean headRequest)
            throws IOException {
        int lineEnd = lineEnd(buffer, start, end);
        if (!statusLine(buffer, start, lineEnd)) {
            throw new ProtocolException(
                    "not an HTTP/1.x status line: "
                            + new String(
                                    buffer, start, lineEnd - start, StandardCharsets.ISO_8859_1));
        }
        int status = parseStatus(buffer, start, lineEnd);
        boolean http10 = buffer[start + 7] == '0';
        AnswerHead answer = new AnswerHead(status);
        HeaderLines lines = HeaderLines.current();
        int connectionFields = 0;
        boolean chunked = false;
        boolean close = http10;
        long length = -1;
        int line = next(buffer, lineEnd, end);
        while (line < end) {
            int e = lineEnd(buffer, line, end);
            if (e == line) {
                break;
            }
            int colon = indexOf(buffer, line, e, (byte) ':');
            if (colon <= line) {
                throw new ProtocolException("malformed header line in the server's answer");
            }
            HttpField field = lines.field(buffer, line, colon, e);
            answer.add(field);
            // The field knows its header (Jetty looks the name up, whatever its case, when the
            // field is made, and HeaderLines keeps fields): no name comparison per line.
            HttpHeader header = field.getHeader();
            String value = field.getValue();
            if (header == HttpHeader.CONTENT_LENGTH) {
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException ex) {
                    throw new ProtocolException(
                            "bad Content-Length in the server's answer: " + value);
                }
            } else if (header == HttpHeader.TRANSFER_ENCODING) {
                chunked =
                        value.regionMatches(true, Math.max(0, value.length() - 7), "chunked", 0, 7);
            } else if (header == HttpHeader.CONNECTION) {
                HopByHop tokens = lines.hopByHop(field);
                if (tokens.close()) {
                    close = true;
                } else if (http10 && tokens.names(HttpHeader.KEEP_ALIVE)) {
                    close = false;
                }
                answer.hopByHop = tokens;
                connectionFields++;
            }
            line = next(buffer, e, end);
        }
        if (connectionFields > 1) {
            answer.hopByHop = HopByHop.of(answer.headers("Connection"));
        }
        if (headRequest || status < 200 || status == 204 || status == 304) {
            answer.framing = Framing.NONE;
        } else if (chunked) {
            answer.framing = Framing.CHUNKED;
        } else if (length >= 0) {
            answer.framing = Framing.LENGTH;
            answer.length = length;
        } else {
            answer.framing = Framing.UNTIL_CLOSE;
            close = true;
        }
        answer.reusable = !close && status != 101;
        return answer;
    }

    /** "HTTP/1.x NNN" at least, with a space after the version. */
    private static boolean statusLine(byte[] buffer, int start, int lineEnd) {
        return lineEnd - start >= 12
                && Arrays.equals(buffer, start, start + 7, HTTP_1, 0, HTTP_1.length)
                && buffer[start + 8] == ' ';
    }

    private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.ISO_8859_1);

    private static int parseStatus(byte[] buffer, int start, int lineEnd) throws ProtocolException {
        int status = 0;
        for (int i = start + 9; i < start + 12; i++) {
            byte c = buffer[i];
            if (c < '0' || c > '9') {
                throw new ProtocolException(
                        "bad status code in: "
                                + new String(
                                        buffer,
                                        start,
                                        lineEnd - start,
                                        StandardCharsets.ISO_8859_1));
            }
            status = status * 10 + (c - '0');
        }
        return status;
    }

    /** End of the line starting at {@code from} (before its CR LF or LF). */
    private static int lineEnd(byte[] buffer, int from, int end) {
        int lf = indexOf(buffer, from, end, (byte) '\n');
        int e = lf < 0 ? end : lf;
        return e > from && buffer[e - 1] == '\r' ? e - 1 : e;
    }

    /** Start of the line after the one ending at {@code lineEnd}. */
    private static int next(byte[] buffer, int lineEnd, int end) {
        int lf = indexOf(buffer, lineEnd, end, (byte) '\n');
        return lf < 0 ? end : lf + 1;
    }

    static int indexOf(byte[] buffer, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buffer[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
