package dev.lbkit.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code hash-key} server option per HAProxy line: 2.6 does not know it, 3.0 and 3.2 accept
 * {@code id}, {@code addr} and {@code addr-port}, 3.4 adds {@code id32} and {@code guid}; it may be
 * preset on {@code default-server}. The alerts are the ones {@code haproxy -c} of each line printed
 * (docs/versions.md).
 */
class HashKeyParsingTest {

    private static String config(String serverOptions, String defaultServer) {
        return "backend b\n"
                + "    balance source\n"
                + "    hash-type consistent\n"
                + (defaultServer.isEmpty() ? "" : "    default-server " + defaultServer + "\n")
                + "    server s1 127.0.0.1:19001 "
                + serverOptions
                + "\n"
                + "    server s2 127.0.0.1:19002\n";
    }

    private static List<ServerSpec> servers(String text, HaproxyLine line) throws ConfigException {
        return ConfigParser.parse(text, "hk.cfg", line).backend("b").orElseThrow().servers();
    }

    private static List<String> alerts(String text, HaproxyLine line) {
        return catchThrowableOfType(
                        ConfigException.class, () -> ConfigParser.parse(text, "hk.cfg", line))
                .alerts();
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_2", "V3_4"})
    void addrAndAddrPortAreReadFrom30On(HaproxyLine line) throws Exception {
        List<ServerSpec> servers = servers(config("hash-key addr-port", "hash-key addr"), line);
        assertThat(servers.get(0).hashKey())
                .as("the server's own option wins")
                .isEqualTo(HashKey.ADDR_PORT);
        assertThat(servers.get(1).hashKey())
                .as("default-server presets it")
                .isEqualTo(HashKey.ADDR);
        assertThat(servers(config("", ""), line).get(0).hashKey())
                .as("the default")
                .isEqualTo(HashKey.ID);
    }

    @Test
    void haproxy26DoesNotKnowTheKeyword() {
        assertThat(alerts(config("hash-key addr", ""), HaproxyLine.V2_6))
                .anySatisfy(
                        a ->
                                assertThat(a)
                                        .endsWith(
                                                "[hk.cfg:4] : 'server b/s1' : unknown keyword 'hash-key'."));
        assertThat(alerts(config("", "hash-key addr"), HaproxyLine.V2_6))
                .as("on default-server")
                .anySatisfy(
                        a ->
                                assertThat(a)
                                        .endsWith(
                                                "[hk.cfg:4] : unknown keyword 'hash-key'. Hint: no address was expected for this server."));
    }

    @ParameterizedTest(name = "{0} on HAProxy {1}")
    @CsvSource({
        "name,      V2_6, unknown keyword 'hash-key'",
        "name,      V3_0, 'hash-key' has to be 'id', 'addr', or 'addr-port'.",
        "id32,      V3_2, 'hash-key' has to be 'id', 'addr', or 'addr-port'.",
        "guid,      V3_0, 'hash-key' has to be 'id', 'addr', or 'addr-port'.",
        "name,      V3_4, 'hash-key' has to be 'id', 'id32', 'guid', 'addr', or 'addr-port'."
    })
    void refusesValuesTheLineDoesNotKnowInItsWords(String value, HaproxyLine line, String alert) {
        assertThat(alerts(config("hash-key " + value, ""), line))
                .anySatisfy(a -> assertThat(a).contains("'server b/s1' : " + alert));
    }

    @Test
    void id32AndGuidFrom34() throws Exception {
        List<ServerSpec> servers =
                servers(config("hash-key guid guid srv-s1", "hash-key id32"), HaproxyLine.V3_4);
        assertThat(servers.get(0).hashKey()).isEqualTo(HashKey.GUID);
        assertThat(servers.get(0).guid()).isEqualTo("srv-s1");
        assertThat(servers.get(1).hashKey()).isEqualTo(HashKey.ID32);
        assertThat(servers.get(1).guid()).isNull();
    }
}
