package dev.lbkit.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code option httpchk} with {@code http-check send} and {@code expect}: what request a backend's
 * check sends and which rules it tests, as measured on HAProxy 2.6.12 (HttpCheckLinesParityTest
 * compares the outcomes side by side on each line).
 */
class HttpCheckReadingTest {
    private static final String DEFAULTS =
            """
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
                option httpchk GET /health
                http-check expect status 204
            """;

    private static HttpCheck check(String config, String backend) throws Exception {
        return section(config, backend).httpCheck();
    }

    private static ProxySection section(String config, String backend) throws Exception {
        return ConfigParser.parse(config, "http-check.cfg").proxies().stream()
                .filter(p -> p.name().equals(backend))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void sendChangesTheOptionsRequestWordByWord() throws Exception {
        HttpCheck check =
                check(
                        """
                        backend b
                            option httpchk GET /health
                            http-check send uri /ready hdr Host example.com body ping
                            http-check expect status 200-299,304
                            http-check expect ! string maintenance
                            server s1 127.0.0.1:5001 check
                        """,
                        "b");
        assertThat(check.method()).isEqualTo("GET");
        assertThat(check.uri()).isEqualTo("/ready");
        assertThat(check.version()).isEqualTo("HTTP/1.0");
        assertThat(check.headers()).containsExactly("Host: example.com");
        assertThat(check.body()).isEqualTo("ping");
        assertThat(check.expects()).hasSize(2);
        HttpCheck.Expect status = check.expects().get(0);
        assertThat(status.holds(204, "")).isTrue();
        assertThat(status.holds(304, "")).isTrue();
        assertThat(status.holds(301, "")).isFalse();
        HttpCheck.Expect notString = check.expects().get(1);
        assertThat(notString.holds(200, "all good")).isTrue();
        assertThat(notString.holds(200, "under maintenance")).isFalse();
        assertThat(notString.onStatus()).isFalse();
    }

    @Test
    void aBackendInheritsTheWholeCheckOrStartsItsOwn() throws Exception {
        String config =
                DEFAULTS
                        + """
                        backend inherits
                            server s1 127.0.0.1:5001 check
                        backend ownOption
                            option httpchk GET /ready
                            server s1 127.0.0.1:5001 check
                        backend ownRule
                            http-check expect status 200
                            server s1 127.0.0.1:5001 check
                        backend ownSend
                            http-check send uri /ready
                            server s1 127.0.0.1:5001 check
                        """;
        HttpCheck inherits = check(config, "inherits");
        assertThat(inherits.uri()).isEqualTo("/health");
        assertThat(inherits.expects()).hasSize(1);
        HttpCheck ownOption = check(config, "ownOption");
        assertThat(ownOption.uri()).as("its own option").isEqualTo("/ready");
        assertThat(ownOption.expects()).as("the inherited rule is dropped").isEmpty();
        HttpCheck ownRule = check(config, "ownRule");
        assertThat(ownRule.sendsNothing())
                .as("a rule of its own drops the inherited request: HAProxy's check times out")
                .isTrue();
        HttpCheck ownSend = check(config, "ownSend");
        assertThat(ownSend.method())
                .as("the default request, changed by send")
                .isEqualTo("OPTIONS");
        assertThat(ownSend.uri()).isEqualTo("/ready");
        assertThat(ownSend.expects()).isEmpty();
    }

    @Test
    void rulesWithoutTheOptionAreIgnoredWithHaproxysWarning() throws Exception {
        Config config =
                ConfigParser.parse(
                        """
                        defaults
                            mode http
                        backend b
                            http-check send uri /ready
                            server s1 127.0.0.1:5001 check
                        """,
                        "http-check.cfg");
        assertThat(config.proxies().get(0).httpCheck()).isNull();
        assertThat(config.warnings())
                .contains(
                        "[WARNING] backend 'b' uses http-check rules without 'option httpchk', so"
                                + " the rules are ignored.");
    }

    @Test
    void whatLbkitDoesNotModelIsNamedWithItsLine() throws Exception {
        ProxySection section =
                section(
                        """
                        defaults
                            mode http
                        backend b
                            option httpchk
                            http-check connect port 8080
                            http-check send meth GET uri /a
                            http-check expect hdr name Server value nginx
                            http-check send meth GET uri /b
                            server s1 127.0.0.1:5001 check
                        """,
                        "b");
        List<String> refused = Lbkit.unmodelledRules(section);
        assertThat(refused).hasSize(3);
        assertThat(refused.get(0)).startsWith("'http-check connect' at http-check.cfg:5");
        assertThat(refused.get(1)).startsWith("'http-check expect hdr' at http-check.cfg:7");
        assertThat(refused.get(2)).contains("a second one").contains("http-check.cfg:8");
    }

    @Test
    void theOldWayOfHidingHeadersInTheVersionIsRefusedFrom30() throws Exception {
        String config =
                """
                defaults
                    mode http
                backend b
                    option httpchk GET /health HTTP/1.1\\r\\nHost:\\ www
                    server s1 127.0.0.1:5001 check
                """;
        assertThat(ConfigParser.parse(config, "old.cfg").warnings())
                .anyMatch(w -> w.contains("is deprecated"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ConfigParser.parse(config, "old.cfg", HaproxyLine.V3_0))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("old.cfg:4")
                .hasMessageContaining("unsupported");
    }
}
