package dev.lbkit.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfigParserTest {

    private static final String DEFAULTS =
            """
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            """;

    private static Config parse(String text) throws ConfigException {
        return ConfigParser.parse(text, "test.cfg", Map.of("APP_PORT", "5001", "EMPTY", "")::get);
    }

    private static ProxySection backend(Config config, String name) {
        return config.backend(name).orElseThrow();
    }

    private static List<String> alerts(String text) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(text));
        assertThat(e).as("the text is refused").isNotNull();
        return e.alerts();
    }

    // ------------------------------------------------------------------ defaults

    @Test
    void defaultsApplyToTheProxiesAfterItUntilTheNextDefaults() throws Exception {
        Config config =
                parse(
                        """
                defaults
                    mode http
                    balance leastconn
                    timeout server 7s
                    option redispatch
                backend first
                    server a 127.0.0.1:5001
                defaults
                    mode http
                    balance source
                backend second
                    server a 127.0.0.1:5001
                """);
        ProxySection first = backend(config, "first");
        ProxySection second = backend(config, "second");
        assertThat(first.balance().algorithm())
                .as("first backend inherits the first defaults")
                .isEqualTo(Algorithm.LEASTCONN);
        assertThat(first.timeouts().serverMs())
                .as("timeout server 7s from the first defaults")
                .isEqualTo(7000);
        assertThat(first.redispatch()).as("option redispatch is inherited").isTrue();
        assertThat(second.balance().algorithm())
                .as("second backend follows the second defaults")
                .isEqualTo(Algorithm.SOURCE);
        assertThat(second.timeouts().serverMs())
                .as("a new defaults section starts from HAProxy's own defaults")
                .isZero();
        assertThat(second.redispatch())
                .as("redispatch is not carried into a new defaults section")
                .isFalse();
    }

    @Test
    void optionRedispatchZeroKeepsTheOptionOnWithoutAnInterval() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + "backend zero\n    option redispatch 0\n"
                                + "backend three\n    option redispatch 3\n"
                                + "backend off\n    option redispatch\n    no option redispatch\n");
        assertThat(backend(config, "zero").redispatch()).as("option redispatch 0: on").isTrue();
        assertThat(backend(config, "zero").redispatchEvery()).as("with no interval").isZero();
        assertThat(backend(config, "three").redispatchEvery()).isEqualTo(3);
        assertThat(backend(config, "off").redispatch()).as("no option redispatch: off").isFalse();
    }

    @Test
    void aProxyOverridesWhatItsDefaultsSay() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + """
                    balance leastconn
                    hash-type consistent
                backend app
                    balance static-rr
                    hash-type map-based djb2
                    timeout server 1m
                    server a 127.0.0.1:5001
                """);
        ProxySection app = backend(config, "app");
        assertThat(app.balance().algorithm())
                .as("the backend's own balance wins")
                .isEqualTo(Algorithm.STATIC_RR);
        assertThat(app.balance().where().line()).as("balance remembers its line").isEqualTo(9);
        assertThat(app.hashType())
                .as("the backend's own hash-type wins")
                .isEqualTo(new HashType(false, HashFunction.DJB2, false));
        assertThat(app.timeouts().serverMs()).as("timeout server 1m").isEqualTo(60_000);
        assertThat(app.timeouts().connectMs())
                .as("timeout connect still inherited")
                .isEqualTo(5_000);
    }

    @Test
    void modeIsTcpWhenNothingSaysHttp() throws Exception {
        Config config =
                parse(
                        """
                backend app
                    server a 127.0.0.1:5001
                """);
        assertThat(backend(config, "app").mode()).as("HAProxy's default mode").isEqualTo(Mode.TCP);
        assertThat(backend(config, "app").balance().algorithm())
                .as("HAProxy's default algorithm")
                .isEqualTo(Algorithm.ROUNDROBIN);
        assertThat(backend(config, "app").retries()).as("HAProxy's default retries").isEqualTo(3);
    }

    @Test
    void namedDefaultsArePickedWithFrom() throws Exception {
        Config config =
                parse(
                        """
                defaults fast
                    mode http
                    timeout server 1s
                defaults slow
                    mode http
                    timeout server 9s
                backend app from fast
                    server a 127.0.0.1:5001
                backend other
                    server a 127.0.0.1:5001
                """);
        assertThat(backend(config, "app").timeouts().serverMs())
                .as("'from fast' picks the named defaults")
                .isEqualTo(1000);
        assertThat(backend(config, "other").timeouts().serverMs())
                .as("without 'from', the last defaults")
                .isEqualTo(9000);
    }

    @Test
    void defaultServerPresetsServerOptions() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + """
                    default-server inter 5s rise 4 fall 5 weight 3
                backend app
                    server a 127.0.0.1:5001 check
                    server b 127.0.0.1:5002 weight 7 fall 1
                """);
        ServerSpec a = backend(config, "app").servers().get(0);
        ServerSpec b = backend(config, "app").servers().get(1);
        assertThat(List.of(a.interMs(), a.rise(), a.fall(), a.weight()))
                .as("default-server values")
                .containsExactly(5000, 4, 5, 3);
        assertThat(List.of(b.weight(), b.fall()))
                .as("a server's own options win")
                .containsExactly(7, 1);
        assertThat(a.check()).as("check on a").isTrue();
        assertThat(b.check()).as("no check on b").isFalse();
    }

    // ------------------------------------------------------------------ server ids

    @Test
    void automaticIdsSkipExplicitOnesAndTheCounterCountsEveryServer() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + """
                backend app
                    server s1 127.0.0.1:5001 id 30
                    server s2 127.0.0.1:5002 id 10
                    server s3 127.0.0.1:5003
                """);
        assertThat(backend(config, "app").servers())
                .extracting(ServerSpec::id)
                .as("s3 gets 3: the counter went up after s1 and s2")
                .containsExactly(30, 10, 3);
        assertThat(backend(config, "app").servers())
                .extracting(ServerSpec::explicitId)
                .as("which ids were written")
                .containsExactly(true, true, false);
    }

    @Test
    void automaticIdsAvoidLaterExplicitIds() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + """
                backend app
                    server s1 127.0.0.1:5001
                    server s2 127.0.0.1:5002 id 1
                    server s3 127.0.0.1:5003
                    server s4 127.0.0.1:5004 id 4
                    server s5 127.0.0.1:5005
                """);
        assertThat(backend(config, "app").servers())
                .extracting(ServerSpec::id)
                .as("smallest unused id >= counter, the counter going on from it (HAProxy's sid)")
                .containsExactly(2, 1, 5, 4, 7);
    }

    @Test
    void serverIdsResolveFromTheCounterRule() {
        // Each expectation is what HAProxy 2.6.12, 3.0.11, 3.2.26 and 3.4.7 show as sid.
        assertThat(ServerIds.resolve(java.util.Arrays.asList(null, null, 2, null)))
                .as("counter 1 -> 1; counter 2 -> 3 (2 is explicit), on from 3; explicit 2; 5")
                .containsExactly(1, 3, 2, 5);
        assertThat(
                        ServerIds.resolve(
                                java.util.Arrays.asList(
                                        null, null, null, 32, 1, 43, null, null, 36, null)))
                .as("1 is taken, so every server after the first is one above its position")
                .containsExactly(2, 3, 4, 32, 1, 43, 8, 9, 36, 11);
        assertThat(
                        ServerIds.resolve(
                                java.util.Arrays.asList(
                                        null, null, null, 45, 24, null, null, 35, null, 6)))
                .as("6 is taken by the last server, so the sixth takes 7 and the counter follows")
                .containsExactly(1, 2, 3, 45, 24, 7, 8, 35, 10, 6);
    }

    @Test
    void duplicateExplicitIdIsReportedAtTheSecondServer() {
        List<String> alerts =
                alerts(
                        DEFAULTS
                                + """
                backend app
                    server s1 127.0.0.1:5001 id 3
                    server s2 127.0.0.1:5002 id 3
                """);
        assertThat(alerts)
                .as("HAProxy's duplicate-id alert")
                .containsExactly(
                        "[ALERT] [test.cfg:8] : 'server app/s2' : 'id' : custom id 3 already used at test.cfg:7 ('server s1').");
    }

    // ------------------------------------------------------------------ hash-type

    @Test
    void hashTypeDefaultsFollowHaproxy() throws Exception {
        assertThat(hashType(""))
                .as("no hash-type: map-based sdbm")
                .isEqualTo(new HashType(false, HashFunction.SDBM, false));
        assertThat(hashType("hash-type map-based"))
                .as("map-based alone: no avalanche")
                .isEqualTo(new HashType(false, HashFunction.SDBM, false));
        assertThat(hashType("hash-type consistent"))
                .as("consistent alone: sdbm plus implicit avalanche")
                .isEqualTo(new HashType(true, HashFunction.SDBM, true));
        assertThat(hashType("hash-type consistent sdbm"))
                .as("naming a function drops the implicit avalanche")
                .isEqualTo(new HashType(true, HashFunction.SDBM, false));
        assertThat(hashType("hash-type consistent wt6 avalanche"))
                .as("explicit avalanche")
                .isEqualTo(new HashType(true, HashFunction.WT6, true));
        assertThat(hashType("hash-type map-based crc32 avalanche"))
                .as("map-based with avalanche")
                .isEqualTo(new HashType(false, HashFunction.CRC32, true));
    }

    private static HashType hashType(String line) throws ConfigException {
        return backend(
                        parse(
                                DEFAULTS
                                        + "backend app\n    "
                                        + line
                                        + "\n    server a 127.0.0.1:5001\n"),
                        "app")
                .hashType();
    }

    @Test
    void avalancheWithoutAFunctionIsRefused() {
        assertThat(alerts(DEFAULTS + "backend app\n    hash-type consistent avalanche\n"))
                .as("avalanche must follow a function")
                .containsExactly(
                        "[ALERT] parsing [test.cfg:7] : "
                                + "'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.");
    }

    // ------------------------------------------------------------------ time units

    @Test
    void timeUnitsConvertToMilliseconds() {
        assertThat(HaproxyTime.parse("250").millis())
                .as("no unit means milliseconds")
                .isEqualTo(250);
        assertThat(HaproxyTime.parse("1500us").millis()).as("microseconds round up").isEqualTo(2);
        assertThat(HaproxyTime.parse("10ms").millis()).as("ms").isEqualTo(10);
        assertThat(HaproxyTime.parse("5s").millis()).as("s").isEqualTo(5_000);
        assertThat(HaproxyTime.parse("2m").millis()).as("m is minutes").isEqualTo(120_000);
        assertThat(HaproxyTime.parse("1h").millis()).as("h").isEqualTo(3_600_000);
        assertThat(HaproxyTime.parse("1d").millis()).as("d").isEqualTo(86_400_000);
        assertThat(HaproxyTime.parse("25d").overflow())
                .as("25 days exceed HAProxy's 32-bit timer")
                .isTrue();
        assertThat(HaproxyTime.parse("5x").badChar()).as("x is no unit").isEqualTo('x');
        assertThat(HaproxyTime.parse("1.5s").badChar()).as("no fractions").isEqualTo('.');
    }

    @Test
    void timeoutLinesUseUnitsAndRefuseBadOnes() throws Exception {
        Config config =
                parse(
                        """
                defaults
                    mode http
                    timeout connect 500000us
                    timeout client 2m
                    timeout server 1h
                    timeout check 3000
                backend app
                    server a 127.0.0.1:5001
                """);
        assertThat(backend(config, "app").timeouts())
                .as("all four timeouts in ms")
                .isEqualTo(new Timeouts(500, 120_000, 3_600_000, 3000));
        assertThat(alerts(DEFAULTS + "    timeout server 5S\n"))
                .as("units are lower case")
                .containsExactly(
                        "[ALERT] parsing [test.cfg:6] : unexpected character 'S' in 'timeout server'");
    }

    // ------------------------------------------------------------------ quoting

    @Test
    void quotesEscapesCommentsAndEnvironmentVariables() {
        assertThat(words("a \"b c\" 'd e' f\\ g # comment"))
                .as("quotes and escaped blank group words")
                .containsExactly("a", "b c", "d e", "f g");
        assertThat(words("x\"${APP_PORT}\" '${APP_PORT}' ${APP_PORT}"))
                .as("only double quotes expand")
                .containsExactly("x5001", "${APP_PORT}", "${APP_PORT}");
        assertThat(words("\"${MISSING-dflt}\" \"[${EMPTY}]\" \"$APP_PORT\""))
                .as("default, empty and brace-less forms")
                .containsExactly("dflt", "[]", "5001");
        assertThat(words("a#b \"c#d\" e\\#f"))
                .as("# starts a comment only outside quotes and unescaped")
                .containsExactly("a");
        assertThat(words("\"c#d\" e\\#f \\x41 \\q \"\\\"\""))
                .as("escapes")
                .containsExactly("c#d", "e#f", "A", "\\q", "\"");
        assertThat(words("a'b'\"c\"")).as("adjacent quoted parts join").containsExactly("abc");
    }

    private static List<String> words(String line) {
        LineTokenizer.Result result =
                LineTokenizer.tokenize(line, Map.of("APP_PORT", "5001", "EMPTY", "")::get);
        assertThat(result.error()).as("tokenizing %s", line).isNull();
        return result.words();
    }

    @Test
    void unmatchedQuoteIsReportedWithItsColumn() {
        List<String> alerts = alerts(DEFAULTS + "backend app\n    server a \"127.0.0.1:5001\n");
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0))
                .as("HAProxy's unmatched-quote alert points at the quote")
                .isEqualTo(
                        String.join(
                                System.lineSeparator(),
                                "[ALERT] parsing [test.cfg:7]: unmatched quote at position 14:",
                                "      server a \"127.0.0.1:5001",
                                "               ^"));
    }

    @Test
    void environmentVariablesReachServerAddresses() throws Exception {
        Config config = parse(DEFAULTS + "backend app\n    server a \"127.0.0.1:${APP_PORT}\"\n");
        assertThat(backend(config, "app").servers().get(0).port())
                .as("port from APP_PORT")
                .isEqualTo(5001);
    }

    // ------------------------------------------------------------------ balance, bind, server

    @Test
    void balanceArgumentsAreRead() throws Exception {
        assertThat(balance("rdp-cookie").name())
                .as("rdp-cookie's default cookie")
                .isEqualTo("mstshash");
        assertThat(balance("rdp-cookie(user)").name()).as("rdp-cookie(name)").isEqualTo("user");
        assertThat(balance("hash req.hdr(x-key)"))
                .as("hash expression")
                .extracting(Balance::algorithm, Balance::name)
                .containsExactly(Algorithm.HASH, "req.hdr(x-key)");
        for (Algorithm plain :
                List.of(
                        Algorithm.ROUNDROBIN,
                        Algorithm.STATIC_RR,
                        Algorithm.LEASTCONN,
                        Algorithm.FIRST,
                        Algorithm.SOURCE)) {
            assertThat(balance(plain.keyword()).algorithm())
                    .as("balance %s", plain.keyword())
                    .isEqualTo(plain);
        }
    }

    @Test
    void aBalanceWhoseEpisodeIsNotOnTheClasspathIsRefusedWithTheModuleToAdd() {
        // The engine's tests run without the episodes: uri (episode 04) has no provider here.
        assertThat(
                        alerts(
                                DEFAULTS
                                        + "backend app\n    balance uri depth 2\n    server a 127.0.0.1:5001\n"))
                .as(
                        "names the file and line, the module that provides the algorithm and what to do")
                .containsExactly(
                        "[ALERT] parsing [test.cfg:7] : balance 'uri' is provided by the module"
                                + " episodes/04-uri-hash, which is not on lbkit's classpath. Run the whole kit (./lbkit puts"
                                + " every episode on the classpath), or add episodes/04-uri-hash as a dependency of the module"
                                + " you run.");
        assertThat(
                        alerts(
                                DEFAULTS
                                        + "backend app\n    balance bogus\n    server a 127.0.0.1:5001\n"))
                .as("an unknown algorithm is still HAProxy's own alert")
                .singleElement()
                .asString()
                .contains("balance only supports");
    }

    private static Balance balance(String words) throws ConfigException {
        return backend(
                        parse(
                                DEFAULTS
                                        + "backend app\n    balance "
                                        + words
                                        + "\n    server a 127.0.0.1:5001\n"),
                        "app")
                .balance();
    }

    @Test
    void bindFormsGiveHostAndPort() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + """
                frontend web
                    bind 127.0.0.1:8080
                    bind *:8081
                    bind :8082
                    bind ipv4@127.0.0.1:8083
                    bind [::1]:8084
                    bind :::8085 v4v6
                    bind 127.0.0.1:8086-8087,127.0.0.2:8088
                    default_backend app
                backend app
                    server a 127.0.0.1:5001
                """);
        assertThat(config.frontends().get(0).binds())
                .extracting(Bind::host, Bind::port, Bind::v4v6)
                .as("every bind form")
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", 8080, false),
                        org.assertj.core.groups.Tuple.tuple("", 8081, false),
                        org.assertj.core.groups.Tuple.tuple("", 8082, false),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", 8083, false),
                        org.assertj.core.groups.Tuple.tuple("::1", 8084, false),
                        org.assertj.core.groups.Tuple.tuple("::", 8085, true),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", 8086, false),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.1", 8087, false),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.2", 8088, false));
    }

    @Test
    void serverOptionsAreRead() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + """
                backend app
                    option allbackups
                    option httpchk GET /health HTTP/1.1
                    server a 127.0.0.1:5001 weight 0 check inter 500ms rise 1 fall 2 backup disabled maxconn 10
                """);
        ProxySection app = backend(config, "app");
        assertThat(app.servers().get(0))
                .as("every server option")
                .isEqualTo(
                        new ServerSpec(
                                "a",
                                "127.0.0.1",
                                5001,
                                0,
                                1,
                                false,
                                true,
                                500,
                                1,
                                2,
                                true,
                                true,
                                10,
                                new Where("test.cfg", 9)));
        assertThat(app.httpCheck())
                .as("option httpchk")
                .isEqualTo(new HttpCheck("GET", "/health", "HTTP/1.1"));
        assertThat(app.allBackups()).as("option allbackups").isTrue();
    }

    @Test
    void statsSocketsAndGlobalsAreRead() throws Exception {
        Config config =
                parse(
                        """
                global
                    nbthread 1
                    maxconn 100
                    stats socket ipv4@127.0.0.1:9999 level admin
                    stats socket /tmp/x.sock mode 600
                """
                                + DEFAULTS
                                + "backend app\n    server a 127.0.0.1:5001\n");
        assertThat(config.global().nbthread()).as("nbthread").isEqualTo(1);
        assertThat(config.global().maxconn()).as("maxconn").isEqualTo(100);
        assertThat(config.global().statsSockets())
                .as("both sockets")
                .containsExactly(
                        new StatsSocket(
                                "ipv4@127.0.0.1:9999",
                                "127.0.0.1",
                                9999,
                                null,
                                "admin",
                                new Where("test.cfg", 4)),
                        new StatsSocket(
                                "/tmp/x.sock",
                                null,
                                0,
                                "/tmp/x.sock",
                                "operator",
                                new Where("test.cfg", 5)));
    }

    @Test
    void harmlessKeywordsOnlyWarn() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + """
                    option httplog
                frontend web
                    bind 127.0.0.1:8080
                    http-request set-header X-A b
                    default_backend app
                backend app
                    server a 127.0.0.1:5001 observe layer7
                """);
        assertThat(config.warnings())
                .as("ignored keywords are listed")
                .anyMatch(w -> w.contains("'http-request'"));
        assertThat(config.warnings())
                .as("ignored server options are listed")
                .anyMatch(w -> w.contains("'observe'"));
    }

    // ------------------------------------------------------------------ alerts

    @Test
    void everyAlertOfTheFileIsCollected() {
        List<String> alerts =
                alerts(
                        DEFAULTS
                                + """
                backend app
                    balanse roundrobin
                    server a 127.0.0.1:5001 weight 300
                    server b 127.0.0.1:5002 colour blue
                """);
        assertThat(alerts).as("three alerts, in line order").hasSize(3);
        assertThat(alerts.get(0))
                .as("typo with a hint")
                .isEqualTo(
                        "[ALERT] parsing [test.cfg:7] : unknown keyword 'balanse' in 'backend' section; did you mean 'balance' maybe ?");
        assertThat(alerts.get(1))
                .as("weight range")
                .isEqualTo(
                        "[ALERT] [test.cfg:8] : 'server app/a' : weight of server a is not within 0 and 256 (300)..");
        assertThat(alerts.get(2))
                .as("unknown server keyword")
                .startsWith("[ALERT] [test.cfg:9] : 'server app/b' : unknown keyword 'colour'");
    }

    @Test
    void postParseChecksRunOnlyWhenTheFileParsed() {
        List<String> alerts =
                alerts(
                        DEFAULTS
                                + """
                frontend web
                    bind 127.0.0.1:8080
                    default_backend nowhere
                backend app
                    server a 127.0.0.1:5001
                    server a 127.0.0.1:5002
                """);
        assertThat(alerts)
                .as("missing backend, then duplicate server name, in proxy order")
                .hasSize(2);
        assertThat(alerts.get(0))
                .as("missing default_backend")
                .startsWith(
                        "[ALERT] Proxy 'web': unable to find required default_backend: 'nowhere'.");
        assertThat(alerts.get(1))
                .as("duplicate server name names the second server's line")
                .isEqualTo(
                        "[ALERT] parsing [test.cfg:11] : backend 'app', another server named 'a' was already defined at line 10,"
                                + " please use distinct names.");
    }

    @Test
    void httpReuseDefaultsToSafeAndIsReadFromDefaultsAndBackends() throws Exception {
        Config config =
                parse(
                        DEFAULTS
                                + """
                backend plain
                    server a 127.0.0.1:5001
                backend shared
                    http-reuse always
                    server a 127.0.0.1:5001
                defaults
                    mode http
                    http-reuse aggressive
                backend inherited
                    server a 127.0.0.1:5001
                frontend web
                    bind 127.0.0.1:8080
                    http-reuse never
                    default_backend plain
                """);
        assertThat(backend(config, "plain").httpReuse())
                .as("HAProxy 2.6's default")
                .isEqualTo(HttpReuse.SAFE);
        assertThat(backend(config, "shared").httpReuse()).isEqualTo(HttpReuse.ALWAYS);
        assertThat(backend(config, "inherited").httpReuse())
                .as("from the defaults section")
                .isEqualTo(HttpReuse.AGGRESSIVE);
        // Wording checked against haproxy -c (2.6.12).
        assertThat(config.warnings())
                .contains(
                        "[WARNING] parsing [test.cfg:18] : 'http-reuse' ignored because frontend 'web' has no backend capability.");
    }

    @Test
    void httpReuseRefusesAnUnknownModeOrAnExtraArgumentAsHaproxyDoes() {
        // Alerts as haproxy -c (2.6.12) prints them for the same lines.
        assertThat(
                        alerts(
                                DEFAULTS
                                        + "backend b\n    http-reuse sometimes\n    server a 127.0.0.1:5001\n"))
                .containsExactly(
                        "[ALERT] parsing [test.cfg:7] : 'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'.");
        assertThat(
                        alerts(
                                DEFAULTS
                                        + "backend b\n    http-reuse never extra\n    server a 127.0.0.1:5001\n"))
                .containsExactly(
                        "[ALERT] parsing [test.cfg:7] : 'http-reuse never' cannot handle unexpected argument 'extra'.");
    }

    @Test
    void garbageNeverEscapesAsAnythingButConfigException() {
        Random random = new Random(42);
        String[] pieces = {
            "backend",
            "frontend",
            "listen",
            "defaults",
            "global",
            "server",
            "bind",
            "balance",
            "random(",
            "hdr(",
            "uri",
            "len",
            "\"",
            "'",
            "${",
            "\\",
            "#",
            "127.0.0.1:",
            "::",
            "[",
            "]",
            "@",
            "id",
            "weight",
            "-1",
            "99999",
            "timeout",
            "server",
            "hash-type",
            "consistent",
            "option",
            "httpchk",
            "stats",
            "socket",
            "\t",
            " ",
            "\n",
            "x",
            "0x",
            "9999999999999999",
            "mode",
            "http",
            "default_backend",
            "from",
            "rdp-cookie(",
            ")"
        };
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(60);
            for (int i = 0; i < length; i++) {
                text.append(pieces[random.nextInt(pieces.length)])
                        .append(random.nextBoolean() ? " " : "");
            }
            try {
                parse(text.toString());
            } catch (ConfigException expected) {
                assertThat(expected.alerts()).as("alerts of a refused text").isNotEmpty();
            } catch (RuntimeException e) {
                throw new AssertionError("parser crashed on:\n" + text, e);
            }
        }
    }
}
