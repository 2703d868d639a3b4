package dev.lbkit.episodes.sourcehash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigParser;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The spec's numbers for {@code balance source}, checked through the whole lbkit path from config
 * text to chosen server (no proxy, no HAProxy): keys, avalanche, the weighted map, the ring, and
 * the DOWN figures the parity test measures on both sides.
 */
class SourceHashVectorsTest {
    private static final InetAddress CLIENT_127_0_1_1 = Clients.addresses(1).get(0);

    @Test
    void clientAddressIsReadAsHaproxyReadsIt() throws Exception {
        assertThat(HashKeys.source(CLIENT_127_0_1_1))
                .as("IPv4: the address as a big-endian integer")
                .isEqualTo(0x7F000101);
        assertThat(HashKeys.source(InetAddress.getByName("2001:db8::1:2")))
                .as("IPv6: the XOR of the four 32-bit words")
                .isEqualTo(0x20010db8 ^ 0x00010002);
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 1, 1};
        assertThat(HashKeys.source(java.net.Inet6Address.getByAddress(null, mapped, -1)))
                .as("v4-mapped ::ffff:127.0.1.1: 0x0000FFFF XOR the IPv4 key, not the IPv4 key")
                .isEqualTo(0x0000FFFF ^ 0x7F000101);
    }

    @Test
    void avalancheIsFullHash() {
        assertThat(Integer.toUnsignedLong(Hashes.fullHash(0x7F000101)))
                .as("full_hash(0x7F000101)")
                .isEqualTo(4138135820L);
        assertThat(Integer.toUnsignedLong(Hashes.fullHash(4096)))
                .as("ring point 0 of server id 1")
                .isEqualTo(1237450891L);
    }

    @Test
    void specClientGoesToS3MapBasedAndToS1Consistent() throws Exception {
        assertThat(pick(backend("hash-type map-based", "2:1:3"), CLIENT_127_0_1_1))
                .as("map-based 2/1/3: map[0x7F000101 mod 6] = map[3] of [s1,s3,s1,s3,s2,s3]")
                .isEqualTo("s3");
        assertThat(pick(backend("hash-type consistent", "2:1:3"), CLIENT_127_0_1_1))
                .as("consistent 2/1/3: the point closest to 4138135820 is one of s1's")
                .isEqualTo("s1");
    }

    @Test
    void sourceIgnoresTheHashFunctionButNotTheAvalanche() throws Exception {
        List<InetAddress> clients = Clients.addresses(1000);
        assertThat(picks(backend("hash-type consistent djb2", "2:1:3"), clients))
                .as("consistent djb2 looks up the raw address, exactly like consistent sdbm")
                .isEqualTo(picks(backend("hash-type consistent sdbm", "2:1:3"), clients));
        assertThat(picks(backend("hash-type map-based wt6 avalanche", "5:3:2"), clients))
                .as("map-based wt6 avalanche hashes like map-based sdbm avalanche")
                .isEqualTo(picks(backend("hash-type map-based sdbm avalanche", "5:3:2"), clients));
        assertThat(picks(backend("hash-type consistent", "2:1:3"), clients))
                .as("consistent alone applies the avalanche implicitly")
                .isEqualTo(picks(backend("hash-type consistent sdbm avalanche", "2:1:3"), clients));
        assertThat(
                        picks(backend("hash-type consistent djb2", "1:1:1"), clients).stream()
                                .distinct()
                                .count())
                .as(
                        "without avalanche 1000 neighbouring addresses sit between the same two ring points")
                .isEqualTo(1);
    }

    @Test
    void mapBasedDividesTheWeightsByTheirStartupGcd() throws Exception {
        List<InetAddress> clients = Clients.addresses(600);
        assertThat(picks(backend("hash-type map-based", "20:10:30"), clients))
                .as("20/10/30 hashes like 2/1/3")
                .isEqualTo(picks(backend("hash-type map-based", "2:1:3"), clients));
    }

    @Test
    void explicitIdsMoveTheRingPoints() throws Exception {
        List<InetAddress> clients = Clients.addresses(1000);
        assertThat(picks(backend("hash-type consistent", "2:1:3:id 30:id 10:id 20"), clients))
                .as("the ring is keyed by id, not by name or order")
                .isNotEqualTo(picks(backend("hash-type consistent", "2:1:3"), clients));
    }

    @Test
    void s3DownMovesTheFiguresTheParityTestMeasures() throws Exception {
        List<InetAddress> clients = Clients.addresses(500);
        // Hand-worked greedy maps (spec §3) for 1/2/4/1/3 and for 1/2/1/3 once s3 is gone.
        String[] full = {"s1", "s2", "s3", "s5", "s3", "s2", "s3", "s5", "s3", "s4", "s5"};
        String[] withoutS3 = {"s1", "s2", "s5", "s2", "s5", "s4", "s5"};
        int onS3 = 0;
        int moved = 0;
        for (InetAddress client : clients) {
            long key = Integer.toUnsignedLong(HashKeys.source(client));
            String before = full[(int) (key % full.length)];
            String after = withoutS3[(int) (key % withoutS3.length)];
            onS3 += before.equals("s3") ? 1 : 0;
            moved += !before.equals("s3") && !before.equals(after) ? 1 : 0;
        }
        assertThat(List.of(onS3, moved))
                .as("the model: clients on s3, others moved by the rebuild")
                .containsExactly(183, 217);

        assertThat(disruption(backend("hash-type map-based", "1:2:4:1:3"), clients))
                .as("lbkit map-based matches the model")
                .containsExactly(183, 217);
        assertThat(disruption(backend("hash-type consistent", "1:2:4:1:3"), clients))
                .as("lbkit consistent: only s3's clients move")
                .containsExactly(143, 0);
    }

    private static List<Integer> disruption(Backend backend, List<InetAddress> clients) {
        List<String> before = picks(backend, clients);
        backend.setMaint(backend.server("s3").orElseThrow(), true);
        List<String> after = picks(backend, clients);
        int onS3 = (int) before.stream().filter("s3"::equals).count();
        return List.of(onS3, Clients.movedNeedlessly(before, after, "s3"));
    }

    private static Backend backend(String hashType, String servers) throws Exception {
        String config =
                SourceHashParityTest.config(hashType, "balance source\n    " + hashType, servers);
        return new Backend(
                ConfigParser.parse(config, "vectors.cfg").backend("be").orElseThrow(),
                Algorithms::create);
    }

    private static List<String> picks(Backend backend, List<InetAddress> clients) {
        return clients.stream().map(c -> pick(backend, c)).toList();
    }

    private static String pick(Backend backend, InetAddress client) {
        Server server = backend.pickAndTake(RequestInfo.of(client, "/"), null);
        backend.release(server);
        return server.name();
    }
}
