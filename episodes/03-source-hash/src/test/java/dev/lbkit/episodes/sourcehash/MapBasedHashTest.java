package dev.lbkit.episodes.sourcehash;

import static dev.lbkit.episodes.sourcehash.HashFixtures.MAP_BASED;
import static dev.lbkit.episodes.sourcehash.HashFixtures.backend;
import static dev.lbkit.episodes.sourcehash.HashFixtures.balance;
import static dev.lbkit.episodes.sourcehash.HashFixtures.clientAddresses;
import static dev.lbkit.episodes.sourcehash.HashFixtures.fromClient;
import static dev.lbkit.episodes.sourcehash.HashFixtures.pickName;
import static dev.lbkit.episodes.sourcehash.HashFixtures.section;
import static dev.lbkit.episodes.sourcehash.HashFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.config.Algorithm;
import java.util.List;
import org.junit.jupiter.api.Test;

class MapBasedHashTest {

    private static final String[] MAP_2_1_3 = {"s1", "s3", "s1", "s3", "s2", "s3"};

    @Test
    void sourceLooksUpTheAddressModuloTheTotalWeight() {
        Backend backend = backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(2, 1, 3)));
        assertThat(pickName(backend, fromClient("127.0.1.1")))
                .as("0x7F000101 mod 6 = 3, and map[3] is s3")
                .isEqualTo("s3");
        for (String client : clientAddresses(1000)) {
            long key = Integer.toUnsignedLong(HashKeys.source(HashFixtures.address(client)));
            assertThat(pickName(backend, fromClient(client)))
                    .as("map[ip mod 6] for " + client)
                    .isEqualTo(MAP_2_1_3[(int) (key % 6)]);
        }
    }

    @Test
    void dividesWeightsByTheirGcdOnce() {
        Backend scaled =
                backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(20, 10, 30)));
        Backend plain = backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(2, 1, 3)));
        for (String client : clientAddresses(300)) {
            assertThat(pickName(scaled, fromClient(client)))
                    .as("weights 20/10/30 hash like 2/1/3")
                    .isEqualTo(pickName(plain, fromClient(client)));
        }
    }

    @Test
    void serverDownRebuildsTheMapSoMostKeysMove() {
        // The greedy interleave of the spec, worked out by hand for 1/2/4/1/3 and for 1/2/1/3 (s3
        // gone).
        String[] full = {"s1", "s2", "s3", "s5", "s3", "s2", "s3", "s5", "s3", "s4", "s5"};
        String[] withoutS3 = {"s1", "s2", "s5", "s2", "s5", "s4", "s5"};
        Backend backend =
                backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(1, 2, 4, 1, 3)));
        List<String> clients = clientAddresses(500);
        List<String> before = picks(backend, clients);
        backend.setMaint(backend.server("s3").orElseThrow(), true);
        List<String> after = picks(backend, clients);
        int moved = 0;
        for (int i = 0; i < clients.size(); i++) {
            long key =
                    Integer.toUnsignedLong(HashKeys.source(HashFixtures.address(clients.get(i))));
            assertThat(before.get(i))
                    .as("map[ip mod 11] with all up")
                    .isEqualTo(full[(int) (key % 11)]);
            assertThat(after.get(i))
                    .as("map[ip mod 7] after the rebuild")
                    .isEqualTo(withoutS3[(int) (key % 7)]);
            if (!before.get(i).equals("s3") && !before.get(i).equals(after.get(i))) {
                moved++;
            }
        }
        assertThat(moved).as("clients of the other servers that moved anyway").isGreaterThan(150);
        backend.setMaint(backend.server("s3").orElseThrow(), false);
        assertThat(picks(backend, clients)).as("UP rebuilds the original map").isEqualTo(before);
    }

    @Test
    void runtimeWeightChangesAreIgnored() {
        Backend backend = backend(section(balance(Algorithm.SOURCE), MAP_BASED, servers(2, 1, 3)));
        List<String> clients = clientAddresses(200);
        List<String> before = picks(backend, clients);
        backend.setWeight(backend.server("s1").orElseThrow(), 100);
        assertThat(picks(backend, clients)).as("map-based algorithms are static").isEqualTo(before);
    }

    private static List<String> picks(Backend backend, List<String> clients) {
        return clients.stream().map(c -> pickName(backend, fromClient(c))).toList();
    }
}
