package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cases were checked against HAProxy 2.6.12, which echoed its stored URL and Host back. */
class DefaultPortRemovalTest {

    private static String stored(String target) {
        return DefaultPortRemoval.apply(target).target();
    }

    @Test
    void dropsPort80ForHttpAnd443ForHttps() {
        assertThat(stored("http://127.0.0.1:80/a/b"))
                .as("http + :80")
                .isEqualTo("http://127.0.0.1/a/b");
        assertThat(stored("https://127.0.0.1:443/a/b"))
                .as("https + :443")
                .isEqualTo("https://127.0.0.1/a/b");
        assertThat(stored("HtTpS://127.0.0.1:443/a"))
                .as("the scheme compares case-insensitively")
                .isEqualTo("HtTpS://127.0.0.1/a");
        assertThat(stored("http://127.0.0.1:80"))
                .as("no path: nothing is added")
                .isEqualTo("http://127.0.0.1");
        assertThat(stored("http://127.0.0.1:80/a?p=http://x:80/"))
                .as("only the authority's port")
                .isEqualTo("http://127.0.0.1/a?p=http://x:80/");
    }

    @Test
    void keepsPortsThatAreNotTheSchemeDefault() {
        assertThat(stored("http://127.0.0.1:443/a"))
                .as("http + :443")
                .isEqualTo("http://127.0.0.1:443/a");
        assertThat(stored("https://127.0.0.1:80/a"))
                .as("https + :80")
                .isEqualTo("https://127.0.0.1:80/a");
        assertThat(stored("http://127.0.0.1:080/a"))
                .as("the port text must be exactly 80")
                .isEqualTo("http://127.0.0.1:080/a");
        assertThat(stored("http://127.0.0.1:8080/a"))
                .as("any other port")
                .isEqualTo("http://127.0.0.1:8080/a");
        assertThat(stored("ftp://127.0.0.1:21/a"))
                .as("other schemes have no default")
                .isEqualTo("ftp://127.0.0.1:21/a");
    }

    @Test
    void dropsAnEmptyPortForAnyScheme() {
        assertThat(stored("http://127.0.0.1:/a")).as("http").isEqualTo("http://127.0.0.1/a");
        assertThat(stored("ftp://127.0.0.1:/a")).as("ftp").isEqualTo("ftp://127.0.0.1/a");
    }

    @Test
    void keepsUserinfoAndBracketsAndLooksOnlyAtTheLastPort() {
        assertThat(stored("http://a:b@127.0.0.1:80/x"))
                .as("userinfo stays")
                .isEqualTo("http://a:b@127.0.0.1/x");
        assertThat(stored("http://[::1]:80/a")).as("IPv6 literal").isEqualTo("http://[::1]/a");
        assertThat(stored("http://[::1]/a")).as("no port after ']'").isEqualTo("http://[::1]/a");
        assertThat(stored("http://127.0.0.1:80:80/x"))
                .as("only the last :80 goes")
                .isEqualTo("http://127.0.0.1:80/x");
    }

    @Test
    void leavesOriginFormAndSchemeLessTargetsAlone() {
        assertThat(DefaultPortRemoval.apply("/a:80/b").changed()).as("origin-form").isFalse();
        assertThat(DefaultPortRemoval.apply("*").changed()).as("asterisk-form").isFalse();
        assertThat(DefaultPortRemoval.apply("1ttp://h:80/x").changed())
                .as("a scheme starts with a letter")
                .isFalse();
        assertThat(DefaultPortRemoval.apply("http://h:80?x=1").changed())
                .as("a query right after the port")
                .isFalse();
    }

    @Test
    void hostHeaderTakesTheHostWithoutItsPort() {
        assertThat(DefaultPortRemoval.apply("http://127.0.0.1:80/a").host())
                .as("plain")
                .isEqualTo("127.0.0.1");
        assertThat(DefaultPortRemoval.apply("http://u@Example.COM:80/a").host())
                .as("without userinfo, case kept")
                .isEqualTo("Example.COM");
        assertThat(DefaultPortRemoval.apply("http://127.0.0.1:8080/a").host())
                .as("unchanged: no new value")
                .isNull();
    }
}
