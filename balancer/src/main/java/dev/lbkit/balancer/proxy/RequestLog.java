package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.log.AccessLog;
import dev.lbkit.balancer.log.AccessRecord;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Fills a request's {@link AccessRecord} from the proxy's path: each method is one step (a server
 * picked, connected, answered, failed) and does nothing when the record is null, which is every
 * request of a frontend that does not log. The line is written by {@link #end}.
 */
final class RequestLog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestLog.class);

    private RequestLog() {}

    /**
     * The record of a request that just arrived, or null when {@code log} writes no request lines.
     */
    static AccessRecord begin(AccessLog log, Request request, String frontend, Backend backend) {
        if (log == null || !log.logsRequests()) {
            return null;
        }
        AccessRecord record = new AccessRecord();
        record.requestCounter = AccessLog.requestStarted();
        record.beginNanos = request.getBeginNanoTime();
        record.headersNanos = Math.max(record.beginNanos, request.getHeadersNanoTime());
        record.acceptMillis = Request.getTimeStamp(request);
        record.frontend = frontend;
        record.backend = backend != null ? backend.name() : frontend;
        setAddress(request.getConnectionMetaData().getRemoteSocketAddress(), record, true);
        setAddress(request.getConnectionMetaData().getLocalSocketAddress(), record, false);
        record.method = request.getMethod();
        record.uri =
                DefaultPortRemoval.apply(RawTargetConnectionFactory.rawTarget(request)).target();
        record.version = request.getConnectionMetaData().getHttpVersion().asString();
        Connection connection = request.getConnectionMetaData().getConnection();
        record.bytesOut = -connection.getBytesOut();
        record.bytesIn = -connection.getBytesIn();
        return record;
    }

    /** Writes HAProxy's "Connect from" line for each connection a listener accepts. */
    static Connection.Listener connectionLines(AccessLog log, String frontend) {
        return new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                log.connectionAccepted(
                        hostPort(connection.getEndPoint().getRemoteSocketAddress()),
                        hostPort(connection.getEndPoint().getLocalSocketAddress()),
                        frontend);
            }
        };
    }

    private static String hostPort(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    private static void setAddress(SocketAddress address, AccessRecord record, boolean client) {
        if (address instanceof InetSocketAddress inet) {
            String ip =
                    inet.getAddress() != null
                            ? inet.getAddress().getHostAddress()
                            : inet.getHostString();
            if (client) {
                record.clientIp = ip;
                record.clientPort = inet.getPort();
            } else {
                record.frontendIp = ip;
                record.frontendPort = inet.getPort();
            }
        }
    }

    /** The balancer picked {@code server} (first pick or redispatch). */
    static void picked(AccessRecord record, Server server) {
        if (record == null) {
            return;
        }
        if (record.pickedNanos < 0) {
            record.pickedNanos = System.nanoTime();
        }
        record.server = server.name();
        record.serverIp = server.spec().host();
        record.serverPort = server.spec().port();
    }

    /** A connect attempt begins; {@code idle} when an idle connection is taken instead (0 ms). */
    static void connecting(AccessRecord record, boolean idle) {
        if (record == null) {
            return;
        }
        record.connectStartNanos = System.nanoTime();
        record.connectedNanos = idle ? record.connectStartNanos : -1;
    }

    static void connected(AccessRecord record) {
        if (record != null && record.connectedNanos < 0) {
            record.connectedNanos = System.nanoTime();
        }
    }

    /** The server's answer head arrived. */
    static void answered(AccessRecord record) {
        if (record != null) {
            record.answerNanos = System.nanoTime();
        }
    }

    /** The request ends with one of lbkit's error pages: the termination state it stands for. */
    static void failed(AccessRecord record, ErrorPage page) {
        if (record == null) {
            return;
        }
        record.ownAnswer = true;
        record.termination =
                switch (page) {
                    // no server, or every connect attempt failed: the server side, while connecting
                    case NO_SERVER -> "SC";
                    // the server reset, closed or sent garbage before its head; or took longer than
                    // timeout server
                    case BAD_GATEWAY -> "SH";
                    case GATEWAY_TIMEOUT -> "sH";
                    // the client's fault while it sent its request (or body)
                    case REQUEST_TIMEOUT -> "cR";
                    case BAD_REQUEST, UNPROCESSABLE, HEADERS_TOO_LARGE, URI_TOO_LONG -> "PR";
                    case INTERNAL_ERROR -> "PH";
                };
    }

    /**
     * The client closed its side before the server's answer began ({@code option abortonclose}):
     * {@code termination} is {@code CQ} (it waited in a queue), {@code CC} (no connection to a
     * server) or {@code CH} (connected, waiting for the answer; HAProxy then answers 400);
     * unanswered for the first two.
     */
    static void clientGone(AccessRecord record, String termination, boolean answered) {
        if (record == null) {
            return;
        }
        record.ownAnswer = true;
        record.unanswered = !answered;
        record.termination = termination;
    }

    /**
     * The request's server had {@code maxqueue} requests waiting already: refused with a 503,
     * logged with that server, {@code SQ} and no queue time, as HAProxy does.
     */
    static void refusedByFullQueue(AccessRecord record, Server server) {
        if (record == null) {
            return;
        }
        failed(record, ErrorPage.NO_SERVER);
        record.server = server.name();
        record.serverIp = server.spec().host();
        record.serverPort = server.spec().port();
        record.termination = "SQ";
    }

    /** How many connect attempts the request needed beyond its first, and whether one moved it. */
    /**
     * A pause before a retry: HAProxy logs it in %Tw when the backend has {@code option
     * redispatch}, and only in the total otherwise (measured on 2.6.12).
     */
    static void paused(AccessRecord record, dev.lbkit.balancer.Backend backend, long ms) {
        if (record != null && backend.section().redispatch()) {
            record.pausedNanos += ms * 1_000_000L;
        }
    }

    static void retries(AccessRecord record, Attempts attempts) {
        if (record != null && attempts != null) {
            record.retries = attempts.retriesUsed();
            record.redispatched = attempts.redispatched();
        }
    }

    /**
     * What HAProxy adds to every answer's count, whatever its size (see {@link
     * #countedAsHaproxyDoes}).
     */
    private static final int HAPROXY_ANSWER_OVERHEAD = 21;

    /**
     * The answer's size as HAProxy 2.6's {@code %B} counts it, which is not the bytes on the wire:
     * HAProxy counts the answer as it holds it internally, that is the words of the status line
     * (version, code, reason) and each header's name and value without the separators and line
     * ends, the connection header left out, plus the body, plus 21. Measured with the binary on
     * answers that differ by one header, one reason word and the body length (38 bytes on the wire
     * logged as 49, {@code x: y} added 2, a 5-byte body 5), and on the replicas' answers (157 bytes
     * on the wire, logged as 156). The body is the {@code Content-Length} when the answer has one;
     * otherwise what went on the wire after the head.
     */
    static long countedAsHaproxyDoes(Response response, Request request, long wireOut) {
        int status = response.getStatus();
        String reason = HttpStatus.getMessage(status);
        long head = "HTTP/1.1".length() + 3 + reason.length();
        long wireHead = "HTTP/1.1".length() + 1 + 3 + 1 + reason.length() + 2 + 2;
        long contentLength = -1;
        for (HttpField field : response.getHeaders()) {
            if (field.getHeader() == HttpHeader.CONNECTION) {
                continue;
            }
            String value = field.getValue() == null ? "" : field.getValue();
            head += field.getName().length() + value.length();
            wireHead += field.getName().length() + 2 + value.length() + 2;
            if (field.getHeader() == HttpHeader.CONTENT_LENGTH) {
                contentLength = Long.parseLong(value.trim());
            }
        }
        long body;
        if (request.getMethod().equals("HEAD") || status == 204 || status == 304 || status < 200) {
            body = 0;
        } else if (contentLength >= 0) {
            body = contentLength;
        } else {
            body = Math.max(0, wireOut - wireHead);
        }
        return HAPROXY_ANSWER_OVERHEAD + head + body;
    }

    /**
     * The request is over: status, bytes and counters are read now, and the line is queued. {@code
     * failure} is non-null when the answer broke off after it had started.
     */
    static void end(
            AccessLog log,
            AccessRecord record,
            Response response,
            Request request,
            Backend backend,
            FrontendStats stats,
            Throwable failure) {
        if (record == null) {
            return;
        }
        try {
            finish(log, record, response, request, backend, stats, failure);
        } catch (RuntimeException e) {
            // A log line must never keep a request from ending: this one is lost, the request is
            // not.
            LOG.warn(
                    "could not write the access log line of {} {}: {}",
                    record.method,
                    record.uri,
                    e.toString());
        }
    }

    private static void finish(
            AccessLog log,
            AccessRecord record,
            Response response,
            Request request,
            Backend backend,
            FrontendStats stats,
            Throwable failure) {
        record.endNanos = System.nanoTime();
        record.status = record.unanswered ? -1 : response.getStatus();
        Connection connection = request.getConnectionMetaData().getConnection();
        long wireOut = record.bytesOut + connection.getBytesOut();
        record.bytesIn += connection.getBytesIn();
        record.bytesOut =
                record.ownAnswer && !log.countsOwnAnswers()
                        ? 0
                        : countedAsHaproxyDoes(response, request, wireOut) - record.cookieHeadDelta;
        if (record.unanswered) {
            record.bytesOut = 0;
        }
        if (failure != null && record.termination.equals("--")) {
            record.termination = "SD";
        }
        record.activeConnections = AccessLog.active();
        record.frontendConnections = stats.current();
        if (backend != null) {
            int total = 0;
            for (Server server : backend.servers()) {
                total += server.served();
                if (server.name().equals(record.server)) {
                    record.serverConnections = server.served();
                }
            }
            record.backendConnections = total;
        }
        log.write(record);
    }
}
