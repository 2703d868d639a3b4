package dev.lbkit.balancer.stats;

import java.util.LinkedHashMap;
import java.util.Map;

/** What one of lbkit's own pages answers: a status, headers in order, and a body. */
public record PageAnswer(int status, Map<String, String> headers, String body) {

    public PageAnswer {
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A plain-text answer that no cache keeps. */
    static PageAnswer text(int status, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", "no-cache");
        headers.put("Content-Type", "text/plain");
        return new PageAnswer(status, headers, body);
    }
}
