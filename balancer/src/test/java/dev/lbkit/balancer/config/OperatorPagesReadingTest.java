package dev.lbkit.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
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

    /** A request as ACLs see it: a method, a target and a client address. */
    private record Request(String method, String target, String clientAddress)
            implements AclTest.Facts {
        static Request get(String target) {
            return new Request("GET", target, "127.0.0.1");
        }

        @Override
        public String path() {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        @Override
        public List<String> headerValues(String name) {
            return List.of();
        }

        @Override
        public InetAddress client() {
            try {
                return InetAddress.getByName(clientAddress);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(clientAddress, e);
            }
        }

        @Override
        public String version() {
            return "1.1";
        }

        @Override
        public boolean hasBody() {
            return false;
        }
    }

    @Test
    void adminConditionsAreReadAndEvaluatedAsUseBackendsAre() throws ConfigException {
        Request local = Request.get("/s");
        Request remote = new Request("GET", "/s", "192.0.2.7");
        assertThat(admin("if TRUE").holds(remote)).isTrue();
        assertThat(admin("if LOCALHOST").holds(local)).as("127.0.0.1 is LOCALHOST").isTrue();
        assertThat(admin("if LOCALHOST").holds(remote)).isFalse();
        assertThat(admin("unless LOCALHOST").holds(local)).as("unless negates").isFalse();
        assertThat(admin("if METH_POST").holds(new Request("POST", "/s", "192.0.2.7")))
                .as("a predefined ACL on the method, evaluated as for use_backend")
                .isTrue();
        assertThat(admin("if METH_POST").holds(remote)).isFalse();
        assertThat(admin("if { src 192.0.2.0/24 } || LOCALHOST").holds(remote))
                .as("an anonymous ACL on the client address, or another term")
                .isTrue();
        assertThat(admin("if").holds(local))
                .as(
                        "an if with nothing after it never holds, as for use_backend (RoutingParityTest)")
                .isFalse();
        assertThat(admin("if { req.ver 1.1 }").unmodelled())
                .as("a fetch HAProxy knows and lbkit does not evaluate is read, and said to be so")
                .containsExactly(
                        "the ACL criterion 'req.ver' (lbkit evaluates path, url and"
                                + " hdr(name) with their _beg, _end, _sub, _reg, _dom forms, method and src)");
        assertThat(admin("unless !LOCALHOST METH_GET").asWritten())
                .as("the condition as read, for messages")
                .isEqualTo("unless !LOCALHOST METH_GET");
    }

    private static Condition admin(String condition) throws ConfigException {
        return only("listen st\n    bind 127.0.0.1:1\n    stats admin " + condition + "\n")
                .operatorPages()
                .stats()
                .admin();
    }

    @Test
    void conditionsOnFetchesLbkitOnlyReadsAreAcceptedAndSaidToBeNotEvaluated()
            throws ConfigException {
        // haproxy -c (2.6.12) accepts each of these lines.
        ProxySection fe =
                only(
                        "frontend fe\n    bind 127.0.0.1:1\n"
                                + "    acl by_host hdr(host),lower example.com\n"
                                + "    http-request use-service prometheus-exporter if { path,lower /metrics }\n"
                                + "    stats admin if by_host || { fe_name fe } { base_beg a/b } { fc_http_major 1 }\n");
        assertThat(fe.operatorPages().services().get(0).condition().unmodelled())
                .containsExactly("the converters in 'path,lower'");
        assertThat(fe.operatorPages().stats().admin().unmodelled())
                .containsExactly(
                        "the converters in 'hdr(host),lower'",
                        "the ACL criterion 'fe_name' (lbkit evaluates path, url and hdr(name) with"
                                + " their _beg, _end, _sub, _reg, _dom forms, method and src)",
                        "the ACL criterion 'base_beg' (lbkit evaluates path, url and hdr(name) with"
                                + " their _beg, _end, _sub, _reg, _dom forms, method and src)",
                        "the ACL criterion 'fc_http_major' (lbkit evaluates path, url and hdr(name)"
                                + " with their _beg, _end, _sub, _reg, _dom forms, method and src)");
        assertThatThrownBy(
                        () ->
                                only(
                                        "frontend fe\n    bind 127.0.0.1:1\n"
                                                + "    http-request use-service prometheus-exporter if { }\n"))
                .as("an empty anonymous ACL is HAProxy's alert, not a crash")
                .hasMessageContaining("t.cfg:5")
                .hasMessageContaining(
                        "error detected while parsing an 'http-request use-service' condition :"
                                + " missing fetch method in ACL expression ''.");
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
        assertThat(rule.appliesTo(Request.get("/metrics"))).isTrue();
        assertThat(rule.appliesTo(Request.get("/metrics?x=1")))
                .as("path leaves the query string out")
                .isTrue();
        assertThat(rule.appliesTo(Request.get("/metrics/x")))
                .as("path is an exact match")
                .isFalse();
        assertThat(rule.where().line()).isEqualTo(5);
        assertThat(
                        only("frontend fe\n    bind 127.0.0.1:1\n"
                                        + "    http-request use-service prometheus-exporter\n")
                                .operatorPages()
                                .services()
                                .get(0)
                                .appliesTo(Request.get("/anything")))
                .as("a rule without a condition applies to every request")
                .isTrue();
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
