package dev.lbkit.balancer.proxy;

import java.nio.charset.StandardCharsets;

/**
 * The short HTML answers lbkit gives when it cannot forward a request. Status and wording follow
 * what HAProxy sends in the same situations (checked against each line's binary), so a client
 * cannot tell the two apart by their error pages.
 */
enum ErrorPage {
    /**
     * The request is not valid HTTP/1.1 as HAProxy reads it (start line, header names, framing,
     * size).
     */
    BAD_REQUEST(400, "Bad request", "Your browser sent an invalid request."),
    /**
     * From 3.2: the request head does not fit HAProxy's buffer, its start line included (2.6 and
     * 3.0 say {@link #BAD_REQUEST}).
     */
    HEADERS_TOO_LARGE(431, "Request Header Fields Too Large", "Request Header Fields Too Large."),
    /** From 3.2: the start line alone does not fit HAProxy's buffer (2.6 and 3.0: 400). */
    URI_TOO_LONG(414, "URI Too Long", "The URI provided was too long for the server to process."),
    /** A transfer coding lbkit cannot frame (anything but a final {@code chunked}). */
    UNPROCESSABLE(
            422, "Unprocessable Content", "The server cannot process the contained instructions."),
    /** lbkit itself failed; should never be seen, but a client still gets an answer. */
    INTERNAL_ERROR(500, "Internal Server Error", "An internal server error occurred."),
    /** No usable server, or every connect attempt (with retries) failed. */
    NO_SERVER(503, "Service Unavailable", "No server is available to handle this request."),
    /**
     * The server answered something that is not HTTP, or closed/reset the connection before
     * answering.
     */
    BAD_GATEWAY(502, "Bad Gateway", "The server returned an invalid or incomplete response."),
    /** The server accepted the request but did not answer within {@code timeout server}. */
    GATEWAY_TIMEOUT(504, "Gateway Time-out", "The server didn't respond in time."),
    /** The client did not send its request (body) within {@code timeout client}. */
    REQUEST_TIMEOUT(
            408, "Request Time-out", "Your browser didn't send a complete request in time.");

    private final int status;
    private final byte[] body;

    ErrorPage(int status, String reason, String message) {
        this.status = status;
        this.body =
                ("<html><body><h1>"
                                + status
                                + " "
                                + reason
                                + "</h1>\n"
                                + message
                                + "\n</body></html>\n")
                        .getBytes(StandardCharsets.US_ASCII);
    }

    int status() {
        return status;
    }

    byte[] body() {
        return body.clone();
    }
}
