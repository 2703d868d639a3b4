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
 * One HTTP/1.1 connection from lbkit to a server: a blocking socket with a read buffer, and just
 * enough of HTTP/1.1 to forward a request and read its answer. A proxy knows the messages it relays
 * (it has the client's request already parsed), so this writes the request head as bytes in one go
 * and parses only what forwarding needs from the answer: status, headers and how the body ends.
 */
final class ServerConnection implements Upstream.Idle {
    /** Read buffer; an answer head must fit in it, as in HAProxy (bufsize 16384). */
    static final int BUFFER = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER];
    private int pos;
    private int limit;
    private final RequestHead head = new RequestHead();

    /** Requests sent on this connection so far; 0 means the connection is new. */
    private int uses;

    /** Whether any byte of the current answer has arrived. */
    private boolean answerStarted;

    private long idleSinceNanos;

    /** The event loop's connection this one took over, or null for one opened blocking. */
    private AsyncConnection origin;

    private ServerConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Takes over a connection the event loop started an exchange on: {@code received} holds the
     * answer bytes that arrived after the head, {@code uses} the requests sent on it so far.
     */
    static ServerConnection adopt(
            Socket socket,
            byte[] received,
            int offset,
            int length,
            int uses,
            AsyncConnection origin)
            throws IOException {
        ServerConnection connection = new ServerConnection(socket);
        connection.origin = origin;
        System.arraycopy(received, offset, connection.buffer, 0, length);
        connection.limit = length;
        connection.uses = uses;
        connection.answerStarted = true;
        return connection;
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

    /**
     * True when this connection came from the pool: it may have been closed by the server
     * meanwhile.
     */
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

    /** Starts a new request: returns the empty head to write it into. */
    RequestHead beginHead() {
        head.reset();
        answerStarted = false;
        uses++;
        return head;
    }

    /** Sends what was written into the head so far. */
    void flushHead() throws IOException {
        out.write(head.bytes(), 0, head.length());
        head.reset();
    }

    /** Sends body bytes as they are. */
    void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    // ---- reading the answer ----

    /**
     * Reads the server's answer head, skipping interim 1xx answers (a 101 is final). {@code
     * headRequest} says the answer has no body whatever its headers say.
     */
    AnswerHead readAnswer(boolean headRequest) throws IOException {
        while (true) {
            AnswerHead answer = readOneHead(headRequest);
            if (answer.status >= 200 || answer.status == 101) {
                return answer;
            }
        }
    }

    private AnswerHead readOneHead(boolean headRequest) throws IOException {
        int end;
        while ((end = AnswerHead.endOfHead(buffer, pos, limit)) < 0) {
            if (pos == 0 && limit == buffer.length) {
                throw new ProtocolException(
                        "the server's answer head is larger than " + BUFFER + " bytes");
            }
            if (fill() < 0) {
                throw new EOFException(
                        answerStarted
                                ? "the server closed the connection in the middle of its answer head"
                                : "the server closed the connection before answering");
            }
        }
        AnswerHead answer = AnswerHead.parse(buffer, pos, end, headRequest);
        pos = end;
        return answer;
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

    /**
     * Bytes available in the buffer, reading from the socket when none are; -1 at end of stream.
     */
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
            int lf = AnswerHead.indexOf(buffer, pos, limit, (byte) '\n');
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
                throw new EOFException(
                        "the server closed the connection in the middle of a chunked body");
            }
        }
    }

    /** True when nothing of a next answer is buffered: the connection can carry another request. */
    boolean clean() {
        return pos == limit;
    }

    /**
     * The event loop's connection this one took over (it goes back to the loop when idle), or null.
     */
    AsyncConnection origin() {
        return origin;
    }

    /** Marks the start of an idle spell in the pool. */
    void idleNow() {
        idleSinceNanos = System.nanoTime();
    }

    @Override
    public long idleSinceNanos() {
        return idleSinceNanos;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
