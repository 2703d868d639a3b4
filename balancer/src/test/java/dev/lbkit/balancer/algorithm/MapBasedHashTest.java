package dev.lbkit.balancer.algorithm;

import static dev.lbkit.balancer.algorithm.HashFixtures.MAP_BASED;
import static dev.lbkit.balancer.algorithm.HashFixtures.backend;
import static dev.lbkit.balancer.algorithm.HashFixtures.balance;
import static dev.lbkit.balancer.algorithm.HashFixtures.clientAddresses;
import static dev.lbkit.balancer.algorithm.HashFixtures.forTarget;
import static dev.lbkit.balancer.algorithm.HashFixtures.fromClient;
import static dev.lbkit.balancer.algorithm.HashFixtures.named;
import static dev.lbkit.balancer.algorithm.HashFixtures.pickName;
import static dev.lbkit.balancer.algorithm.HashFixtures.section;
import static dev.lbkit.balancer.algorithm.HashFixtures.server;
import static dev.lbkit.balancer.algorithm.HashFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.ServerSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MapBasedHashTest {

    private static final String[] MAP_2_1_3 = {"s1", "s3", "s1", "s3", "s2", "s3"};

    @Test
    void sourceLooksUpTheAddressModuloTheTotalWeight() {
        Backend backend = backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(2, 1, 3)));
        assertThat(pickName(backend, fromClient("127.0.1.1"))).as("0x7F000101 mod 6 = 3, and map[3] is s3")
                .isEqualTo("s3");
        for (String client : clientAddresses(1000)) {
            long key = Integer.toUnsignedLong(HashKeys.source(HashFixtures.address(client)));
            assertThat(pickName(backend, fromClient(client))).as("map[ip mod 6] for " + client)
                    .isEqualTo(MAP_2_1_3[(int) (key % 6)]);
        }
    }

    @Test
    void dividesWeightsByTheirGcdOnce() {
        Backend scaled = backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(20, 10, 30)));
        Backend plain = backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(2, 1, 3)));
        for (String client : clientAddresses(300)) {
            assertThat(pickName(scaled, fromClient(client))).as("weights 20/10/30 hash like 2/1/3")
                    .isEqualTo(pickName(plain, fromClient(client)));
        }
    }

    @Test
    void serverDownRebuildsTheMapSoMostKeysMove() {
        // The greedy interleave of the spec, worked out by hand for 1/2/4/1/3 and for 1/2/1/3 (s3 gone).
        String[] full = {"s1", "s2", "s3", "s5", "s3", "s2", "s3", "s5", "s3", "s4", "s5"};
        String[] withoutS3 = {"s1", "s2", "s5", "s2", "s5", "s4", "s5"};
        Backend backend = backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(1, 2, 4, 1, 3)));
        List<String> clients = clientAddresses(500);
        List<String> before = picks(backend, clients);
        backend.setMaint(backend.server("s3").orElseThrow(), true);
        List<String> after = picks(backend, clients);
        int moved = 0;
        for (int i = 0; i < clients.size(); i++) {
            long key = Integer.toUnsignedLong(HashKeys.source(HashFixtures.address(clients.get(i))));
            assertThat(before.get(i)).as("map[ip mod 11] with all up").isEqualTo(full[(int) (key % 11)]);
            assertThat(after.get(i)).as("map[ip mod 7] after the rebuild").isEqualTo(withoutS3[(int) (key % 7)]);
            if (!before.get(i).equals("s3") && !before.get(i).equals(after.get(i))) {
                moved++;
            }
        }
        assertThat(moved).as("clients of the other servers that moved anyway").isGreaterThan(150);
        backend.setMaint(backend.server("s3").orElseThrow(), false);
        assertThat(picks(backend, clients)).as("UP rebuilds the original map").isEqualTo(before);
    }

    @Test
    void missingParameterFallsBackToAStaticRoundRobinWalkOfTheMap() {
        Backend backend = backend(section(named(Algorithm.URL_PARAM, "uid", false), MAP_BASED, servers(2, 1, 3)));
        List<String> misses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            misses.add(pickName(backend, forTarget("/no-param")));
            pickName(backend, forTarget("/p?uid=" + i)); // hashed requests do not move the walk
        }
        assertThat(misses).as("the fallback walks the map 2/1/3 from slot 0")
                .containsExactly("s1", "s3", "s1", "s3", "s2", "s3", "s1", "s3", "s1", "s3", "s2", "s3");
    }

    @Test
    void emptyParameterValueHashesTheEmptyString() {
        Backend backend = backend(section(named(Algorithm.URL_PARAM, "uid", false), MAP_BASED, servers(2, 1, 3)));
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picks.add(pickName(backend, forTarget("/p?uid=")));
        }
        assertThat(picks).as("sdbm(\"\") = 0 is map[0] every time, not a round-robin walk")
                .containsExactly("s1", "s1", "s1", "s1");
    }

    @Test
    void onlyBackupsLeftMeansTheFirstBackupsWeightSizesTheMap() {
        List<ServerSpec> specs = List.of(server("a1", 1, 1, false), server("b1", 2, 2, true),
                server("b2", 3, 3, true));
        Backend backend = backend(section(named(Algorithm.URL_PARAM, "uid", false), MAP_BASED, specs));
        backend.setMaint(backend.server("a1").orElseThrow(), true);
        List<String> walk = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            walk.add(pickName(backend, forTarget("/")));
        }
        assertThat(walk).as("HAProxy 2.6.12 static-rr alternates b1 b2 here: 2 slots, both backups compete")
                .containsExactly("b1", "b2", "b1", "b2");
    }

    @Test
    void runtimeWeightChangesAreIgnored() {
        Backend backend = backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(2, 1, 3)));
        List<String> clients = clientAddresses(200);
        List<String> before = picks(backend, clients);
        backend.setWeight(backend.server("s1").orElseThrow(), 100);
        assertThat(picks(backend, clients)).as("map-based algorithms are static").isEqualTo(before);
    }

    @Test
    void oneUsableServerTakesEverything() {
        Backend backend = backend(section(named(Algorithm.HDR, "X-Key", false), MAP_BASED, servers(2, 1, 3)));
        backend.setMaint(backend.server("s1").orElseThrow(), true);
        backend.setMaint(backend.server("s3").orElseThrow(), true);
        assertThat(pickName(backend, forTarget("/"))).as("header absent, one server: hash 0").isEqualTo("s2");
    }

    private static List<String> picks(Backend backend, List<String> clients) {
        return clients.stream().map(c -> pickName(backend, fromClient(c))).toList();
    }
}
