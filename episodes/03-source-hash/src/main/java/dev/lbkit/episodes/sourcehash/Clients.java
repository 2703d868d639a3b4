package dev.lbkit.episodes.sourcehash;

import dev.lbkit.harness.Picks;
import dev.lbkit.harness.Traffic;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Many distinct clients on one machine: 127.0.1.1, 127.0.1.2, ... 127.0.1.250, 127.0.2.1, ... Every
 * 127.x.y.z is local on Linux, so a client socket bound to one of them before connecting reaches
 * the balancer with that source address, which is all {@code balance source} looks at.
 */
public final class Clients {
    /** Host numbers per third octet: .1 to .250, so no address ends in .0 or .255. */
    private static final int PER_BLOCK = 250;

    private Clients() {}

    /**
     * The first {@code count} addresses of 127.0.1.1, 127.0.1.2, ..., 127.0.1.250, 127.0.2.1, ...
     */
    public static List<InetAddress> addresses(int count) {
        if (count < 0 || count > PER_BLOCK * 254) {
            throw new IllegalArgumentException(
                    "between 0 and " + PER_BLOCK * 254 + " clients, not " + count);
        }
        List<InetAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] octets = {127, 0, (byte) (1 + i / PER_BLOCK), (byte) (1 + i % PER_BLOCK)};
            try {
                addresses.add(InetAddress.getByAddress(octets));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("4 octets are always an address", e);
            }
        }
        return addresses;
    }

    /**
     * Each client sends one request, on its own new connection from its own address, {@code rounds}
     * times in a row (the same clients in the same order each round).
     */
    public static Traffic rounds(String name, List<InetAddress> clients, int rounds) {
        int n = clients.size();
        return Traffic.of(
                name, n * rounds, i -> new Traffic.Request("/", clients.get(i % n), List.of()));
    }

    /**
     * The server each client of round {@code round} landed on (requests n*round .. n*round+n-1).
     */
    public static List<String> round(Picks picks, int clientCount, int round) {
        return picks.answers().subList(clientCount * round, clientCount * (round + 1));
    }

    /**
     * Clients that were not on {@code downServer} before and sit on another server after: the
     * disruption a DOWN causes beyond the clients that had to move.
     */
    public static int movedNeedlessly(List<String> before, List<String> after, String downServer) {
        int moved = 0;
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).equals(downServer) && !before.get(i).equals(after.get(i))) {
                moved++;
            }
        }
        return moved;
    }
}
