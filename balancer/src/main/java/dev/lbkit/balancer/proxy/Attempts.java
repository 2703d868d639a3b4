package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.RequestInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import org.eclipse.jetty.server.Request;

/**
 * The retry rules of one request, the same on the blocking and the event-loop paths: HAProxy's
 * {@code retries} after a failed connect, the last of them on another server with {@code option
 * redispatch}; one more try on a new connection when a pooled one turns out closed by the server;
 * and {@code http-reuse}, which says whether an idle connection may be taken at all.
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

    /**
     * A connect failed: true to try again (on the slot's server, which redispatch may have
     * changed), false when no try is left (HAProxy answers 503 then).
     */
    boolean afterConnectFailure() {
        if (retriesLeft == 0) {
            return false;
        }
        retriesLeft--;
        if (retriesLeft > 0 || !backend.section().redispatch()) {
            return true;
        }
        redispatched = slot.redispatch(info);
        return redispatched;
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
