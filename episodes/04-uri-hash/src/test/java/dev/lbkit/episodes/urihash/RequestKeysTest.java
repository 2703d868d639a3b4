package dev.lbkit.episodes.urihash;

import static dev.lbkit.episodes.sourcehash.HashFixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Balance;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestKeysTest {

    private static String text(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private static String uriKey(String target, Balance balance) {
        return text(RequestKeys.uri(target, balance));
    }

    @Test
    void uriKeyStopsBeforeTheQueryUnlessWhole() {
        assertThat(uriKey("/a/b?x=1", uri(false, 0, 0, false)))
                .as("default: before '?'")
                .isEqualTo("/a/b");
        assertThat(uriKey("/a/b?x=1", uri(true, 0, 0, false))).as("whole").isEqualTo("/a/b?x=1");
    }

    @Test
    void uriDepthCountsTheLeadingSlash() {
        assertThat(uriKey("/a/b/c", uri(false, 0, 1, false))).as("depth 1").isEqualTo("/a");
        assertThat(uriKey("/a/b/c", uri(false, 0, 2, false))).as("depth 2").isEqualTo("/a/b");
        assertThat(uriKey("/a?x=/y/z", uri(true, 0, 2, false)))
                .as("with whole, query slashes count")
                .isEqualTo("/a?x=/y");
    }

    @Test
    void uriLenTruncatesBeforeTheScan() {
        assertThat(uriKey("/abcdef/ghi?x", uri(false, 4, 0, false))).as("len 4").isEqualTo("/abc");
        assertThat(uriKey("/ab?cdefgh/i/j", uri(true, 20, 1, false)))
                .as("depth 1 len 20 whole")
                .isEqualTo("/ab?cdefgh");
    }

    @Test
    void absoluteFormHashesSchemeAndAuthorityUnlessPathOnly() {
        assertThat(uriKey("http://host:80/p/q?x", uri(false, 0, 0, false)))
                .as("absolute-form default")
                .isEqualTo("http://host:80/p/q");
        assertThat(uriKey("http://host:80/p/q?x", uri(true, 0, 0, true)))
                .as("path-only keeps the query")
                .isEqualTo("/p/q?x");
        assertThat(uriKey("http://host", uri(false, 0, 0, true)))
                .as("path-only without a path")
                .isEqualTo("");
        assertThat(uriKey("/p?x", uri(false, 0, 0, true)))
                .as("path-only on origin-form")
                .isEqualTo("/p");
        assertThat(uriKey("*", uri(false, 0, 0, true))).as("path-only on '*'").isEqualTo("");
    }

    @Test
    void urlParamTakesTheFirstExactMatchInTheQuery() {
        assertThat(text(RequestKeys.urlParam("/p?xuid=1&uidx=2&uid=3&uid=4", "uid")))
                .as("exact name only")
                .isEqualTo("3");
        assertThat(text(RequestKeys.urlParam("/p?uid=", "uid")))
                .as("empty value is a key")
                .isEqualTo("");
        assertThat(text(RequestKeys.urlParam("/p?a=1&uid=%41b", "uid")))
                .as("not decoded")
                .isEqualTo("%41b");
        assertThat(RequestKeys.urlParam("/p?uid", "uid")).as("no '=' is missing").isNull();
        assertThat(RequestKeys.urlParam("/p/uid=3", "uid")).as("no query is missing").isNull();
        assertThat(RequestKeys.urlParam("/p?UID=3", "uid")).as("case-sensitive").isNull();
    }

    @Test
    void headerKeyIsTheFirstTrimmedCommaElement() {
        assertThat(text(RequestKeys.header("  v , w", false)))
                .as("first element, trimmed")
                .isEqualTo("v");
        assertThat(text(RequestKeys.header("\"a,b\", c", false)))
                .as("quoted commas do not split")
                .isEqualTo("\"a,b\"");
        assertThat(RequestKeys.header("", false)).as("empty value falls back").isNull();
        assertThat(RequestKeys.header(" , w", false)).as("empty first element falls back").isNull();
        assertThat(RequestKeys.header(null, false)).as("absent header falls back").isNull();
    }

    @Test
    void useDomainOnlyKeepsTheLabelBeforeTheLastDot() {
        assertThat(text(RequestKeys.header("www.1wt.eu", true))).as("www.1wt.eu").isEqualTo("1wt");
        assertThat(text(RequestKeys.header("example.com", true)))
                .as("single dot")
                .isEqualTo("example");
        assertThat(text(RequestKeys.header("localhost", true))).as("no dot").isEqualTo("localhost");
        assertThat(text(RequestKeys.header("a.b.example.com:8080", true)))
                .as("the port stays with the TLD label")
                .isEqualTo("example");
    }
}
