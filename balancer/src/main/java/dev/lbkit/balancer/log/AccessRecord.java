package dev.lbkit.balancer.log;

import java.util.concurrent.TimeUnit;

/**
 * What one request did, as its access log line reports it: who asked, which server answered, how
 * long each step took, how it ended. The request path fills it in as the request goes (one thread
 * at a time, each hand-over ordered by the queue that carries the request on), and {@link
 * AccessLog#write} turns it into a line at the end.
 *
 * <p>Times are {@link System#nanoTime()} readings; -1 marks a step that never happened, which the
 * timers print as -1, as HAProxy does.
 */
public final class AccessRecord {
    /** Wall-clock time the request began (its first byte), in epoch milliseconds. */
    public long acceptMillis;

    public long beginNanos;

    /** The request head was complete. */
    public long headersNanos;

    /** A server was picked (the end of the queue wait). */
    public long pickedNanos = -1;

    /** Pauses before retries that HAProxy counts as waiting for a server (%Tw). */
    public long pausedNanos;

    /** The last connect attempt began. */
    public long connectStartNanos = -1;

    /** The server connection was ready (0 ms for an idle one reused). */
    public long connectedNanos = -1;

    /** The server's answer head arrived. */
    public long answerNanos = -1;

    public long endNanos;

    public String clientIp = "-";
    public int clientPort;
    public String frontendIp = "-";
    public int frontendPort;
    public String frontend = "-";

    /** The backend's name; the frontend's when the request never reached one (HAProxy's habit). */
    public String backend;

    /** The server that answered (or was tried last), null for none. */
    public String server;

    public String serverIp = "-";
    public int serverPort;

    public int status = -1;
    public long bytesOut;
    public long bytesIn;

    /**
     * The two termination characters (%ts): who ended the request, and in which phase; "--" for a
     * normal end.
     */
    public String termination = "--";

    /**
     * The persistence cookie's two flags of {@code %tsc}: what the request's cookie said (N none, I
     * no such server, D its server is down, V valid) and what the answer did with it (N nothing, I
     * inserted, D deleted, P the server's kept, R rewritten); "--" without a {@code cookie} line.
     */
    public String cookieFlags = "--";

    /**
     * What the cookie rules changed in the answer's head, as {@code %B} counts a head (names and
     * values): HAProxy counts the answer as the server sent it, before its cookie is inserted
     * (measured on 2.6.12 with {@code insert}; taken to hold for a rewritten or dropped cookie).
     */
    public long cookieHeadDelta;

    /** The answer is one of the balancer's own error pages, not a server's. */
    public boolean ownAnswer;

    /** The request ended without any answer (its client closed first): status -1, no bytes. */
    public boolean unanswered;

    /** Connect attempts beyond the first (%rc). */
    public int retries;

    /** Whether a retry moved the request to another server (%rc then starts with '+'). */
    public boolean redispatched;

    public int activeConnections;
    public int frontendConnections;
    public int backendConnections;
    public int serverConnections;

    public String method = "";

    /** The target as HAProxy stores it (an absolute-form target without its default port). */
    public String uri = "";

    public String version = "";

    /** The process-wide request counter (%rt). */
    public long requestCounter;

    /** Milliseconds from {@code from} to {@code to}, or -1 when either did not happen. */
    static long millis(long from, long to) {
        if (from < 0 || to < 0) {
            return -1;
        }
        return TimeUnit.NANOSECONDS.toMillis(Math.max(0, to - from));
    }

    /** %TR: the time to receive the whole request head. */
    long timeRequest() {
        return millis(beginNanos, headersNanos);
    }

    /** %Tw: the time waiting for a server, -1 when none was picked. */
    long timeWaiting() {
        long picked = millis(headersNanos, pickedNanos);
        return picked < 0 ? picked : picked + pausedNanos / 1_000_000L;
    }

    /** %Tc: the time to connect, -1 when no connection was made. */
    long timeConnect() {
        return connectedNanos < 0 ? -1 : millis(connectStartNanos, connectedNanos);
    }

    /** %Tr: the server's time to answer with a head, -1 when it did not. */
    long timeResponse() {
        return answerNanos < 0 ? -1 : millis(connectedNanos, answerNanos);
    }

    /** %Ta: the request's whole active time. */
    long timeActive() {
        return millis(beginNanos, endNanos);
    }
}
