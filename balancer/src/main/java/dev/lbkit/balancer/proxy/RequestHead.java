package dev.lbkit.balancer.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A request head being written for a server, as bytes: lbkit has the client's request parsed
 * already, so it writes the server's copy straight into one buffer that goes out in one write (with
 * a small body after it when there is one).
 */
final class RequestHead {
    /** Grows as needed: most request heads are a few hundred bytes. */
    private byte[] bytes = new byte[2048];

    private int length;

    void reset() {
        length = 0;
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** Appends ASCII text; any other character goes out as UTF-8. */
    void append(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                byte[] rest = text.substring(i).getBytes(StandardCharsets.UTF_8);
                ensure(rest.length);
                System.arraycopy(rest, 0, bytes, length, rest.length);
                length += rest.length;
                return;
            }
            bytes[length++] = (byte) c;
        }
    }

    void appendHeader(String name, String value) {
        append(name);
        append(": ");
        append(value);
        append("\r\n");
    }

    /** Room left, where a small body can travel with the head. */
    int room() {
        return Math.max(0, ServerConnection.BUFFER - length);
    }

    /**
     * Reads exactly {@code n} body bytes from {@code body} after the head ({@code n} ≤ {@link
     * #room()}).
     */
    void appendBody(InputStream body, int n) throws IOException {
        ensure(n);
        int end = length + n;
        while (length < end) {
            int read = body.read(bytes, length, end - length);
            if (read < 0) {
                throw new EOFException("the client's body ended early");
            }
            length += read;
        }
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            byte[] bigger = new byte[Math.max(bytes.length * 2, length + more)];
            System.arraycopy(bytes, 0, bigger, 0, length);
            bytes = bigger;
        }
    }
}
