package dev.lbkit.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * How the stats and use-service lines are read (their alerts are checked against haproxy -c by the
 * config corpus).
 */
class OperatorPagesReadingTest {
    private static final String HEAD =
            """
            defaults
                mode http
            """;

    private static ProxySection only(String section) throws ConfigException {
        return ConfigParser.parse(HEAD + section, "t.cfg").proxies().get(0);
    }

    @Test
    void anyStatsLineTurnsThePageOnAtHaproxysDefaultAddress() throws ConfigException {
        StatsPage page =
                only("listen st\n    bind 127.0.0.1:1\n    stats enable\n").operatorPages().stats();
        assertThat(page.uri()).as("stats enable alone").isEqualTo("/haproxy?stats");
        assertThat(
                        only("listen st\n    bind 127.0.0.1:1\n    stats uri /s\n")
                                .operatorPages()
                                .stats()
                                .uri())
                .as("stats uri without stats enable still turns the page on, as in HAProxy 2.6")
                .isEqualTo("/s");
        assertThat(only("listen st\n    bind 127.0.0.1:1\n").operatorPages().stats())
                .as("no stats line, no page")
                .isNull();
    }

    @Test
    void refreshIsInSecondsWhenNoUnitIsGiven() throws ConfigException {
        assertThat(refresh("10s")).isEqualTo(10);
        assertThat(refresh("5")).as("a bare number is seconds").isEqualTo(5);
        assertThat(refresh("1500ms")).isEqualTo(1);
        assertThat(refresh("2m")).isEqualTo(120);
    }

    private static int refresh(String value) throws ConfigException {
        return only("listen st\n    bind 127.0.0.1:1\n    stats refresh " + value + "\n")
                .operatorPages()
                .stats()
                .refreshSeconds();
    }

    @Test
    void adminConditionsLbkitEvaluatesAndOnesItOnlyReads() throws ConfigException {
        assertThat(admin("if TRUE").kind()).isEqualTo(RequestCondition.Kind.ALWAYS);
        assertThat(admin("if LOCALHOST").kind()).isEqualTo(RequestCondition.Kind.LOCALHOST);
        assertThat(admin("unless LOCALHOST").matches("/", true)).as("unless negates").isFalse();
        assertThat(admin("if METH_POST").modelled())
                .as("a predefined ACL lbkit does not evaluate")
                .isFalse();
        assertThat(admin("if { src 127.0.0.1 }").modelled())
                .as("a known fetch, not evaluated")
                .isFalse();
    }

    private static RequestCondition admin(String condition) throws ConfigException {
        return only("listen st\n    bind 127.0.0.1:1\n    stats admin " + condition + "\n")
                .operatorPages()
                .stats()
                .admin();
    }

    @Test
    void useServiceRulesKeepTheirConditionAndLine() throws ConfigException {
        ServiceRule rule =
                only("frontend fe\n    bind 127.0.0.1:1\n"
                                + "    http-request use-service prometheus-exporter if { path /metrics }\n")
                        .operatorPages()
                        .services()
                        .get(0);
        assertThat(rule.service()).isEqualTo("prometheus-exporter");
        assertThat(rule.condition().matches("/metrics", false)).isTrue();
        assertThat(rule.condition().matches("/metrics/x", false))
                .as("path is an exact match")
                .isFalse();
        assertThat(rule.where().line()).isEqualTo(5);
    }

    @Test
    void defaultsPassTheStatsPageOnAndTcpSectionsDropItWithHaproxysWarning()
            throws ConfigException {
        Config config =
                ConfigParser.parse(
                        """
                defaults
                    mode http
                    stats uri /s
                listen a
                    bind 127.0.0.1:1
                listen b
                    mode tcp
                    bind 127.0.0.1:2
                """,
                        "t.cfg");
        assertThat(config.proxies().get(0).operatorPages().stats().uri()).isEqualTo("/s");
        assertThat(config.proxies().get(1).operatorPages().stats()).isNull();
        assertThat(config.warnings())
                .contains(
                        "[WARNING] 'stats' statement ignored for proxy 'b' as it requires HTTP mode.");
    }

    @Test
    void badLinesNameTheirLine() {
        assertThatThrownBy(
                        () -> only("listen st\n    bind 127.0.0.1:1\n    stats admin when TRUE\n"))
                .hasMessageContaining("t.cfg:5")
                .hasMessageContaining("'stats admin' requires either 'if' or 'unless'");
        assertThatThrownBy(
                        () ->
                                only(
                                        "frontend fe\n    bind 127.0.0.1:1\n    http-request use-service lua.x\n"))
                .hasMessageContaining("t.cfg:5")
                .hasMessageContaining("'lua.x' unknown service name");
    }
}
