package dev.lbkit.episodes.sourcehash;

import static dev.lbkit.episodes.sourcehash.HashFixtures.CONSISTENT;
import static dev.lbkit.episodes.sourcehash.HashFixtures.backend;
import static dev.lbkit.episodes.sourcehash.HashFixtures.balance;
import static dev.lbkit.episodes.sourcehash.HashFixtures.clientAddresses;
import static dev.lbkit.episodes.sourcehash.HashFixtures.fromClient;
import static dev.lbkit.episodes.sourcehash.HashFixtures.pickName;
import static dev.lbkit.episodes.sourcehash.HashFixtures.section;
import static dev.lbkit.episodes.sourcehash.HashFixtures.server;
import static dev.lbkit.episodes.sourcehash.HashFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.HashFunction;
import dev.lbkit.balancer.config.HashType;
import dev.lbkit.balancer.config.ServerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConsistentRingTest {

    @Test
    void pointKeysFollowTheServerId() {
        assertThat(
                        List.of(
                                ConsistentRing.pointKey(1, 0),
                                ConsistentRing.pointKey(1, 1),
                                ConsistentRing.pointKey(1, 2)))
                .as("id 1, points 0..2")
                .containsExactly((int) 1237450891L, (int) 2761370759L, (int) 3040967754L);
        assertThat(List.of(ConsistentRing.pointKey(2, 0), ConsistentRing.pointKey(2, 1)))
                .as("id 2, points 0..1")
                .containsExactly((int) 1079705203L, (int) 414606662L);
    }

    @Test
    void sourceWithImplicitAvalancheSendsTheSpecClientToS1() {
        Backend backend = backend(section(balance(Algorithm.SOURCE), CONSISTENT, servers(2, 1, 3)));
        assertThat(pickName(backend, fromClient("127.0.1.1")))
                .as("full_hash(0x7F000101) on the 2/1/3 ring")
                .isEqualTo("s1");
    }

    @Test
    void lookupTakesTheClosestPointLikeTheNaiveModel() {
        List<ServerSpec> specs =
                List.of(
                        server("a", 2, 10, false),
                        server("b", 1, 20, false),
                        server("c", 3, 30, false));
        HashLookup ring = new ConsistentRing(runtimeServers(specs), false, 0, HaproxyLine.V2_6);
        NaiveRing oracle = new NaiveRing(specs);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            int hash = random.nextInt();
            assertThat(ring.lookup(hash, null).name())
                    .as("closest point for " + Integer.toUnsignedString(hash))
                    .isEqualTo(oracle.closest(hash));
        }
    }

    @Test
    void equalDistanceGoesToThePredecessor() {
        List<ServerSpec> specs = servers(1, 1, 1);
        HashLookup ring = new ConsistentRing(runtimeServers(specs), false, 0, HaproxyLine.V2_6);
        List<NaiveRing.Point> points = new NaiveRing(specs).points;
        int checked = 0;
        for (int i = 1; i < points.size(); i++) {
            NaiveRing.Point prev = points.get(i - 1);
            NaiveRing.Point next = points.get(i);
            long gap = next.key() - prev.key();
            if (gap % 2 == 0 && !prev.owner().equals(next.owner())) {
                int middle = (int) (prev.key() + gap / 2);
                assertThat(ring.lookup(middle, null).name())
                        .as("a tie between " + prev + " and " + next)
                        .isEqualTo(prev.owner());
                checked++;
            }
        }
        assertThat(checked).as("ties found between different owners").isPositive();
    }

    @Test
    void serverDownMovesOnlyItsOwnKeysAndUpBringsThemBack() {
        Backend backend =
                backend(section(balance(Algorithm.SOURCE), CONSISTENT, servers(1, 2, 4, 1, 3)));
        List<String> clients = clientAddresses(1000);
        List<String> before = picks(backend, clients);
        backend.setRunning(backend.server("s3").orElseThrow(), false);
        List<String> after = picks(backend, clients);
        int movedOff = 0;
        for (int i = 0; i < clients.size(); i++) {
            if (before.get(i).equals("s3")) {
                assertThat(after.get(i)).as("s3's clients go elsewhere").isNotEqualTo("s3");
                movedOff++;
            } else {
                assertThat(after.get(i))
                        .as("other clients stay (" + clients.get(i) + ")")
                        .isEqualTo(before.get(i));
            }
        }
        assertThat(movedOff).as("s3 had clients to lose").isPositive();
        backend.setRunning(backend.server("s3").orElseThrow(), true);
        assertThat(picks(backend, clients)).as("the same points come back").isEqualTo(before);
    }

    @Test
    void avoidWalksClockwiseToTheNextOtherServer() {
        List<ServerSpec> specs = servers(1, 1, 1);
        List<Server> servers = runtimeServers(specs);
        HashLookup ring = new ConsistentRing(servers, false, 0, HaproxyLine.V2_6);
        List<NaiveRing.Point> points = new NaiveRing(specs).points;
        NaiveRing.Point first = points.get(0);
        Server owner =
                servers.stream()
                        .filter(s -> s.name().equals(first.owner()))
                        .findFirst()
                        .orElseThrow();
        String expected =
                points.stream()
                        .filter(p -> !p.owner().equals(first.owner()))
                        .findFirst()
                        .orElseThrow()
                        .owner();
        assertThat(ring.lookup((int) first.key(), owner).name())
                .as("exactly on the lowest point, avoiding its owner")
                .isEqualTo(expected);
    }

    @Test
    void weightChangeAddsAndRemovesPointsFromTheEnd() {
        List<ServerSpec> specs = servers(2, 1, 3);
        List<Server> servers = runtimeServers(specs);
        ConsistentRing ring = new ConsistentRing(servers, false, 0, HaproxyLine.V2_6);
        Server s1 = servers.get(0);
        s1.setUweight(1);
        ring.weightChanged(s1, 2);
        assertThat(ring.pointCount()).as("s1 keeps 16 points").isEqualTo(16 * (1 + 1 + 3));
        NaiveRing lighter =
                new NaiveRing(List.of(server("s1", 1, 1, false), specs.get(1), specs.get(2)));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 5000; i++) {
            int hash = random.nextInt();
            assertThat(ring.lookup(hash, null).name())
                    .as("same ring as weight 1 from the start")
                    .isEqualTo(lighter.closest(hash));
        }
        s1.setUweight(4);
        ring.weightChanged(s1, 1);
        NaiveRing heavier =
                new NaiveRing(List.of(server("s1", 4, 1, false), specs.get(1), specs.get(2)));
        for (int i = 0; i < 5000; i++) {
            int hash = random.nextInt();
            assertThat(ring.lookup(hash, null).name())
                    .as("grown beyond the startup weight")
                    .isEqualTo(heavier.closest(hash));
        }
    }

    @Test
    void backupRingServesWhenNoActiveIsUsable() {
        List<ServerSpec> specs =
                List.of(
                        server("a1", 1, 1, false),
                        server("b1", 1, 2, true),
                        server("b2", 1, 3, true));
        Backend single = backend(section(balance(Algorithm.SOURCE), CONSISTENT, specs));
        single.setMaint(single.server("a1").orElseThrow(), true);
        assertThat(picks(single, clientAddresses(50)))
                .as("without allbackups only the first backup")
                .containsOnly("b1");
        Backend all = backend(section(balance(Algorithm.SOURCE), CONSISTENT, specs, true, 0));
        all.setMaint(all.server("a1").orElseThrow(), true);
        assertThat(picks(all, clientAddresses(200)))
                .as("allbackups balances over the backup ring")
                .containsOnly("b1", "b2")
                .contains("b1", "b2");
    }

    @Test
    void consistentDjb2WithoutAvalancheSendsNeighbouringAddressesTogether() {
        HashType djb2 = new HashType(true, HashFunction.DJB2, false);
        Backend backend = backend(section(balance(Algorithm.SOURCE), djb2, servers(1, 1, 1)));
        assertThat(picks(backend, clientAddresses(1000)).stream().distinct().count())
                .as("raw addresses sit next to each other on the ring")
                .isEqualTo(1L);
    }

    @Test
    void balanceFactorSendsAFullServersKeysOn() {
        List<ServerSpec> specs = servers(1, 1, 1);
        Backend backend =
                backend(section(balance(Algorithm.SOURCE), CONSISTENT, specs, false, 125));
        String client = "127.0.1.1";
        Server first = backend.pickAndTake(fromClient(client), null);
        // 1 in flight: ceil(2 * 125 / 100) = 3 slots over 3 servers, 1 each; first is full now.
        Server second = backend.pickAndTake(fromClient(client), null);
        assertThat(second).as("the same key skips a server at its share").isNotSameAs(first);
        backend.release(first);
        backend.release(second);
        assertThat(backend.pickAndTake(fromClient(client), null))
                .as("idle again: back to the home server")
                .isSameAs(first);
    }

    @Test
    @org.junit.jupiter.api.Tag(
            "timing") // PIT's instrumentation slows it past its bound: not run under mutation
    void lookupIsFastAndAllocationFreeAtAThousandServers() {
        List<ServerSpec> specs = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            specs.add(server("s" + i, 1 + i % 4, i, false));
        }
        HashLookup ring = new ConsistentRing(runtimeServers(specs), false, 0, HaproxyLine.V2_6);
        int rounds = 2_000_000;
        long sink = 0;
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5; attempt++) {
            int hash = attempt;
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                hash = hash * 1103515245 + 12345;
                sink += ring.lookup(hash, null).index();
            }
            best = Math.min(best, (System.nanoTime() - start) / rounds);
        }
        System.out.printf(
                "consistent lookup, 1000 servers (%d points): %d ns (sink %d)%n",
                16 * specs.stream().mapToInt(ServerSpec::weight).sum(), best, sink);
        // The goal is <= 100 ns; the bound leaves room for a loaded CI machine.
        assertThat(best).as("nanoseconds per lookup").isLessThan(400L);
    }

    @Test
    void roundRobinWalksTheRingPointsInKeyOrderAndStartsOverAfterALap() {
        List<ServerSpec> specs =
                List.of(
                        server("a", 2, 10, false),
                        server("b", 1, 20, false),
                        server("c", 3, 30, false));
        ConsistentRing ring = new ConsistentRing(runtimeServers(specs), false, 0, HaproxyLine.V2_6);
        List<NaiveRing.Point> points = new NaiveRing(specs).points;
        List<String> firstLap = new ArrayList<>();
        List<String> secondLap = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            firstLap.add(ring.nextRoundRobin(null).name());
        }
        for (int i = 0; i < points.size(); i++) {
            secondLap.add(ring.nextRoundRobin(null).name());
        }
        assertThat(firstLap)
                .as(
                        "keyless round robin visits every ring point once, in key order (the model's order)")
                .isEqualTo(points.stream().map(NaiveRing.Point::owner).toList());
        assertThat(secondLap)
                .as("after a full lap it starts over from the first point")
                .isEqualTo(firstLap);
    }

    @Test
    void roundRobinSkipsTheAvoidedServerUnlessItIsTheOnlyOne() {
        List<ServerSpec> specs = List.of(server("a", 1, 10, false), server("b", 1, 20, false));
        ConsistentRing ring = new ConsistentRing(runtimeServers(specs), false, 0, HaproxyLine.V2_6);
        Server a = ring.nextRoundRobin(null);
        for (int i = 0; i < 64; i++) {
            assertThat(ring.nextRoundRobin(a))
                    .as("pick #%d avoids %s while another server is there", i, a.name())
                    .isNotSameAs(a);
        }
        ConsistentRing alone =
                new ConsistentRing(
                        runtimeServers(List.of(server("a", 1, 10, false))),
                        false,
                        0,
                        HaproxyLine.V2_6);
        Server only = alone.nextRoundRobin(null);
        assertThat(alone.nextRoundRobin(only))
                .as("the avoided server is still returned when it is the only one")
                .isSameAs(only);
    }

    /**
     * hash-balance-factor against an independent model: the backend's slots, ceil((in flight + 1) x
     * factor / 100), are cut in proportion to the weights at cumulative cut points (server i gets
     * floor(end_i x slots / total) - floor(start_i x slots / total), at least 1); a key starts at
     * its closest point (ties to the predecessor) and walks clockwise to the first server under its
     * share.
     */
    @Test
    void balanceFactorMatchesTheSlotModelRequestAfterRequest() {
        for (int factor : new int[] {100, 125, 150, 300}) {
            List<ServerSpec> specs =
                    List.of(
                            server("a", 2, 10, false),
                            server("b", 1, 20, false),
                            server("c", 3, 30, false));
            List<Server> servers = runtimeServers(specs);
            ConsistentRing ring = new ConsistentRing(servers, false, factor, HaproxyLine.V2_6);
            List<NaiveRing.Point> points = new NaiveRing(specs).points;
            SplittableRandom random = new SplittableRandom(factor);
            int[] hot = {random.nextInt(), random.nextInt(), random.nextInt()};
            for (int request = 0; request < 90; request++) {
                int hash = hot[request % hot.length];
                String expected = modelPick(points, servers, factor, hash);
                Server chosen = ring.lookup(hash, null);
                assertThat(chosen.name())
                        .as("factor %d, request %d (%d in flight)", factor, request, request)
                        .isEqualTo(expected);
                chosen.addServed(1); // every request stays in flight, so the servers fill up
            }
            assertThat(ring.used()).as("all three servers are in use").isEqualTo(3);
        }
    }

    private static String modelPick(
            List<NaiveRing.Point> points, List<Server> servers, int factor, int hash) {
        long h = Integer.toUnsignedLong(hash);
        int next = 0;
        while (next < points.size() && points.get(next).key() < h) {
            next++;
        }
        next %= points.size();
        int prev = (next - 1 + points.size()) % points.size();
        long toNext = (points.get(next).key() - h) & 0xffffffffL;
        long toPrev = (h - points.get(prev).key()) & 0xffffffffL;
        int at = toPrev <= toNext ? prev : next;
        long inFlight = servers.stream().mapToLong(Server::served).sum();
        long slots = ((inFlight + 1) * factor + 99) / 100;
        long total = servers.stream().mapToLong(Server::uweight).sum();
        for (int step = 0; step < points.size(); step++) {
            String owner = points.get((at + step) % points.size()).owner();
            long start = 0;
            Server server = null;
            for (Server s : servers) {
                if (s.name().equals(owner)) {
                    server = s;
                    break;
                }
                start += s.uweight();
            }
            long share =
                    Math.floorDiv((start + server.uweight()) * slots, total)
                            - Math.floorDiv(start * slots, total);
            if (server.served() < Math.max(1, share)) {
                return owner;
            }
        }
        return null;
    }

    /**
     * A ring point of the model, with the server's point number (what a weight decrease removes
     * from the top).
     */
    private record IndexedPoint(long key, String owner, int number) {}

    private static List<IndexedPoint> indexedPoints(List<ServerSpec> specs) {
        List<IndexedPoint> points = new ArrayList<>();
        for (ServerSpec spec : specs) {
            for (int i = 0; i < 16 * spec.weight(); i++) {
                points.add(
                        new IndexedPoint(
                                Integer.toUnsignedLong(Hashes.fullHash(spec.id() * 4096 + i)),
                                spec.name(),
                                i));
            }
        }
        points.sort(java.util.Comparator.comparingLong(IndexedPoint::key));
        return points;
    }

    /**
     * Keyless round robin while points leave the ring: when the cursor's point is removed the
     * cursor moves to the next point that stays, and the walk goes on from there. Checked from
     * every cursor position, for a server going DOWN (all its points leave) and for a weight
     * decrease 3 -> 1 (its points numbered 16 and above leave).
     */
    @Test
    void roundRobinCursorMovesToTheNextRemainingPointWhenItsPointLeaves() {
        List<ServerSpec> specs =
                List.of(
                        server("a", 2, 10, false),
                        server("b", 1, 20, false),
                        server("c", 3, 30, false));
        List<IndexedPoint> points = indexedPoints(specs);
        for (String removed : List.of("a", "b", "c")) {
            for (boolean down : new boolean[] {true, false}) {
                if (!down && !removed.equals("c")) {
                    continue; // the weight decrease is checked on c, weight 3 -> 1
                }
                java.util.function.Predicate<IndexedPoint> gone =
                        down
                                ? p -> p.owner().equals(removed)
                                : p -> p.owner().equals(removed) && p.number() >= 16;
                for (int advanced = 1; advanced <= points.size(); advanced += 5) {
                    List<Server> servers = runtimeServers(specs);
                    ConsistentRing ring = new ConsistentRing(servers, false, 0, HaproxyLine.V2_6);
                    for (int i = 0; i < advanced; i++) {
                        ring.nextRoundRobin(null);
                    }
                    Server victim =
                            servers.stream()
                                    .filter(x -> x.name().equals(removed))
                                    .findFirst()
                                    .orElseThrow();
                    if (down) {
                        victim.setMaint(true);
                        ring.serverDown(victim);
                    } else {
                        victim.setUweight(1);
                        ring.weightChanged(victim, 3);
                    }
                    int at = advanced - 1;
                    while (gone.test(points.get(at))) {
                        at = (at + 1) % points.size();
                    }
                    List<String> expected = new ArrayList<>();
                    for (int step = 1; expected.size() < 6; step++) {
                        IndexedPoint next = points.get((at + step) % points.size());
                        if (!gone.test(next)) {
                            expected.add(next.owner());
                        }
                    }
                    List<String> actual = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        actual.add(ring.nextRoundRobin(null).name());
                    }
                    assertThat(actual)
                            .as(
                                    "%s %s after %d picks",
                                    removed, down ? "DOWN" : "weight 3 -> 1", advanced)
                            .isEqualTo(expected);
                }
            }
        }
    }

    private static List<Server> runtimeServers(List<ServerSpec> specs) {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            servers.add(new Server(specs.get(i), i));
        }
        return servers;
    }

    private static List<String> picks(Backend backend, List<String> clients) {
        return clients.stream().map(c -> pickName(backend, fromClient(c))).toList();
    }
}
