package dev.lbkit.balancer.proxy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A frontend's request counters, as the FRONTEND row of {@code show stat} reports them. */
public final class FrontendStats {
    private final AtomicInteger current = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicLong total = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicLongArray responses =
            new java.util.concurrent.atomic.AtomicLongArray(6);

    void requestStarted() {
        int now = current.incrementAndGet();
        // Written only when the peak rises: an update that changes nothing would still take the
        // counter's cache line from the other threads on every request.
        if (now > max.get()) {
            max.accumulateAndGet(now, Math::max);
        }
        total.incrementAndGet();
    }

    void requestEnded() {
        current.decrementAndGet();
    }

    /**
     * The request has ended with an answer of {@code status} (any answer: a server's, an error
     * page, a page of lbkit's own).
     */
    void requestEnded(int status) {
        responses.incrementAndGet(dev.lbkit.balancer.algorithm.Server.responseClass(status));
        requestEnded();
    }

    /**
     * Answers of status class {@code index}: 0 for 1xx ... 4 for 5xx, 5 for other codes ({@code
     * hrsp_*}).
     */
    public long responses(int index) {
        return responses.get(index);
    }

    /** Requests in progress ({@code scur}). */
    public int current() {
        return current.get();
    }

    /** The most requests ever in progress at once ({@code smax}). */
    public int max() {
        return max.get();
    }

    /** Requests received since start ({@code stot}). */
    public long total() {
        return total.get();
    }
}
