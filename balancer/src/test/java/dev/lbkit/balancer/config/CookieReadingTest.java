package dev.lbkit.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code cookie} line and the servers' {@code cookie} values, with HAProxy 2.6.12's alerts for
 * a wrong line (each checked against {@code haproxy -c}).
 */
class CookieReadingTest {
    private static final String HEAD =
            """
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            backend app
            """;

    private static Config parse(String body) throws ConfigException {
        return ConfigParser.parse(HEAD + body, "test.cfg", Map.<String, String>of()::get);
    }

    private static List<String> alerts(String body) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(body));
        assertThat(e).as("the text is refused").isNotNull();
        return e.alerts();
    }

    @Test
    void readsTheLineAndEachServersValue() throws Exception {
        Config config =
                parse(
                        """
                            cookie SRV insert indirect nocache postonly preserve httponly secure domain .a.com domain .b.org attr SameSite=Lax
                            option persist
                            server s1 127.0.0.1:5001 cookie one
                            server s2 127.0.0.1:5002
                        """);
        CookiePersistence cookie = config.backend("app").orElseThrow().cookie();
        assertThat(cookie.enabled()).isTrue();
        assertThat(cookie.name()).isEqualTo("SRV");
        assertThat(cookie.mode()).isEqualTo(CookiePersistence.Mode.INSERT);
        assertThat(List.of(cookie.indirect(), cookie.postonly(), cookie.preserve()))
                .containsOnly(true);
        assertThat(List.of(cookie.httpOnly(), cookie.secure(), cookie.persist()))
                .containsOnly(true);
        assertThat(cookie.domains()).containsExactly(".a.com", ".b.org");
        assertThat(cookie.attrs()).containsExactly("SameSite=Lax");
        assertThat(cookie.serverCookies()).isEqualTo(Map.of("s1", "one"));
    }

    @Test
    void aBackendWithoutTheLineHasNoPersistenceAndTheDefaultsLineIsInherited() throws Exception {
        assertThat(parse("    server s1 127.0.0.1:5001 cookie one\n").backend("app"))
                .get()
                .extracting(p -> p.cookie().enabled())
                .isEqualTo(false);
        Config inherited =
                ConfigParser.parse(
                        HEAD.replace("backend app\n", "    cookie SRV prefix\nbackend app\n")
                                + "    server s1 127.0.0.1:5001 cookie one\n",
                        "test.cfg",
                        Map.<String, String>of()::get);
        CookiePersistence cookie = inherited.backend("app").orElseThrow().cookie();
        assertThat(cookie.mode()).isEqualTo(CookiePersistence.Mode.PREFIX);
        assertThat(cookie.serverCookies()).isEqualTo(Map.of("s1", "one"));
    }

    @Test
    void aWrongLineIsRefusedAsHaproxyRefusesIt() {
        assertThat(alerts("    cookie\n"))
                .anyMatch(a -> a.contains("'cookie' expects <cookie_name> as argument."));
        assertThat(alerts("    cookie SRV sometimes\n"))
                .anyMatch(a -> a.contains("'cookie' supports 'rewrite', 'insert', 'prefix'"));
        assertThat(alerts("    cookie SRV insert rewrite\n"))
                .anyMatch(
                        a ->
                                a.contains(
                                        "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible."));
        assertThat(alerts("    cookie SRV insert domain\n"))
                .anyMatch(a -> a.contains("]: 'domain' expects <domain> as argument."));
        assertThat(alerts("    cookie SRV insert attr a;b\n"))
                .anyMatch(a -> a.contains("character '%x3B' is not permitted in attribute value."));
        assertThat(alerts("    server s1 127.0.0.1:5001 cookie\n"))
                .anyMatch(a -> a.contains("'cookie' expects <value> as argument.."));
    }

    @Test
    void whatLbkitDoesNotModelIsRefusedWithWhatToDo() {
        for (String word : List.of("maxidle 30m", "maxlife 1h", "dynamic")) {
            assertThat(alerts("    cookie SRV insert " + word + "\n"))
                    .as(word)
                    .anyMatch(
                            a ->
                                    a.contains("test.cfg:7")
                                            && a.contains("lbkit does not model cookie '")
                                            && a.contains("remove '"));
        }
    }

    @Test
    void aDomainWithoutAnEmbeddedDotIsWarnedAbout() throws Exception {
        assertThat(parse("    cookie SRV insert domain abc\n").warnings())
                .anyMatch(w -> w.contains("domain 'abc' contains no embedded dot"));
    }
}
