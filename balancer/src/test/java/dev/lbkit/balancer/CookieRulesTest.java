package dev.lbkit.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.CookiePersistence;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cookie rules on the cases measured against HAProxy 2.6.12 (each expectation is what HAProxy
 * did); CookiePersistenceLinesParityTest compares them with every line on random cookies.
 */
class CookieRulesTest {
    private static CookiePersistence cookie(CookiePersistence.Mode mode, boolean indirect) {
        return new CookiePersistence(
                "SRV",
                mode,
                indirect,
                false,
                false,
                false,
                false,
                List.of(),
                List.of(),
                false,
                Map.of("s1", "a", "s2", "b"),
                true);
    }

    private static final Map<String, String> BY_VALUE = Map.of("a", "s1", "b", "s2");

    private static String named(CookiePersistence cookie, String... lines) {
        return CookieRules.named(cookie, List.of(lines), BY_VALUE, s -> !s.equals("down"));
    }

    @Test
    void theFirstCookieNamingAServerWins() {
        CookiePersistence insert = cookie(CookiePersistence.Mode.INSERT, true);
        assertThat(named(insert, "x=1; SRV=a; y=2")).isEqualTo("s1");
        assertThat(named(insert, "SRV=zz; SRV=b"))
                .as("unknown values are passed over")
                .isEqualTo("s2");
        assertThat(named(insert, "SRV=a; SRV=b")).isEqualTo("s1");
        assertThat(named(insert, "a=1", "SRV=b")).as("every Cookie line").isEqualTo("s2");
        assertThat(named(insert, "SRV=b,SRV=a")).as("a comma ends a cookie").isEqualTo("s2");
        assertThat(named(insert, " SRV = b ")).as("spaces around do not count").isEqualTo("s2");
        assertThat(named(insert, "srv=b")).as("the name is case-sensitive").isNull();
        assertThat(named(insert, "SRV=\"b\"")).as("quotes are part of the value").isNull();
        assertThat(named(insert, "SRV=b x")).as("inner spaces too").isNull();
        assertThat(named(insert, "SRV")).isNull();
        assertThat(named(cookie(CookiePersistence.Mode.PREFIX, false), "SRV=b~xyz"))
                .as("prefix: the part before ~")
                .isEqualTo("s2");
    }

    @Test
    void theServersCopyLosesOrTrimsTheCookie() {
        CookiePersistence indirect = cookie(CookiePersistence.Mode.INSERT, true);
        assertThat(CookieRules.forwarded(indirect, "x=1; SRV=a; y=2")).isEqualTo("x=1; y=2");
        assertThat(CookieRules.forwarded(indirect, "a=1,SRV=b ;b=2")).isEqualTo("a=1; b=2");
        assertThat(CookieRules.forwarded(indirect, "SRV=a ~ z,srv=b ; other=d~q"))
                .as("taken out first: the rest as it was")
                .isEqualTo("srv=b ; other=d~q");
        assertThat(CookieRules.forwarded(indirect, "a=1;SRV=a")).isEqualTo("a=1");
        assertThat(CookieRules.forwarded(indirect, "SRV=a")).as("nothing left").isNull();
        assertThat(CookieRules.forwarded(indirect, "SRV")).as("not a cookie").isEqualTo("SRV");
        CookiePersistence prefix = cookie(CookiePersistence.Mode.PREFIX, false);
        assertThat(CookieRules.forwarded(prefix, "a=1,SRV= b~x ;b=2")).isEqualTo("a=1,SRV=x ;b=2");
        assertThat(CookieRules.forwarded(prefix, "SRV=a~b~c")).isEqualTo("SRV=b~c");
        assertThat(CookieRules.forwarded(prefix, "SRV=b")).isEqualTo("SRV=b");
        CookiePersistence passive = cookie(CookiePersistence.Mode.PASSIVE, false);
        assertThat(CookieRules.forwarded(passive, "a = 1; b= 2 ;c =3"))
                .as("with a cookie line the spaces around = go, in every mode")
                .isEqualTo("a=1; b=2 ;c=3");
        assertThat(CookieRules.forwarded(passive, "x=\"a b\" ; y=  ;z"))
                .isEqualTo("x=\"a b\" ; y=;z");
    }

    @Test
    void insertSetsTheCookieWhenTheClientLacksIt() {
        CookiePersistence insert =
                new CookiePersistence(
                        "SRV",
                        CookiePersistence.Mode.INSERT,
                        false,
                        false,
                        false,
                        true,
                        true,
                        List.of(".a.com"),
                        List.of("SameSite=Lax"),
                        false,
                        Map.of("s1", "a"),
                        true);
        assertThat(CookieRules.inserted(insert, "GET", List.of(), "a", false))
                .isEqualTo("SRV=a; path=/; domain=.a.com; HttpOnly; Secure; SameSite=Lax");
        assertThat(CookieRules.inserted(insert, "GET", List.of("SRV=a"), "a", false))
                .as("the client holds it already")
                .isNull();
        assertThat(CookieRules.inserted(insert, "GET", List.of("SRV=zz"), null, false))
                .as("a server without a value: the client is told to forget the cookie")
                .isEqualTo(
                        "SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/; domain=.a.com;"
                                + " HttpOnly; Secure; SameSite=Lax");
    }

    @Test
    void theServersOwnCookieIsRewrittenPrefixedOrDropped() {
        assertThat(
                        CookieRules.answerSetCookie(
                                cookie(CookiePersistence.Mode.REWRITE, false),
                                "SRV=x; path=/x",
                                "b"))
                .isEqualTo("SRV=b; path=/x");
        assertThat(
                        CookieRules.answerSetCookie(
                                cookie(CookiePersistence.Mode.PREFIX, false),
                                "SRV=abc; path=/x",
                                "a"))
                .isEqualTo("SRV=a~abc; path=/x");
        assertThat(
                        CookieRules.answerSetCookie(
                                cookie(CookiePersistence.Mode.INSERT, false),
                                "SRV=x; path=/x",
                                "a"))
                .as("insert: the proxy's own wins")
                .isNull();
        assertThat(
                        CookieRules.answerSetCookie(
                                cookie(CookiePersistence.Mode.INSERT, false), "other=1", "a"))
                .isEqualTo("other=1");
    }
}
