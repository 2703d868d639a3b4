package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An HTTP health check: {@code option httpchk [<method>] [<uri>] [<version>]}, then what the
 * backend's {@code http-check send} and {@code http-check expect} lines change.
 *
 * @param method the request's method, or null when the check sends nothing ({@link
 *     #sendsNothing()})
 * @param headers header lines sent after the request line ({@code http-check send hdr}), as "Name:
 *     value"
 * @param body the request body ({@code http-check send body}), or null
 * @param expects the {@code http-check expect} rules, in order: every one must hold. With none, a
 *     2xx or 3xx answer passes
 * @param unmodelled what the {@code http-check} lines ask for that lbkit does not do, with where
 *     (lbkit then refuses to run the config, naming these)
 */
public record HttpCheck(
        String method,
        String uri,
        String version,
        List<String> headers,
        String body,
        List<Expect> expects,
        List<String> unmodelled) {

    public HttpCheck {
        headers = List.copyOf(headers);
        expects = List.copyOf(expects);
        unmodelled = List.copyOf(unmodelled);
    }

    /** {@code option httpchk} alone, or with its words. */
    public HttpCheck(String method, String uri, String version) {
        this(method, uri, version, List.of(), null, List.of(), List.of());
    }

    /**
     * A check with rules but no request to send ({@code http-check} lines without {@code send} in a
     * section that inherits {@code option httpchk}): it connects and waits for an answer that never
     * comes.
     */
    public boolean sendsNothing() {
        return method == null;
    }

    public static HttpCheck defaults() {
        return new HttpCheck("OPTIONS", "/", "HTTP/1.0");
    }

    /**
     * One {@code http-check expect} rule: what of the answer it looks at and what it wants there.
     * {@code negated} ({@code !}) turns the match around.
     */
    public record Expect(
            boolean negated, Kind kind, String pattern, List<int[]> codes, Pattern regex) {
        public enum Kind {
            /** A list of status codes and ranges: {@code 200}, {@code 200,404}, {@code 200-399}. */
            STATUS,
            /** A regular expression the status code (three digits) must contain a match for. */
            RSTATUS,
            /** A string the body must contain. */
            STRING,
            /** A regular expression the body must contain a match for. */
            RSTRING
        }

        /** Whether the rule holds for an answer with {@code status} and {@code body}. */
        public boolean holds(int status, String body) {
            boolean matched =
                    switch (kind) {
                        case STATUS ->
                                codes.stream().anyMatch(r -> status >= r[0] && status <= r[1]);
                        case RSTATUS -> regex.matcher(String.valueOf(status)).find();
                        case STRING -> body.contains(pattern);
                        case RSTRING -> regex.matcher(body).find();
                    };
            return matched != negated;
        }

        /** Whether the rule looks at the status code (a failure is L7STS) or the body (L7RSP). */
        public boolean onStatus() {
            return kind == Kind.STATUS || kind == Kind.RSTATUS;
        }
    }

    /**
     * The {@code http-check} lines of one section, as read: what {@code send} changes of the
     * request (null: unchanged) and the {@code expect} rules.
     */
    static final class Rules {
        String method;
        String uri;
        String version;
        final List<String> headers = new ArrayList<>();
        String body;
        final List<Expect> expects = new ArrayList<>();
        final List<String> unmodelled = new ArrayList<>();
        int sends;

        /**
         * {@code option httpchk}'s check with these rules applied; with {@code option} null, the
         * rules alone: the default request changed by their {@code send}, or no request at all
         * without one ({@link HttpCheck#sendsNothing()}).
         */
        HttpCheck applyTo(HttpCheck option) {
            HttpCheck base = option != null ? option : defaults();
            if (option == null && sends == 0) {
                return new HttpCheck(null, null, null, List.of(), null, expects, unmodelled);
            }
            return new HttpCheck(
                    method != null ? method : base.method(),
                    uri != null ? uri : base.uri(),
                    version != null ? version : base.version(),
                    headers,
                    body,
                    expects,
                    unmodelled);
        }
    }
}
