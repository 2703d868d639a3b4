package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code balance url_param} with {@code option forwardfor}: HAProxy reads a POST body differently
 * then (how much of it depends on when it arrives), which lbkit does not model, so it says so at
 * startup, naming the {@code balance} line.
 */
class ForwardForPostBodyWarningTest {
    private static final String DEFAULTS =
            """
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            """;

    private static List<String> warnings(String text) throws ConfigException {
        return ConfigParser.parse(DEFAULTS + text, "post.cfg").warnings().stream()
                .filter(w -> w.contains("forwardfor"))
                .toList();
    }

    @Test
    void aFrontendWithForwardForInFrontOfUrlParamIsWarnedAboutAtTheBalanceLine() throws Exception {
        List<String> warnings =
                warnings(
                        """
                        frontend web
                            bind 127.0.0.1:8080
                            option forwardfor
                            default_backend app
                        backend app
                            balance url_param uid check_post
                            server a 127.0.0.1:5001
                        """);
        assertThat(warnings).as("one warning for the one backend").hasSize(1);
        assertThat(warnings.get(0))
                .as("where (the balance line), what is not modelled, where the option comes from")
                .startsWith("[WARNING] parsing [post.cfg:11] : backend 'app' balances on url_param")
                .contains("POST bodies")
                .contains("from frontend 'web' (post.cfg:6)")
                .contains("lbkit does not model that")
                .contains("put the parameter in the query string");
    }

    @Test
    void theBackendsOwnOptionOrAUseBackendRuleCountToo() throws Exception {
        assertThat(
                        warnings(
                                """
                                listen both
                                    bind 127.0.0.1:8080
                                    option forwardfor
                                    balance url_param uid
                                    server a 127.0.0.1:5001
                                """))
                .as("a listen section with both")
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("[post.cfg:9]")
                .contains("from this listen");
        assertThat(
                        warnings(
                                """
                                frontend web
                                    bind 127.0.0.1:8080
                                    option forwardfor
                                    use_backend app if { path_beg /app }
                                    default_backend other
                                backend app
                                    balance url_param uid
                                    server a 127.0.0.1:5001
                                backend other
                                    server b 127.0.0.1:5002
                                """))
                .as("a use_backend rule reaches app; other balances round robin")
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("backend 'app'")
                .contains("from frontend 'web'");
    }

    @Test
    void noWarningWithoutBothTogether() throws Exception {
        assertThat(
                        warnings(
                                """
                                frontend web
                                    bind 127.0.0.1:8080
                                    default_backend app
                                backend app
                                    balance url_param uid
                                    server a 127.0.0.1:5001
                                frontend other
                                    bind 127.0.0.1:8081
                                    option forwardfor
                                    default_backend rr
                                backend rr
                                    balance roundrobin
                                    option forwardfor
                                    server b 127.0.0.1:5002
                                """))
                .as("url_param without forwardfor, forwardfor without url_param")
                .isEmpty();
    }
}
