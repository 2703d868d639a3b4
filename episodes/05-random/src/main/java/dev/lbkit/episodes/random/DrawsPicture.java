package dev.lbkit.episodes.random;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.episodes.sourcehash.ConsistentRing;
import dev.lbkit.harness.Pictures;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code random-draws.svg}: the two draws of {@code balance random(2)} for the first {@value
 * #REQUESTS} requests of the lesson's config, with server1 slow (each request it takes stays in
 * flight until {@value #SLOW_FOR} more requests have arrived) and server2 and server3 answering
 * before the next request. Per request: the two generator outputs and where they land on the ring,
 * the server that owns each point and its requests in flight, the server kept and why.
 *
 * <p>The draws come from {@link XorShift32} at its fixed seed and the owners from a {@link
 * ConsistentRing} of the same servers; the loads are those of lbkit's own {@link Backend}, which
 * makes the real pick next. {@link #run} fails if the pick is not the one the rule explains, so the
 * picture cannot drift from the code: {@code DrawsPictureTest} regenerates it and compares it with
 * the committed file.
 *
 * <p>Run from the repository root: {@code java -cp ... dev.lbkit.episodes.random.DrawsPicture}
 * (writes {@code episodes/05-random/random-draws.svg}, or the path given as the first argument).
 */
public final class DrawsPicture {
    static final int REQUESTS = 12;

    /** How many later requests a request to server1 stays in flight for. */
    static final int SLOW_FOR = 6;

    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f"};
    private static final int ROW = 44;
    private static final int TOP = 120;
    private static final int STRIP_LEFT = 40;
    private static final int STRIP_WIDTH = 300;
    private static final int FIRST_LEFT = STRIP_LEFT + STRIP_WIDTH + 25;
    private static final int SECOND_LEFT = FIRST_LEFT + 215;
    private static final int KEPT_LEFT = SECOND_LEFT + 215;

    /**
     * One drawn point: the generator output, and the server owning the closest ring point with its
     * load then.
     */
    record Draw(long value, int server, int inFlight) {}

    /** One request: its two draws, the server lbkit picked, and the rule that explains it. */
    record Pick(int request, Draw first, Draw second, int kept, String why) {}

    private DrawsPicture() {}

    public static void main(String[] args) throws Exception {
        Pictures.write(args, "05-random", "random-draws.svg", svg());
        for (Pick pick : run()) {
            System.out.printf(
                    Locale.ROOT,
                    "#%-2d %10d -> server%d (%d)   %10d -> server%d (%d)   kept server%d: %s%n",
                    pick.request(),
                    pick.first().value(),
                    pick.first().server() + 1,
                    pick.first().inFlight(),
                    pick.second().value(),
                    pick.second().server() + 1,
                    pick.second().inFlight(),
                    pick.kept() + 1,
                    pick.why());
        }
    }

    static Backend backend() throws ConfigException {
        String config =
                """
                defaults
                    mode http
                backend servers
                    balance random(2)
                    server server1 127.0.0.1:5001
                    server server2 127.0.0.1:5002
                    server server3 127.0.0.1:5003
                """;
        return new Backend(
                ConfigParser.parse(config, "random draws picture").backend("servers").orElseThrow(),
                Algorithms::create);
    }

    /**
     * The {@value #REQUESTS} requests: each traced draw by draw, then picked by lbkit's own
     * balancer.
     */
    static List<Pick> run() throws ConfigException {
        Backend backend = backend();
        List<Server> servers = backend.servers();
        ConsistentRing ring = new ConsistentRing(servers, false, 0, HaproxyLine.V2_6);
        XorShift32 generator = new XorShift32();
        RequestInfo request = RequestInfo.of(InetAddress.getLoopbackAddress(), "/");
        Deque<Integer> slowEnds = new ArrayDeque<>();
        Server slow = servers.get(0);
        List<Pick> picks = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            while (!slowEnds.isEmpty() && slowEnds.peekFirst() <= i) {
                slowEnds.removeFirst();
                backend.release(slow);
            }
            Draw first = draw(generator, ring);
            Draw second = draw(generator, ring);
            Pick expected = decide(i, first, second, servers);
            Server picked = backend.pickAndTake(request, null);
            if (picked.index() != expected.kept()) {
                throw new IllegalStateException(
                        "request "
                                + i
                                + ": lbkit picked "
                                + picked.name()
                                + " where the two draws say server"
                                + (expected.kept() + 1)
                                + " ("
                                + expected.why()
                                + ")");
            }
            picks.add(expected);
            if (picked == slow) {
                slowEnds.addLast(i + 1 + SLOW_FOR);
            } else {
                backend.release(picked);
            }
        }
        return picks;
    }

    private static Draw draw(XorShift32 generator, ConsistentRing ring) {
        int value = generator.next();
        Server owner = ring.lookup(value, null);
        return new Draw(Integer.toUnsignedLong(value), owner.index(), owner.served());
    }

    /**
     * The rule of random(2) with equal weights: the earlier draw stays only if the later one is
     * busier.
     */
    private static Pick decide(int request, Draw first, Draw second, List<Server> servers) {
        String one = servers.get(first.server()).name();
        String two = servers.get(second.server()).name();
        if (first.server() == second.server()) {
            return new Pick(request, first, second, second.server(), "both draws land on " + two);
        }
        if (second.inFlight() > first.inFlight()) {
            return new Pick(
                    request,
                    first,
                    second,
                    first.server(),
                    two
                            + " is busier ("
                            + second.inFlight()
                            + " > "
                            + first.inFlight()
                            + "): the earlier draw stays");
        }
        if (second.inFlight() == first.inFlight()) {
            return new Pick(
                    request,
                    first,
                    second,
                    second.server(),
                    "equally busy ("
                            + first.inFlight()
                            + " = "
                            + second.inFlight()
                            + "): a tie goes to the later draw");
        }
        return new Pick(
                request,
                first,
                second,
                second.server(),
                one
                        + " is busier ("
                        + first.inFlight()
                        + " > "
                        + second.inFlight()
                        + "): the later draw wins");
    }

    static String svg() throws ConfigException {
        List<Pick> picks = run();
        Backend backend = backend();
        ConsistentRing ring = new ConsistentRing(backend.servers(), false, 0, HaproxyLine.V2_6);
        int width = 1230;
        int height = TOP + REQUESTS * ROW + 20;
        StringBuilder svg = new StringBuilder();
        svg.append(Pictures.open(width, height));
        svg.append(
                "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">balance random(2): the two draws of the "
                        + "first "
                        + REQUESTS
                        + " requests, and the server kept</text>\n");
        svg.append(
                "<text x=\"10\" y=\"40\" fill=\"#555\">Three servers of weight 1, the generator from its fixed seed "
                        + "(nbthread 1). server1 is slow: each request it gets stays in flight until "
                        + SLOW_FOR
                        + " more requests have arrived;</text>\n");
        svg.append(
                "<text x=\"10\" y=\"56\" fill=\"#555\">server2 and server3 answer before the next request. "
                        + "(n): the server's requests in flight when the draw is made.</text>\n");
        for (int s = 0; s < 3; s++) {
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"68\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                                    + "<text x=\"%d\" y=\"78\">server%d</text>\n",
                            10 + s * 80,
                            COLOURS[s],
                            26 + s * 80,
                            s + 1));
        }
        svg.append(
                "<text x=\"260\" y=\"78\" fill=\"#555\">Strip: the ring opened out, 0 on the left to 2^32 on the "
                        + "right, coloured by the server of the closest ring point. 1 and 2: where the draws land.</text>\n");
        int header = TOP - 14;
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"%d\" font-weight=\"bold\">#</text>"
                                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">the ring</text>"
                                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">1st draw: value -&gt; server (n)</text>"
                                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">2nd draw: value -&gt; server (n)</text>"
                                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">kept</text>"
                                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">why</text>\n",
                        header,
                        STRIP_LEFT,
                        header,
                        FIRST_LEFT,
                        header,
                        SECOND_LEFT,
                        header,
                        KEPT_LEFT,
                        header,
                        KEPT_LEFT + 90,
                        header));
        for (Pick pick : picks) {
            int y = TOP + pick.request() * ROW;
            if (pick.request() % 2 == 1) {
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\"/>\n",
                                y,
                                width,
                                ROW));
            }
            int mid = y + ROW / 2;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"10\" y=\"%d\">%d</text>\n",
                            mid + 4,
                            pick.request()));
            strip(svg, ring, mid, pick);
            drawCell(svg, FIRST_LEFT, mid, pick.first());
            drawCell(svg, SECOND_LEFT, mid, pick.second());
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"70\" height=\"20\" rx=\"3\" fill=\"%s\"/>"
                                    + "<text x=\"%d\" y=\"%d\" fill=\"white\" text-anchor=\"middle\" font-weight=\"bold\">server%d</text>\n",
                            KEPT_LEFT,
                            mid - 10,
                            COLOURS[pick.kept()],
                            KEPT_LEFT + 35,
                            mid + 4,
                            pick.kept() + 1));
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\">%s</text>\n",
                            KEPT_LEFT + 90,
                            mid + 4,
                            pick.why()));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void drawCell(StringBuilder svg, int x, int mid, Draw draw) {
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\">%d -&gt;</text>"
                                + "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                                + "<text x=\"%d\" y=\"%d\">server%d (%d)</text>\n",
                        x,
                        mid + 4,
                        draw.value(),
                        x + 102,
                        mid - 6,
                        COLOURS[draw.server()],
                        x + 118,
                        mid + 4,
                        draw.server() + 1,
                        draw.inFlight()));
    }

    /**
     * The ring as a strip, each pixel coloured by the owner of its middle value, and the two draws
     * as marks.
     */
    private static void strip(StringBuilder svg, ConsistentRing ring, int mid, Pick pick) {
        int top = mid - 7;
        int runStart = 0;
        int runOwner = owner(ring, 0);
        for (int px = 1; px <= STRIP_WIDTH; px++) {
            int owner = px < STRIP_WIDTH ? owner(ring, px) : -1;
            if (owner != runOwner) {
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"14\" fill=\"%s\"/>\n",
                                STRIP_LEFT + runStart,
                                top,
                                px - runStart,
                                COLOURS[runOwner]));
                runStart = px;
                runOwner = owner;
            }
        }
        mark(svg, pick.first().value(), top, "1", true);
        mark(svg, pick.second().value(), top, "2", false);
    }

    private static int owner(ConsistentRing ring, int px) {
        long value = (long) ((px + 0.5) * (1L << 32) / STRIP_WIDTH);
        return ring.lookup((int) value, null).index();
    }

    /**
     * A draw: a black line across the strip with its number above (1st draw) or below (2nd draw).
     */
    private static void mark(StringBuilder svg, long value, int top, String label, boolean above) {
        double x = STRIP_LEFT + (double) value * STRIP_WIDTH / (1L << 32);
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" "
                                + "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" "
                                + "font-weight=\"bold\">%s</text>\n",
                        x,
                        top - 3,
                        x,
                        top + 17,
                        x,
                        above ? top - 5 : top + 27,
                        label));
    }
}
