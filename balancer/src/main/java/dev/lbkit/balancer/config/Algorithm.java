package dev.lbkit.balancer.config;

/**
 * Every algorithm name HAProxy accepts after {@code balance}, with the line that brought it: {@code
 * sticky} and {@code log-hash} came after 2.6 (HAProxy 3.0 has them).
 */
public enum Algorithm {
    ROUNDROBIN("roundrobin"),
    STATIC_RR("static-rr"),
    LEASTCONN("leastconn"),
    FIRST("first"),
    SOURCE("source"),
    URI("uri"),
    URL_PARAM("url_param"),
    HDR("hdr"),
    RANDOM("random"),
    RDP_COOKIE("rdp-cookie"),
    HASH("hash"),
    STICKY("sticky", HaproxyLine.V3_0),
    LOG_HASH("log-hash", HaproxyLine.V3_0);

    private final String keyword;
    private final HaproxyLine since;

    Algorithm(String keyword) {
        this(keyword, HaproxyLine.V2_6);
    }

    Algorithm(String keyword, HaproxyLine since) {
        this.keyword = keyword;
        this.since = since;
    }

    /** Whether HAProxy {@code line} knows this algorithm. */
    public boolean knownIn(HaproxyLine line) {
        return line.compareTo(since) >= 0;
    }

    public String keyword() {
        return keyword;
    }
}
