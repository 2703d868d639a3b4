package dev.lbkit.balancer.proxy;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A wrapper that Javalin sees as the head of its handler chain: it hands every request to the
 * proxy and never to the wrapped (servlet) handlers behind it.
 */
final class InsertedHandler extends Handler.Wrapper {
    private final Handler proxy;

    InsertedHandler(Handler proxy) {
        this.proxy = proxy;
        addBean(proxy);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return proxy.handle(request, response, callback);
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
