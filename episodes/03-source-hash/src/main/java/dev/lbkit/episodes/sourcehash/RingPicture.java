package dev.lbkit.episodes.sourcehash;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.harness.Pictures;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code ring-and-map.svg}: the article's three servers and 300 clients (127.0.1.1 ...) with
 * {@code balance source}. Top: the consistent-hash ring with every server's 16 points, and the
 * clients where their keys fall, before and after server2 goes DOWN. Bottom: the first 60 clients'
 * servers with the map and with the ring, before and after the DOWN, with the clients that moved
 * although their server stayed UP marked. Every pick comes from lbkit's own balancer, so the
 * picture cannot drift from the code: {@code RingPictureTest} regenerates it and compares it with
 * the committed file.
 *
 * <p>Run from the repository root: {@code java -cp ... dev.lbkit.episodes.sourcehash.RingPicture}
 * (writes {@code episodes/03-source-hash/ring-and-map.svg}, or the path given as the first
 * argument).
 */
public final class RingPicture {
    static final int CLIENTS = 300;
    static final int SHOWN = 60;
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f"};
    private static final double TWO_PI = 2 * Math.PI;
    private static final int CELL = 10;

    /** Who each client goes to, with all servers up and with server2 DOWN, for one hash-type. */
    record Run(String hashType, List<Integer> before, List<Integer> after) {
        /** Clients whose server stayed UP but who moved anyway. */
        int movedNeedlessly() {
            int moved = 0;
            for (int i = 0; i < before.size(); i++) {
                if (before.get(i) != 1 && !before.get(i).equals(after.get(i))) {
                    moved++;
                }
            }
            return moved;
        }

        int onServer2() {
            return (int) before.stream().filter(s -> s == 1).count();
        }
    }

    private RingPicture() {}

    public static void main(String[] args) throws Exception {
        Pictures.write(args, "03-source-hash", "ring-and-map.svg", svg());
        for (String type : new String[] {"consistent", "map-based"}) {
            Run run = run(type);
            System.out.printf(
                    Locale.ROOT,
                    "%-10s server2 had %d clients; %d of the other %d moved%n",
                    type,
                    run.onServer2(),
                    run.movedNeedlessly(),
                    CLIENTS - run.onServer2());
        }
    }

    /** All 300 clients through lbkit's source balancer, then server2 disabled, then all again. */
    static Run run(String hashType) throws ConfigException {
        String config =
                """
                defaults
                    mode http
                backend servers
                    balance source
                    hash-type %s
                    server server1 127.0.0.1:5001
                    server server2 127.0.0.1:5002
                    server server3 127.0.0.1:5003
                """
                        .formatted(hashType);
        Backend backend =
                new Backend(
                        ConfigParser.parse(config, "ring picture").backend("servers").orElseThrow(),
                        Algorithms::create);
        List<InetAddress> clients = Clients.addresses(CLIENTS);
        List<Integer> before = picks(backend, clients);
        backend.setMaint(backend.server("server2").orElseThrow(), true);
        List<Integer> after = picks(backend, clients);
        return new Run(hashType, before, after);
    }

    private static List<Integer> picks(Backend backend, List<InetAddress> clients) {
        List<Integer> picks = new ArrayList<>();
        for (InetAddress client : clients) {
            Server server = backend.pickAndTake(RequestInfo.of(client, "/"), null);
            backend.release(server);
            picks.add(server.index());
        }
        return picks;
    }

    /** Where a 32-bit value sits on a circle: 0 at the top, growing clockwise. */
    private static double angle(long value) {
        return TWO_PI * value / (1L << 32);
    }

    static String svg() throws ConfigException {
        Run ring = run("consistent");
        Run map = run("map-based");
        int width = 860;
        int height = 720;
        StringBuilder svg = new StringBuilder();
        svg.append(Pictures.open(width, height));
        svg.append(
                "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">balance source, 3 servers, "
                        + CLIENTS
                        + " clients: what moves when server2 goes DOWN</text>\n");
        legend(svg, 10, 40);
        ring(svg, 215, 230, "hash-type consistent, all up", ring.before(), false);
        ring(svg, 645, 230, "server2 DOWN: only its clients move", ring.after(), true);
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"430\" y=\"418\" text-anchor=\"middle\" fill=\"#555\">"
                                + "Dots: each server's 16 ring points. Ticks: the clients' keys (avalanched addresses). "
                                + "server2 had %d clients; %d of the other %d moved.</text>\n",
                        ring.onServer2(),
                        ring.movedNeedlessly(),
                        CLIENTS - ring.onServer2()));
        int top = 450;
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"%d\" font-weight=\"bold\">The first %d clients, "
                                + "one column each: their server before and after server2 goes DOWN</text>\n",
                        top,
                        SHOWN));
        strips(svg, top + 15, "map-based", map);
        strips(svg, top + 130, "consistent", ring);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void legend(StringBuilder svg, int x, int y) {
        for (int s = 0; s < 3; s++) {
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                                    + "<text x=\"%d\" y=\"%d\">server%d</text>\n",
                            x + s * 90,
                            y - 10,
                            COLOURS[s],
                            x + s * 90 + 16,
                            y,
                            s + 1));
        }
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"none\" stroke=\"black\"/>"
                                + "<text x=\"%d\" y=\"%d\">a client that moved</text>\n",
                        x + 286,
                        y - 4,
                        x + 296,
                        y));
    }

    private static void ring(
            StringBuilder svg,
            int cx,
            int cy,
            String title,
            List<Integer> owners,
            boolean server2Down) {
        int radius = 150;
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">%s</text>\n",
                        cx,
                        cy - radius - 22,
                        title));
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<circle cx=\"%d\" cy=\"%d\" r=\"%d\" fill=\"none\" stroke=\"#bbb\"/>\n",
                        cx,
                        cy,
                        radius));
        for (int s = 0; s < 3; s++) {
            if (server2Down && s == 1) {
                continue;
            }
            for (int i = 0; i < ConsistentRing.POINTS_PER_WEIGHT; i++) {
                double a = angle(Integer.toUnsignedLong(ConsistentRing.pointKey(s + 1, i)));
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n",
                                cx + radius * Math.sin(a),
                                cy - radius * Math.cos(a),
                                COLOURS[s]));
            }
        }
        List<InetAddress> clients = Clients.addresses(CLIENTS);
        Run reference = null;
        for (int c = 0; c < CLIENTS; c++) {
            long key = Integer.toUnsignedLong(Hashes.avalanche(HashKeys.source(clients.get(c))));
            double a = angle(key);
            double sin = Math.sin(a);
            double cos = Math.cos(a);
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
                            cx + (radius - 30) * sin,
                            cy - (radius - 30) * cos,
                            cx + (radius - 12) * sin,
                            cy - (radius - 12) * cos,
                            COLOURS[owners.get(c)]));
        }
        if (server2Down) {
            // The clients that moved: exactly server2's, drawn with a ring around their tick.
            List<Integer> before = ringBefore();
            for (int c = 0; c < CLIENTS; c++) {
                if (!before.get(c).equals(owners.get(c))) {
                    double a =
                            angle(
                                    Integer.toUnsignedLong(
                                            Hashes.avalanche(HashKeys.source(clients.get(c)))));
                    svg.append(
                            String.format(
                                    Locale.ROOT,
                                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"none\" stroke=\"black\" stroke-width=\"0.7\"/>\n",
                                    cx + (radius - 40) * Math.sin(a),
                                    cy - (radius - 40) * Math.cos(a)));
                }
            }
        }
    }

    private static List<Integer> ringBefore() {
        try {
            return run("consistent").before();
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void strips(StringBuilder svg, int top, String label, Run run) {
        int left = 150;
        String[] rows = {label + ", all up", "server2 DOWN"};
        List<List<Integer>> data = List.of(run.before(), run.after());
        for (int r = 0; r < 2; r++) {
            int y = top + r * 22;
            svg.append(
                    String.format(
                            Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>\n", y + 14, rows[r]));
            for (int c = 0; c < SHOWN; c++) {
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"/>\n",
                                left + c * CELL,
                                y,
                                CELL - 1,
                                COLOURS[data.get(r).get(c)]));
            }
        }
        int marks = top + 48;
        int shownNeedless = 0;
        for (int c = 0; c < SHOWN; c++) {
            if (run.before().get(c) != 1 && !run.before().get(c).equals(run.after().get(c))) {
                shownNeedless++;
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"none\" stroke=\"black\"/>\n",
                                left + c * CELL + CELL / 2,
                                marks + 4));
            }
        }
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" fill=\"#555\">circled: moved although its server "
                                + "stayed UP (%d of these %d; %d of all %d such clients)</text>\n",
                        left,
                        marks + 26,
                        shownNeedless,
                        SHOWN,
                        run.movedNeedlessly(),
                        CLIENTS - run.onServer2()));
    }
}
