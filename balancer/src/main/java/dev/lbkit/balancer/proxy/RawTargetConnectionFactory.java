package dev.lbkit.balancer.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/**
 * An HTTP/1 connection factory whose connections remember each request's target exactly as it
 * appeared on the start line. Jetty turns the target into an {@code HttpURI} and fills in scheme
 * and authority for origin-form requests, so afterwards nobody can tell {@code /p} from {@code
 * http://host/p}; {@code balance uri} hashes the two differently, so lbkit keeps the bytes.
 */
final class RawTargetConnectionFactory extends HttpConnectionFactory {

    RawTargetConnectionFactory(HttpConfiguration configuration) {
        super(configuration);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        RawTargetConnection connection =
                new RawTargetConnection(getHttpConfiguration(), connector, endPoint);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    /**
     * The request-target of {@code request} as received; falls back to Jetty's path and query when
     * the request did not come through this factory.
     */
    static String rawTarget(Request request) {
        if (request.getConnectionMetaData().getConnection() instanceof RawTargetConnection raw
                && raw.lastTarget != null) {
            return raw.lastTarget;
        }
        return request.getHttpURI().getPathQuery();
    }

    /**
     * Which request of its client connection {@code request} is: 1 for the first. HAProxy's {@code
     * http-reuse safe} treats the first one apart. 1 when the request did not come through this
     * factory.
     */
    static int requestNumber(Request request) {
        if (request.getConnectionMetaData().getConnection() instanceof RawTargetConnection raw) {
            return Math.max(1, raw.requests);
        }
        return 1;
    }

    /**
     * HTTP/1 handles one request at a time per connection (Jetty refuses to start a second stream
     * while one is pending), so the last target seen is the current request's.
     */
    private static final class RawTargetConnection extends HttpConnection {
        private volatile String lastTarget;
        private volatile int requests;

        /** Held while {@link #onFillable} runs, so that two runs never overlap. */
        private final ReentrantLock filling = new ReentrantLock();

        RawTargetConnection(
                HttpConfiguration configuration, Connector connector, EndPoint endPoint) {
            super(configuration, connector, endPoint);
        }

        /**
         * {@code timeout client} ran out. While a request is being handled Jetty fails its body
         * read (the proxy answers 408 then). Before that, HAProxy answers 408 to a client that sent
         * part of a request, or nothing at all on a new connection, and closes an idle keep-alive
         * connection silently; Jetty would close silently in every case.
         */
        @Override
        public boolean onIdleExpired(TimeoutException timeout) {
            HttpParser parser = getParser();
            boolean waitingForHead =
                    parser.inHeaderState() && (!parser.isStart() || getMessagesIn() == 0);
            if (!waitingForHead) {
                return super.onIdleExpired(timeout);
            }
            byte[] body = ErrorPage.REQUEST_TIMEOUT.body();
            String head =
                    "HTTP/1.1 408 Request Time-out\r\nContent-Length: "
                            + body.length
                            + "\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n";
            EndPoint endPoint = getEndPoint();
            endPoint.write(
                    Callback.from(endPoint::close, failed -> endPoint.close()),
                    ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)),
                    ByteBuffer.wrap(body));
            return false;
        }

        /**
         * One run at a time per connection. When the parser refuses a request (two Host headers, a
         * bad start line...), Jetty writes the 400 on another thread while this run still holds the
         * request buffer, and once the 400 is written it starts a second run of this method on a
         * third thread. Both runs release the request buffer; when the two releases meet, Jetty
         * logs "IllegalStateException: already released". Waiting here until the first run has
         * ended lets the second find the buffer already given back and take a fresh one.
         */
        @Override
        public void onFillable() {
            filling.lock();
            try {
                super.onFillable();
            } finally {
                filling.unlock();
            }
        }

        @Override
        protected HttpStreamOverHTTP1 newHttpStream(
                String method, String uri, HttpVersion version) {
            lastTarget = uri;
            requests++;
            return super.newHttpStream(method, uri, version);
        }
    }
}
