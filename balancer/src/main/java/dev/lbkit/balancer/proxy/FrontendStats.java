package dev.lbkit.balancer.proxy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A frontend's request counters, as the FRONTEND row of {@code show stat} reports them. */
public final class FrontendStats {
    private final AtomicInteger current = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicLong total = new AtomicLong();

    void requestStarted() {
        int now = current.incrementAndGet();
        max.accumulateAndGet(now, Math::max);
        total.incrementAndGet();
    }

    void requestEnded() {
        current.decrementAndGet();
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
