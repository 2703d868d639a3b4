package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Request;

/**
 * The retry rules of one request, the same on the blocking and the event-loop paths: HAProxy's
 * {@code retries} after a failed connect, with {@code option redispatch} some of them on another
 * server; one more try on a new connection when a pooled one turns out closed by the server; and
 * {@code http-reuse}, which says whether an idle connection may be taken at all.
 *
 * <p>After a failed connect, measured on HAProxy 2.6.12 (docs/parity.md): with {@code option
 * redispatch}, a retry goes to another server at once when the server is no longer up, and, with
 * more than one active server up, on every retry for an algorithm that does not hash (roundrobin,
 * static-rr, leastconn, first, random), and for a hashing one only on the retries the option's
 * interval names (by default the last; {@code option redispatch 0} names none, yet on 2.6 moves the
 * others; from 3.0 it is no option at all). Every other retry goes to the same server after a pause
 * of a second, or of {@code timeout connect} when that is shorter, for a refused connect (after a
 * connect that timed out, lbkit retries at once: not measured here, where every connect to
 * 127.0.0.1 ends at once).
 */
final class Attempts {
    private final Backend backend;
    private final RequestInfo info;
    private final ProxyHandler.Slot slot;
    private final boolean mayShareIdle;
    private final int retries;
    private int retriesLeft;
    private boolean staleRetryUsed;
    private boolean redispatched;
    private Backend.Pick pick;
    private long pauseMs;

    Attempts(Backend backend, RequestInfo info, ProxyHandler.Slot slot, Request request) {
        this.backend = backend;
        this.info = info;
        this.slot = slot;
        // http-reuse safe (the default) and never: the first request of each client connection
        // opens
        // a server connection of its own, which then joins the idle pool; lbkit treats never as
        // safe.
        this.mayShareIdle =
                backend.section().httpReuse().sharesForFirstRequest()
                        || RawTargetConnectionFactory.requestNumber(request) > 1;
        this.retries = Math.max(0, backend.section().retries());
        this.retriesLeft = retries;
    }

    /** Whether the next try may take an idle connection rather than open a new one. */
    boolean mayTakeIdle() {
        return mayShareIdle && !staleRetryUsed;
    }

    /** What follows a failed connect. */
    enum Next {
        /** Try again on the slot's server, after {@link #pauseMs()}. */
        RETRY,
        /** Try again at once on the server redispatch moved the request to (the slot's now). */
        MOVED,
        /**
         * Redispatched to servers that are all full: the request waits in a queue ({@link
         * #queued()}), and the continuation given gets its server (then the slot's), or null once
         * {@code timeout queue} ran out.
         */
        QUEUED,
        /**
         * Redispatched to a server whose queue is full ({@link #queued()}'s {@code fullQueueOf}).
         */
        REFUSED,
        /** No try left, or no server to redispatch to: HAProxy answers 503. */
        GIVE_UP
    }

    /**
     * A connect failed: whether and where the request tries again. {@code whenDequeued} is the
     * continuation of a request redispatch queued ({@link Next#QUEUED}); it must not block.
     */
    Next afterConnectFailure(IOException failure, Consumer<Server> whenDequeued) {
        pauseMs = 0;
        if (retriesLeft == 0) {
            return Next.GIVE_UP;
        }
        retriesLeft--;
        if (redispatchNow(retries - retriesLeft)) {
            pick = slot.redispatch(info, whenDequeued);
            Next next =
                    pick.queued()
                            ? Next.QUEUED
                            : pick.queueFull()
                                    ? Next.REFUSED
                                    : pick.server() != null ? Next.MOVED : Next.GIVE_UP;
            // The access log marks a retry that moved (%rc's "+"); no server at all moves nothing.
            redispatched = next != Next.GIVE_UP;
            return next;
        }
        if (!(failure instanceof InterruptedIOException)) {
            long connectMs = backend.section().timeouts().connectMs();
            pauseMs = connectMs > 0 ? Math.min(1000, connectMs) : 1000;
        }
        return Next.RETRY;
    }

    /** The last redispatch's outcome: where it queued the request, or whose queue refused it. */
    Backend.Pick queued() {
        return pick;
    }

    /** How long to wait before the retry {@link #afterConnectFailure} allowed; 0 for none. */
    long pauseMs() {
        return pauseMs;
    }

    /** Whether retry number {@code retry} (from 1) goes to another server. */
    private boolean redispatchNow(int retry) {
        if (!backend.section().redispatch()) {
            return false;
        }
        if (!slot.server().usable()) {
            // Its checks took it down meanwhile, or it was put in maintenance: another server now.
            return true;
        }
        if (activeServersUp() < 2) {
            return false;
        }
        if (!hashes(backend.section().balance().algorithm())) {
            return true;
        }
        int every = backend.section().redispatchEvery();
        if (every == 0) {
            // option redispatch 0: a hashing algorithm's retries stay on their server.
            return false;
        }
        int period = every > 0 ? every : retries + 1 + every;
        return period <= 0 || retry % period == 0;
    }

    private int activeServersUp() {
        int up = 0;
        for (var server : backend.servers()) {
            if (!server.backup() && server.usable()) {
                up++;
            }
        }
        return up;
    }

    private static boolean hashes(Algorithm algorithm) {
        return switch (algorithm) {
            case SOURCE, URI, URL_PARAM, HDR, RDP_COOKIE, HASH, STICKY, LOG_HASH -> true;
            default -> false;
        };
    }

    /** Connect attempts made after the first failed (the access log's retry count). */
    int retriesUsed() {
        return retries - retriesLeft;
    }

    /** Whether the last retry went to another server ({@code option redispatch}). */
    boolean redispatched() {
        return redispatched;
    }

    /**
     * An exchange failed on a connection: true, once, when it was a pooled connection the server
     * had already closed (nothing of the request's body sent, nothing answered, no timeout), so the
     * server never saw the request and it may go again on a new connection.
     */
    boolean afterStaleConnection(
            boolean reused, boolean answerStarted, boolean bodyStarted, IOException failure) {
        if (!reused
                || answerStarted
                || bodyStarted
                || staleRetryUsed
                || failure instanceof InterruptedIOException) {
            return false;
        }
        staleRetryUsed = true;
        return true;
    }
}
