package dev.lbkit.balancer.config;

/** Every algorithm name HAProxy 2.6 accepts after {@code balance}. */
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
    HASH("hash");

    private final String keyword;

    Algorithm(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }
}
