package dev.lbkit.balancer.algorithm;

import static dev.lbkit.balancer.algorithm.HashFixtures.address;
import static dev.lbkit.balancer.algorithm.HashFixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Balance;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashKeysTest {

    private static String text(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private static String uriKey(String target, Balance balance) {
        return text(HashKeys.uri(target, balance));
    }

    @Test
    void sourceKeyIsTheIpv4AddressAsAnInteger() {
        assertThat(HashKeys.source(address("127.0.1.1"))).as("127.0.1.1 read big-endian").isEqualTo(0x7F000101);
    }

    @Test
    void sourceKeyOfIpv4IsTheBigEndianAddressForHighAndLowBytes() throws Exception {
        int[][] addresses = {{0, 0, 0, 0}, {255, 255, 255, 255}, {10, 0, 0, 7}, {192, 168, 200, 1}, {128, 1, 255, 0}};
        for (int[] a : addresses) {
            int expected = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
            java.net.InetAddress client = java.net.InetAddress.getByAddress(
                    new byte[] {(byte) a[0], (byte) a[1], (byte) a[2], (byte) a[3]});
            assertThat(HashKeys.source(client)).as("key of " + client.getHostAddress() + " read big-endian")
                    .isEqualTo(expected);
        }
    }

    @Test
    void sourceKeyOfIpv6IsTheXorOfItsWords() {
        assertThat(HashKeys.source(address("2001:db8::1"))).as("0x20010db8 ^ 0 ^ 0 ^ 1").isEqualTo(0x20010db9);
    }

    @Test
    void sourceKeyOfAV4MappedClientDiffersFromThePlainIpv4Key() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 1, 1};
        Inet6Address client = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(HashKeys.source(client)).as("::ffff:127.0.1.1 hashes as 0x0000FFFF ^ 0x7F000101")
                .isEqualTo(0x0000FFFF ^ 0x7F000101);
    }

    @Test
    void uriKeyStopsBeforeTheQueryUnlessWhole() {
        assertThat(uriKey("/a/b?x=1", uri(false, 0, 0, false))).as("default: before '?'").isEqualTo("/a/b");
        assertThat(uriKey("/a/b?x=1", uri(true, 0, 0, false))).as("whole").isEqualTo("/a/b?x=1");
    }

    @Test
    void uriDepthCountsTheLeadingSlash() {
        assertThat(uriKey("/a/b/c", uri(false, 0, 1, false))).as("depth 1").isEqualTo("/a");
        assertThat(uriKey("/a/b/c", uri(false, 0, 2, false))).as("depth 2").isEqualTo("/a/b");
        assertThat(uriKey("/a?x=/y/z", uri(true, 0, 2, false))).as("with whole, query slashes count")
                .isEqualTo("/a?x=/y");
    }

    @Test
    void uriLenTruncatesBeforeTheScan() {
        assertThat(uriKey("/abcdef/ghi?x", uri(false, 4, 0, false))).as("len 4").isEqualTo("/abc");
        assertThat(uriKey("/ab?cdefgh/i/j", uri(true, 20, 1, false))).as("depth 1 len 20 whole")
                .isEqualTo("/ab?cdefgh");
    }

    @Test
    void absoluteFormHashesSchemeAndAuthorityUnlessPathOnly() {
        assertThat(uriKey("http://host:80/p/q?x", uri(false, 0, 0, false))).as("absolute-form default")
                .isEqualTo("http://host:80/p/q");
        assertThat(uriKey("http://host:80/p/q?x", uri(true, 0, 0, true))).as("path-only keeps the query")
                .isEqualTo("/p/q?x");
        assertThat(uriKey("http://host", uri(false, 0, 0, true))).as("path-only without a path")
                .isEqualTo("");
        assertThat(uriKey("/p?x", uri(false, 0, 0, true))).as("path-only on origin-form").isEqualTo("/p");
        assertThat(uriKey("*", uri(false, 0, 0, true))).as("path-only on '*'").isEqualTo("");
    }

    @Test
    void urlParamTakesTheFirstExactMatchInTheQuery() {
        assertThat(text(HashKeys.urlParam("/p?xuid=1&uidx=2&uid=3&uid=4", "uid"))).as("exact name only")
                .isEqualTo("3");
        assertThat(text(HashKeys.urlParam("/p?uid=", "uid"))).as("empty value is a key").isEqualTo("");
        assertThat(text(HashKeys.urlParam("/p?a=1&uid=%41b", "uid"))).as("not decoded").isEqualTo("%41b");
        assertThat(HashKeys.urlParam("/p?uid", "uid")).as("no '=' is missing").isNull();
        assertThat(HashKeys.urlParam("/p/uid=3", "uid")).as("no query is missing").isNull();
        assertThat(HashKeys.urlParam("/p?UID=3", "uid")).as("case-sensitive").isNull();
    }

    @Test
    void headerKeyIsTheFirstTrimmedCommaElement() {
        assertThat(text(HashKeys.header("  v , w", false))).as("first element, trimmed").isEqualTo("v");
        assertThat(text(HashKeys.header("\"a,b\", c", false))).as("quoted commas do not split")
                .isEqualTo("\"a,b\"");
        assertThat(HashKeys.header("", false)).as("empty value falls back").isNull();
        assertThat(HashKeys.header(" , w", false)).as("empty first element falls back").isNull();
        assertThat(HashKeys.header(null, false)).as("absent header falls back").isNull();
    }

    @Test
    void useDomainOnlyKeepsTheLabelBeforeTheLastDot() {
        assertThat(text(HashKeys.header("www.1wt.eu", true))).as("www.1wt.eu").isEqualTo("1wt");
        assertThat(text(HashKeys.header("example.com", true))).as("single dot").isEqualTo("example");
        assertThat(text(HashKeys.header("localhost", true))).as("no dot").isEqualTo("localhost");
        assertThat(text(HashKeys.header("a.b.example.com:8080", true))).as("the port stays with the TLD label")
                .isEqualTo("example");
    }
}
