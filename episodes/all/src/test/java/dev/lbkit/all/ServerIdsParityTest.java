package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The id every server gets (HAProxy's {@code sid} in {@code show stat}) where some servers have an
 * explicit {@code id} and the others are numbered automatically. The ids place a server's points on
 * a consistent-hash ring and decide map-based hashing's and roundrobin's orders, so a wrong one
 * moves requests: {@code RuntimeStateParityTest} found lbkit numbering the servers after a taken id
 * otherwise than HAProxy (seed 778 against 3.4, 779 against 3.0). Generated backends, dense in
 * explicit ids; every server's id compared.
 */
class ServerIdsParityTest {
    private static final long SEED = Long.getLong("lbkit.seed", 20261204L);
    private static final int BACKENDS = 6;

    @Test
    void everyServerGetsTheIdHaproxyGivesIt() throws Exception {
        String config = config(new Random(SEED));
        Map<String, String> haproxy;
        Map<String, String> lbkit;
        try (SideBySide sides =
                SideBySide.start(
                        "server ids, seed " + SEED,
                        config,
                        Parity.haproxy(),
                        SideBySide.Options.exactRun())) {
            haproxy = ids(sides.haproxy());
            lbkit = ids(sides.lbkit());
        }
        long explicit = config.lines().filter(l -> l.contains(" id ")).count();
        System.out.printf(
                "[lbkit] server ids (seed %d, replay with -Dlbkit.seed=%d): %d servers, %d with an"
                        + " explicit id; %d ids alike  (HAProxy: %s)%n",
                SEED,
                SEED,
                haproxy.size(),
                explicit,
                haproxy.entrySet().stream()
                        .filter(e -> e.getValue().equals(lbkit.get(e.getKey())))
                        .count(),
                Parity.haproxy().describe());
        assertThat(haproxy).as("HAProxy lists every server").hasSizeGreaterThan(BACKENDS * 2);
        assertThat(lbkit).as("each server's id, lbkit against HAProxy").isEqualTo(haproxy);
    }

    /** The same comparison rejects an lbkit whose first explicit id is dropped. */
    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsAnLbkitMissingAnExplicitId() throws Exception {
        String config = config(new Random(SEED));
        UnaryOperator<String> mistake = c -> c.replaceFirst(" id \\d+", "");
        Map<String, String> haproxy;
        Map<String, String> lbkit;
        try (SideBySide sides =
                SideBySide.startNegativeControl(
                        "negative control: server ids, one explicit id dropped",
                        config,
                        Parity.haproxy(),
                        SideBySide.Options.exactRun(),
                        mistake)) {
            haproxy = ids(sides.haproxy());
            lbkit = ids(sides.lbkit());
        }
        long differ =
                haproxy.entrySet().stream()
                        .filter(e -> !e.getValue().equals(lbkit.get(e.getKey())))
                        .count();
        NegativeControl.record(
                "server-ids",
                "ServerIdsParityTest (each server's sid)",
                "the first explicit 'id N' dropped",
                differ == 0 ? "NOT REJECTED" : "rejected: " + differ + " ids differ");
        assertThat(differ).as("ids that differ").isPositive();
    }

    /**
     * {@code BACKENDS} backends of 2 to 12 servers; each server has an explicit id with probability
     * 0.4, drawn among the low numbers the automatic ones take too.
     */
    static String config(Random random) {
        StringBuilder text =
                new StringBuilder(
                        """
                        global
                            nbthread 1

                        defaults
                            mode http
                            balance roundrobin
                            timeout connect 5s
                            timeout client 30s
                            timeout server 30s

                        frontend fe
                            bind 127.0.0.1:8080
                            default_backend b0
                        """);
        int port = 9001;
        for (int b = 0; b < BACKENDS; b++) {
            text.append("\nbackend b").append(b).append('\n');
            int servers = 2 + random.nextInt(11);
            Set<Integer> used = new HashSet<>();
            for (int s = 1; s <= servers; s++) {
                text.append("    server s").append(s).append(" 127.0.0.1:").append(port++);
                if (random.nextInt(10) < 4) {
                    int id;
                    do {
                        id = 1 + random.nextInt(servers + 4);
                    } while (!used.add(id));
                    text.append(" id ").append(id);
                }
                text.append('\n');
            }
        }
        return text.toString();
    }

    /** Backend/server to sid, from the side's {@code show stat}. */
    private static Map<String, String> ids(SideBySide.Endpoint side) {
        String csv = RuntimeApiClient.admin(side.side(), side.statsPort(), "show stat");
        List<String> lines = csv.lines().filter(l -> !l.isBlank()).toList();
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        int sid = header.indexOf("sid");
        Map<String, String> ids = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (!f[1].equals("FRONTEND") && !f[1].equals("BACKEND")) {
                ids.put(f[0] + "/" + f[1], f[sid]);
            }
        }
        return ids;
    }
}
