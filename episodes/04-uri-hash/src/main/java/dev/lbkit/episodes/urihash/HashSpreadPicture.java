package dev.lbkit.episodes.urihash;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HashFunction;
import dev.lbkit.episodes.sourcehash.Hashes;
import dev.lbkit.harness.Pictures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Draws {@code hash-spread.svg}: where 1000 sequential URIs ({@code /item/1} .. {@code /item/1000})
 * land on the 32-bit ring under each hash function, with and without {@code avalanche}, and how
 * many each of the article's three servers gets — on the consistent ring and in the map. Every
 * number comes from lbkit's own {@code Hashes} and its real uri balancer, so the picture cannot
 * drift from the code: the episode's tests regenerate it and compare it with the committed file.
 *
 * <p>Run from the repository root: {@code java -cp ...
 * dev.lbkit.episodes.urihash.HashSpreadPicture} (writes {@code
 * episodes/04-uri-hash/hash-spread.svg}, or the path given as the first argument).
 */
public final class HashSpreadPicture {
    static final int KEYS = 1000;
    private static final int LABEL = 190;
    private static final int STRIP = 560;
    private static final int BARS = 250;
    private static final int ROW = 54;
    private static final int TOP = 58;
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f"};
    private static final long RING = 1L << 32;

    /** What one hash function (with or without avalanche) does to the sequential keys. */
    record Row(
            HashFunction function,
            boolean avalanche,
            long[] hashes,
            Map<String, Integer> onRing,
            Map<String, Integer> inMap) {
        String label() {
            return function.name().toLowerCase(Locale.ROOT) + (avalanche ? " + avalanche" : "");
        }
    }

    private HashSpreadPicture() {}

    public static void main(String[] args) throws Exception {
        List<Row> rows = rows();
        Pictures.write(args, "04-uri-hash", "hash-spread.svg", svg(rows));
        for (Row row : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "%-18s ring %s   map %s\n",
                    row.label(),
                    row.onRing(),
                    row.inMap());
        }
    }

    /** The eight rows: sdbm, djb2, wt6, crc32, each without and with avalanche. */
    static List<Row> rows() throws ConfigException {
        List<String> uris = UriCorpus.sequentialItems(KEYS);
        List<Row> rows = new ArrayList<>();
        for (HashFunction function : HashFunction.values()) {
            if (function == HashFunction.NONE) {
                continue; // reads the key as a number (3.0+): no spread of its own to show
            }
            for (boolean avalanche : new boolean[] {false, true}) {
                long[] hashes = new long[KEYS];
                for (int i = 0; i < KEYS; i++) {
                    byte[] key = uris.get(i).getBytes(StandardCharsets.US_ASCII);
                    int h = Hashes.hash(function, key, 0, key.length);
                    hashes[i] = Integer.toUnsignedLong(avalanche ? Hashes.avalanche(h) : h);
                }
                rows.add(
                        new Row(
                                function,
                                avalanche,
                                hashes,
                                picks(uris, "consistent", function, avalanche),
                                picks(uris, "map-based", function, avalanche)));
            }
        }
        return rows;
    }

    /**
     * Sends every URI through lbkit's uri balancer for the article's three servers; counts by
     * server.
     */
    private static Map<String, Integer> picks(
            List<String> uris, String type, HashFunction function, boolean avalanche)
            throws ConfigException {
        String config =
                """
                defaults
                    mode http
                backend servers
                    balance uri
                    hash-type %s %s%s
                    server server1 127.0.0.1:5001
                    server server2 127.0.0.1:5002
                    server server3 127.0.0.1:5003
                """
                        .formatted(
                                type,
                                function.name().toLowerCase(Locale.ROOT),
                                avalanche ? " avalanche" : "");
        Backend backend =
                new Backend(
                        ConfigParser.parse(config, "hash-spread picture")
                                .backend("servers")
                                .orElseThrow(),
                        Algorithms::create);
        Map<String, Integer> counts = new TreeMap<>();
        backend.servers().forEach(s -> counts.put(s.name(), 0));
        for (String uri : uris) {
            Server server = backend.pickAndTake(RequestInfo.of(null, uri), null);
            backend.release(server);
            counts.merge(server.name(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * The ring points of servers with ids 1..3 and weight 1: 16 points each at full_hash(id * 4096
     * + i).
     */
    private static long[][] ringPoints() {
        long[][] points = new long[3][16];
        for (int id = 1; id <= 3; id++) {
            for (int i = 0; i < 16; i++) {
                points[id - 1][i] = Integer.toUnsignedLong(Hashes.fullHash(id * 4096 + i));
            }
        }
        return points;
    }

    /** Which server owns ring position {@code h}: the closest point, either way round the ring. */
    private static int owner(long h, long[][] points) {
        int best = 0;
        long bestDistance = Long.MAX_VALUE;
        for (int s = 0; s < points.length; s++) {
            for (long p : points[s]) {
                long d = Math.abs(p - h);
                d = Math.min(d, RING - d);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = s;
                }
            }
        }
        return best;
    }

    private static long pixelCentre(int x) {
        return (long) ((x + 0.5) * RING / STRIP);
    }

    static String svg(List<Row> rows) {
        int width = LABEL + STRIP + BARS + 20;
        int height = TOP + rows.size() * ROW + 40;
        long[][] points = ringPoints();
        StringBuilder svg = new StringBuilder();
        svg.append(Pictures.open(width, height));
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">"
                                + "/item/1 .. /item/%d on the 32-bit ring (0 left, 2^32 right), per hash function</text>\n",
                        KEYS));
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"38\" fill=\"#555\">Background: which of 3 servers "
                                + "owns that part of the ring (16 points each). Black ticks: the keys. Right: keys per server "
                                + "(server1 server2 server3).</text>\n"));
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">consistent ring</text>"
                                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">map (h mod 3)</text>\n",
                        LABEL + STRIP + 15,
                        TOP - 4,
                        LABEL + STRIP + 135,
                        TOP - 4));
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int y = TOP + r * ROW;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"10\" y=\"%d\"%s>%s</text>\n",
                            y + 26,
                            row.avalanche() ? "" : " font-weight=\"bold\"",
                            row.label()));
            // One rectangle per run of pixels owned by the same server keeps the file small.
            int runStart = 0;
            for (int x = 1; x <= STRIP; x++) {
                int runOwner = owner(pixelCentre(runStart), points);
                if (x == STRIP || owner(pixelCentre(x), points) != runOwner) {
                    svg.append(
                            String.format(
                                    Locale.ROOT,
                                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"36\" "
                                            + "fill=\"%s\" fill-opacity=\"0.35\"/>\n",
                                    LABEL + runStart,
                                    y + 4,
                                    x - runStart,
                                    COLOURS[runOwner]));
                    runStart = x;
                }
            }
            // Keys that fall on the same half pixel are drawn once: a tick means "at least one key
            // here".
            TreeSet<Integer> halfPixels = new TreeSet<>();
            for (long h : row.hashes()) {
                halfPixels.add((int) (h * STRIP * 2 / RING));
            }
            StringBuilder ticks = new StringBuilder();
            for (int half : halfPixels) {
                ticks.append(String.format(Locale.ROOT, "M%.1f %dv36", LABEL + half / 2.0, y + 4));
            }
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<path d=\"%s\" stroke=\"black\" stroke-width=\"0.6\" "
                                    + "stroke-opacity=\"0.5\"/>\n",
                            ticks));
            bars(svg, row.onRing(), LABEL + STRIP + 15, y);
            bars(svg, row.inMap(), LABEL + STRIP + 135, y);
        }
        for (int s = 0; s < COLOURS.length; s++) {
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                                    + "<text x=\"%d\" y=\"%d\">server%d</text>\n",
                            LABEL + STRIP + 15 + s * 80,
                            height - 24,
                            COLOURS[s],
                            LABEL + STRIP + 31 + s * 80,
                            height - 14,
                            s + 1));
        }
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"%d\" fill=\"#555\">Generated by "
                                + "dev.lbkit.episodes.urihash.HashSpreadPicture from lbkit's Hashes and its uri balancer.</text>\n",
                        height - 14));
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Three small bars (one per server, out of {@link #KEYS}) with their counts. */
    private static void bars(StringBuilder svg, Map<String, Integer> counts, int x, int y) {
        int i = 0;
        for (int count : counts.values()) {
            int barHeight = (int) Math.round(36.0 * count / KEYS);
            int bx = x + i * 36;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"%d\" fill=\"%s\"/>"
                                    + "<text x=\"%d\" y=\"%d\" font-size=\"10\">%d</text>\n",
                            bx,
                            y + 40 - barHeight,
                            Math.max(barHeight, 1),
                            COLOURS[i],
                            bx + 15,
                            y + 40,
                            count));
            i++;
        }
    }
}
