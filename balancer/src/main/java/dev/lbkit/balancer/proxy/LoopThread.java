package dev.lbkit.balancer.proxy;

/**
 * A thread of lbkit's event loops: the frontends' pool threads (which run Jetty's selectors and the
 * requests they read) and the upstream loops. Each keeps a few small buffers of its own, so a
 * buffer it gives back and takes again soon after, the usual case (a request buffer, a response
 * head, a relayed body), passes no lock and stays in the core's cache ({@link LeanBufferPool}).
 * Each also keeps the header lines it parsed lately ({@link HeaderLines}), reached without a
 * thread-local lookup, and whether it handles a server connection's event now.
 */
final class LoopThread extends Thread {
    final LeanBufferPool.ThreadCache buffers = new LeanBufferPool.ThreadCache();

    /** The header lines this thread parsed lately ({@link HeaderLines}). */
    final HeaderLines headerLines = new HeaderLines();

    /**
     * Set while this thread handles a server connection's event ({@link UpstreamLoop#inAnyLoop});
     * this thread's only.
     */
    boolean handling;

    LoopThread(Runnable task, String name) {
        super(task, name);
    }

    LoopThread(Runnable task) {
        super(task);
    }
}
