package dev.lbkit.balancer.proxy;

import java.nio.ByteBuffer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ProxyConnectionFactory;

/**
 * Reads the PROXY protocol header (version 1 or 2) a connection to an {@code accept-proxy} bind
 * opens with. Jetty's own factory lets a connection without the header through as plain HTTP; on
 * such a bind HAProxy closes it unanswered, and so does this one.
 */
final class StrictProxyConnectionFactory extends ProxyConnectionFactory {

    StrictProxyConnectionFactory(String nextProtocol) {
        super(nextProtocol);
    }

    @Override
    protected void nextProtocol(Connector connector, EndPoint endPoint, ByteBuffer buffer) {
        endPoint.close();
    }
}
