package dev.lbkit.balancer.proxy;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A wrapper that Javalin sees as the head of its handler chain: it hands every request to the
 * proxy, except those for the frontend's own pages (statistics, Prometheus), which go on to the
 * wrapped Javalin handlers and count in the frontend's statistics as any request does.
 */
final class InsertedHandler extends Handler.Wrapper {
    private final Handler proxy;
    private final OwnPages pages;
    private final FrontendStats stats;

    /**
     * Javalin 7 builds its servlet's settings on the first request that reaches it, without a lock:
     * two first requests at once could fail one of them with a 500. The first pass into Javalin is
     * made alone (it runs Javalin's servlet on this thread, so the settings are built when it
     * returns); the others go on freely.
     */
    private final Object firstPass = new Object();

    private volatile boolean javalinWarm;

    InsertedHandler(Handler proxy) {
        this(proxy, OwnPages.NONE, new FrontendStats());
    }

    InsertedHandler(Handler proxy, OwnPages pages, FrontendStats stats) {
        this.proxy = proxy;
        this.pages = pages;
        this.stats = stats;
        addBean(proxy);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (pages == OwnPages.NONE) {
            return proxy.handle(request, response, callback);
        }
        RequestFacts facts = new RequestFacts(request);
        if (!pages.claims(facts)) {
            return proxy.handle(request, response, callback);
        }
        request.setAttribute(OwnPages.FACTS, facts);
        stats.requestStarted();
        EndCounting counted = new EndCounting(request, response, stats);
        Callback ending =
                Callback.from(
                        () -> {
                            counted.ended();
                            callback.succeeded();
                        },
                        failure -> {
                            counted.ended();
                            callback.failed(failure);
                        });
        // Javalin's servlet may block (reading a form): never on the thread that parsed the
        // request.
        request.getComponents()
                .getExecutor()
                .execute(
                        () -> {
                            try {
                                if (!toJavalin(request, counted, ending)) {
                                    Response.writeError(request, counted, ending, 404);
                                }
                            } catch (Throwable failure) {
                                ending.failed(failure);
                            }
                        });
        return true;
    }

    private boolean toJavalin(Request request, Response response, Callback callback)
            throws Exception {
        if (javalinWarm) {
            return super.handle(request, response, callback);
        }
        synchronized (firstPass) {
            boolean handled = super.handle(request, response, callback);
            javalinWarm = true;
            return handled;
        }
    }

    /**
     * The response, which ends the request in the frontend's counts as its last bytes are handed
     * over, before the client can see them and send its next request (as the proxy path does).
     */
    private static final class EndCounting extends Response.Wrapper {
        private final FrontendStats stats;
        private final java.util.concurrent.atomic.AtomicBoolean done =
                new java.util.concurrent.atomic.AtomicBoolean();

        EndCounting(Request request, Response response, FrontendStats stats) {
            super(request, response);
            this.stats = stats;
        }

        void ended() {
            if (done.compareAndSet(false, true)) {
                stats.requestEnded(getStatus());
            }
        }

        @Override
        public void write(boolean last, java.nio.ByteBuffer content, Callback callback) {
            if (last) {
                ended();
            }
            super.write(last, content, callback);
        }
    }

    @Override
    public void setServer(org.eclipse.jetty.server.Server server) {
        super.setServer(server);
        proxy.setServer(server);
    }

    @Override
    public InvocationType getInvocationType() {
        return proxy.getInvocationType();
    }
}
