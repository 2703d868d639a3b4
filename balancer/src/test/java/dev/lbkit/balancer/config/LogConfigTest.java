package dev.lbkit.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lbkit.balancer.log.LogFormat;
import dev.lbkit.balancer.log.LogTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code log}, {@code log-format} and the logging options, read as HAProxy 2.6 reads them (checked
 * with haproxy -c).
 */
class LogConfigTest {

    private static final String GLOBAL_AND_DEFAULTS =
            """
            global
                log stdout format raw local0
                log 127.0.0.1:514 local1 notice
            defaults
                mode http
                log global
                option httplog
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            """;

    private static Config parse(String text) throws ConfigException {
        return ConfigParser.parse(text, "test.cfg", Map.<String, String>of()::get);
    }

    private static ProxySection proxy(Config config, String name) {
        return config.proxies().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void logGlobalStandsForTheGlobalTargetsAndNoLogClearsThem() throws Exception {
        Config config =
                parse(
                        GLOBAL_AND_DEFAULTS
                                + """
                frontend web
                    bind 127.0.0.1:8080
                    log stderr format short local2
                    default_backend app
                frontend quiet
                    bind 127.0.0.1:8081
                    no log
                    default_backend app
                backend app
                    server a 127.0.0.1:5001
                """);
        List<LogTarget> web = proxy(config, "web").log().targets();
        assertThat(web)
                .extracting(LogTarget::address)
                .as("the global two, then its own")
                .containsExactly("stdout", "127.0.0.1:514", "stderr");
        assertThat(web.get(1).port()).as("UDP port").isEqualTo(514);
        assertThat(proxy(config, "web").log().format().source())
                .as("option httplog from defaults")
                .isEqualTo(LogFormat.HTTPLOG);
        assertThat(proxy(config, "quiet").log().logsRequests())
                .as("'no log' drops the inherited targets")
                .isFalse();
        assertThat(proxy(config, "app").log().logsRequests())
                .as("a backend never logs itself")
                .isFalse();
    }

    @Test
    void theLastFormatLineWins() throws Exception {
        Config config =
                parse(
                        GLOBAL_AND_DEFAULTS
                                + """
                frontend clf
                    bind 127.0.0.1:8080
                    option httplog clf
                    default_backend app
                frontend custom
                    bind 127.0.0.1:8081
                    log-format "%ci %ST"
                    default_backend app
                backend app
                    log-format "%ci"
                    server a 127.0.0.1:5001
                """);
        assertThat(proxy(config, "clf").log().format().source()).isEqualTo(LogFormat.CLF);
        assertThat(proxy(config, "custom").log().format().source()).isEqualTo("%ci %ST");
        assertThat(config.warnings())
                .as("a backend's log-format is ignored, as HAProxy warns")
                .contains(
                        "[WARNING] parsing [test.cfg:20] : backend 'app' : 'log-format' directive is ignored in backends.");
    }

    @Test
    void from34TheBalancersOwnAnswersCountNoBytes() throws Exception {
        String text =
                GLOBAL_AND_DEFAULTS
                        + """
                frontend web
                    bind 127.0.0.1:8080
                    default_backend app
                backend app
                    balance roundrobin
                    server a 127.0.0.1:5001
                """;
        assertThat(
                        proxy(ConfigParser.parse(text, "test.cfg", HaproxyLine.V3_2), "web")
                                .log()
                                .countsOwnAnswers())
                .as("3.2 counts its 503 page (217 bytes)")
                .isTrue();
        assertThat(
                        proxy(ConfigParser.parse(text, "test.cfg", HaproxyLine.V3_4), "web")
                                .log()
                                .countsOwnAnswers())
                .as("3.4 logs 0 bytes for it")
                .isFalse();
    }

    @Test
    void targetsWithoutAFormatLogConnections() throws Exception {
        Config config =
                parse(
                        GLOBAL_AND_DEFAULTS.replace("    option httplog\n", "")
                                + """
                frontend web
                    bind 127.0.0.1:8080
                    default_backend app
                backend app
                    server a 127.0.0.1:5001
                """);
        assertThat(proxy(config, "web").log().logsConnections())
                .as("HAProxy's 'Connect from' lines")
                .isTrue();
        assertThat(proxy(config, "web").log().logsRequests()).isFalse();
    }

    @Test
    void optionHttplogCannotBeNegated() {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () ->
                                parse(
                                        GLOBAL_AND_DEFAULTS
                                                + """
                frontend web
                    bind 127.0.0.1:8080
                    no option httplog
                    default_backend app
                backend app
                    server a 127.0.0.1:5001
                """));
        assertThat(e.alerts())
                .containsExactly(
                        "[ALERT] parsing [test.cfg:13]: negation/default is not supported for option 'httplog'.");
    }

    @Test
    void aFormatWithoutATargetIsWarnedAbout() throws Exception {
        Config config =
                parse(
                        """
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend web
                    bind 127.0.0.1:8080
                    option httplog
                    default_backend app
                backend app
                    server a 127.0.0.1:5001
                """);
        assertThat(config.warnings())
                .contains(
                        "[WARNING] log format ignored for frontend 'web' since it has no log address.");
    }

    @Test
    void aMalformedLogFormatIsRefusedAfterReadingTheFileNamingItsLine() {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () ->
                                parse(
                                        GLOBAL_AND_DEFAULTS
                                                + """
                frontend web
                    bind 127.0.0.1:8080
                    log-format "%ci %zz"
                    default_backend app
                backend app
                    server a 127.0.0.1:5001
                """));
        assertThat(e.alerts())
                .containsExactly(
                        "[ALERT] Parsing [test.cfg:13]: failed to parse log-format : no such "
                                + "format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'.");
    }

    @Test
    void logFormatIsOneWord() {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () ->
                                parse(
                                        GLOBAL_AND_DEFAULTS
                                                + """
                frontend web
                    bind 127.0.0.1:8080
                    log-format %ci %ST
                    option httplog json
                    default_backend app
                backend app
                    server a 127.0.0.1:5001
                """));
        assertThat(e.alerts())
                .containsExactly(
                        "[ALERT] parsing [test.cfg:13] : log-format expects only one argument, don't forget to escape spaces!",
                        "[ALERT] parsing [test.cfg:14] : keyword 'httplog' only supports option 'clf'.");
    }
}
