package dev.lbkit.balancer.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection from lbkit to a server: a blocking socket with a read buffer, and
 * just enough of HTTP/1.1 to forward a request and read its answer. A proxy knows the messages
 * it relays (it has the client's request already parsed), so this writes the request head as
 * bytes in one go and parses only what forwarding needs from the answer: status, headers and
 * how the body ends.
 */
final class ServerConnection implements AutoCloseable {
    /** Read buffer; an answer head must fit in it, as in HAProxy (bufsize 16384). */
    static final int BUFFER = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER];
    private int pos;
    private int limit;
    private byte[] head = new byte[BUFFER];
    private int headLength;
    /** Requests sent on this connection so far; 0 means the connection is new. */
    private int uses;
    /** Whether any byte of the current answer has arrived. */
    private boolean answerStarted;
    long idleSinceNanos;

    private ServerConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to {@code address}; {@code connectMs} 0 waits as long as the system does, as
     * HAProxy's missing {@code timeout connect} does.
     */
    static ServerConnection open(InetSocketAddress address, long connectMs) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) Math.min(Integer.MAX_VALUE, connectMs));
            return new ServerConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** True when this connection came from the pool: it may have been closed by the server meanwhile. */
    boolean reused() {
        return uses > 0;
    }

    /** True once any byte of the answer to the current request has arrived. */
    boolean answerStarted() {
        return answerStarted;
    }

    /** Sets how long one read may wait ({@code timeout server}; 0 = no limit). */
    void readTimeout(long serverMs) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, serverMs));
    }

    // ---- writing the request ----

    /** Starts a new request head. */
    void beginHead() {
        headLength = 0;
        answerStarted = false;
        uses++;
    }

    /** Appends ASCII text to the head; any other character goes out as UTF-8. */
    void append(String text) {
        int n = text.length();
        ensureHead(n);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                appendUtf8(text.substring(i));
                return;
            }
            head[headLength++] = (byte) c;
        }
    }

    private void appendUtf8(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ensureHead(bytes.length);
        System.arraycopy(bytes, 0, head, headLength, bytes.length);
        headLength += bytes.length;
    }

    void appendHeader(String name, String value) {
        append(name);
        append(": ");
        append(value);
        append("\r\n");
    }

    /** Room left after the head, where a small body can travel in the same write. */
    int headRoom() {
        return head.length - headLength;
    }

    /** Reads exactly {@code length} body bytes from {@code body} into the head buffer (length ≤ {@link #headRoom()}). */
    void appendBody(InputStream body, int length) throws IOException {
        int end = headLength + length;
        while (headLength < end) {
            int n = body.read(head, headLength, end - headLength);
            if (n < 0) {
                throw new EOFException("the client's body ended early");
            }
            headLength += n;
        }
    }

    /** Sends what was appended so far. */
    void flushHead() throws IOException {
        out.write(head, 0, headLength);
        headLength = 0;
    }

    /** Sends body bytes as they are. */
    void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    private void ensureHead(int more) {
        if (headLength + more > head.length) {
            byte[] bigger = new byte[Math.max(head.length * 2, headLength + more)];
            System.arraycopy(head, 0, bigger, 0, headLength);
            head = bigger;
        }
    }

    // ---- reading the answer ----

    /**
     * Reads the server's answer head, skipping interim 1xx answers (a 101 is final). {@code headRequest}
     * says the answer has no body whatever its headers say.
     */
    Answer readAnswer(boolean headRequest) throws IOException {
        while (true) {
            Answer answer = readOneHead(headRequest);
            if (answer.status >= 200 || answer.status == 101) {
                return answer;
            }
        }
    }

    private Answer readOneHead(boolean headRequest) throws IOException {
        int end;
        while ((end = endOfHead()) < 0) {
            if (pos == 0 && limit == buffer.length) {
                throw new ProtocolException("the server's answer head is larger than " + BUFFER + " bytes");
            }
            if (fill() < 0) {
                throw new EOFException(answerStarted ? "the server closed the connection in the middle of its answer head"
                        : "the server closed the connection before answering");
            }
        }
        Answer answer = parseHead(pos, end, headRequest);
        pos = end;
        return answer;
    }

    /** Index just past the blank line ending the head in the buffer, or -1 when it is not all there yet. */
    private int endOfHead() {
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

    private Answer parseHead(int start, int end, boolean headRequest) throws IOException {
        int lineEnd = lineEnd(start, end);
        String statusLine = new String(buffer, start, lineEnd - start, StandardCharsets.ISO_8859_1);
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = parseStatus(statusLine);
        boolean http10 = statusLine.charAt(7) == '0';
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        Answer answer = new Answer(status, reason);
        boolean chunked = false;
        boolean close = http10;
        long length = -1;
        int line = next(lineEnd, end);
        while (line < end) {
            int e = lineEnd(line, end);
            if (e == line) {
                break;
            }
            int colon = indexOf(line, e, (byte) ':');
            if (colon <= line) {
                throw new ProtocolException("malformed header line in the server's answer");
            }
            String name = new String(buffer, line, colon - line, StandardCharsets.ISO_8859_1);
            int v = colon + 1;
            int ve = e;
            while (v < ve && (buffer[v] == ' ' || buffer[v] == '\t')) {
                v++;
            }
            while (ve > v && (buffer[ve - 1] == ' ' || buffer[ve - 1] == '\t')) {
                ve--;
            }
            String value = new String(buffer, v, ve - v, StandardCharsets.ISO_8859_1);
            answer.add(name, value);
            if (name.equalsIgnoreCase("Content-Length")) {
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException ex) {
                    throw new ProtocolException("bad Content-Length in the server's answer: " + value);
                }
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.regionMatches(true, Math.max(0, value.length() - 7), "chunked", 0, 7);
            } else if (name.equalsIgnoreCase("Connection")) {
                if (containsToken(value, "close")) {
                    close = true;
                } else if (http10 && containsToken(value, "keep-alive")) {
                    close = false;
                }
            }
            line = next(e, end);
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

    private static int parseStatus(String statusLine) throws ProtocolException {
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("bad status code in: " + statusLine);
            }
            status = status * 10 + (c - '0');
        }
        return status;
    }

    private static boolean containsToken(String value, String token) {
        for (String part : value.split(",")) {
            if (part.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** End of the line starting at {@code from} (before its CR LF or LF). */
    private int lineEnd(int from, int end) {
        int lf = indexOf(from, end, (byte) '\n');
        int e = lf < 0 ? end : lf;
        return e > from && buffer[e - 1] == '\r' ? e - 1 : e;
    }

    /** Start of the line after the one ending at {@code lineEnd}. */
    private int next(int lineEnd, int end) {
        int lf = indexOf(lineEnd, end, (byte) '\n');
        return lf < 0 ? end : lf + 1;
    }

    private int indexOf(int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buffer[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Reads more bytes into the buffer, compacting it first; -1 at end of stream. */
    private int fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n > 0) {
            limit += n;
            answerStarted = true;
        }
        return n;
    }

    // ---- reading the answer body: the caller relays buffer()[offset(), offset() + n) ----

    byte[] buffer() {
        return buffer;
    }

    int offset() {
        return pos;
    }

    /** Bytes available in the buffer, reading from the socket when none are; -1 at end of stream. */
    int available() throws IOException {
        if (pos == limit) {
            pos = 0;
            limit = 0;
            int n = fill();
            if (n < 0) {
                return -1;
            }
        }
        return limit - pos;
    }

    void consume(int n) {
        pos += n;
    }

    /**
     * The size of the next chunk of a chunked body, its size line consumed; 0 for the last chunk,
     * whose trailers are then consumed too.
     */
    long nextChunkSize() throws IOException {
        String line = readLine();
        int semicolon = line.indexOf(';');
        String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).trim();
        long size;
        try {
            size = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad chunk size in the server's answer: " + line);
        }
        if (size < 0) {
            throw new ProtocolException("bad chunk size in the server's answer: " + line);
        }
        if (size == 0) {
            while (!readLine().isEmpty()) {
                // trailers are hop-by-hop here: dropped
            }
        }
        return size;
    }

    /** Consumes the CR LF after a chunk's data. */
    void endOfChunk() throws IOException {
        if (!readLine().isEmpty()) {
            throw new ProtocolException("chunk data longer than its size in the server's answer");
        }
    }

    private String readLine() throws IOException {
        while (true) {
            int lf = indexOf(pos, limit, (byte) '\n');
            if (lf >= 0) {
                int e = lf > pos && buffer[lf - 1] == '\r' ? lf - 1 : lf;
                String line = new String(buffer, pos, e - pos, StandardCharsets.ISO_8859_1);
                pos = lf + 1;
                return line;
            }
            if (pos == 0 && limit == buffer.length) {
                throw new ProtocolException("chunk line too long in the server's answer");
            }
            if (fill() < 0) {
                throw new EOFException("the server closed the connection in the middle of a chunked body");
            }
        }
    }

    /** True when nothing of a next answer is buffered: the connection can carry another request. */
    boolean clean() {
        return pos == limit;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** How an answer's body ends. */
    enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    /** A server's answer head. */
    static final class Answer {
        final int status;
        final String reason;
        private String[] fields = new String[16];
        private int size;
        Framing framing;
        long length = -1;
        boolean reusable;

        Answer(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }

        void add(String name, String value) {
            if (size == fields.length) {
                String[] bigger = new String[fields.length * 2];
                System.arraycopy(fields, 0, bigger, 0, size);
                fields = bigger;
            }
            fields[size++] = name;
            fields[size++] = value;
        }

        /** The values of every header called {@code name}. */
        java.util.List<String> headers(String name) {
            java.util.List<String> values = new java.util.ArrayList<>(1);
            for (int i = 0; i < size; i += 2) {
                if (fields[i].equalsIgnoreCase(name)) {
                    values.add(fields[i + 1]);
                }
            }
            return values;
        }

        int headerCount() {
            return size / 2;
        }

        String name(int i) {
            return fields[2 * i];
        }

        String value(int i) {
            return fields[2 * i + 1];
        }
    }
}
