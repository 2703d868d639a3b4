package dev.lbkit.episodes.roundrobin;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.Pictures;
import dev.lbkit.harness.TestBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code docs/side-by-side.svg}, the README's picture of how the harness compares: one
 * traffic script goes to a real HAProxy and to lbkit, each answer names its server, and the two
 * servers are compared request by request; the negative control runs the same comparison against a
 * deliberately wrong lbkit and must see it fail. The example is episode 06's config (roundrobin,
 * weights 2/1/3). lbkit's picks come from its own balancers; HAProxy's are {@link #HAPROXY_PICKS},
 * what HAProxy 2.6.12 answered in the parity tests ({@code RoundRobinParityTest}, {@code
 * WeightedParityTest}), and {@code SideBySidePictureTest} checks that lbkit still gives them and
 * that the picture is current.
 *
 * <p>It lives in episode 01 because its example needs roundrobin and static-rr. Run from the
 * repository root: {@code java -cp ... dev.lbkit.episodes.roundrobin.SideBySidePicture} (writes
 * {@code docs/side-by-side.svg}, or the path given as the first argument).
 */
public final class SideBySidePicture {
    /** HAProxy 2.6.12's first six picks for roundrobin 2/1/3, as the parity tests measured them. */
    static final List<String> HAPROXY_PICKS =
            List.of("server3", "server1", "server3", "server2", "server3", "server1");

    static final int[] WEIGHTS = {2, 1, 3};
    private static final int REQUESTS = 6;
    private static final String GOOD = "#2e7d32";
    private static final String BAD = "#c62828";

    private SideBySidePicture() {}

    public static void main(String[] args) throws Exception {
        Pictures.write(args, Path.of("docs", "side-by-side.svg"), svg());
    }

    /** lbkit's first six picks for weights 2/1/3 with {@code algorithm}, named server1..server3. */
    static List<String> lbkitPicks(Algorithm algorithm) {
        return TestBackend.weights(algorithm, WEIGHTS).sequential(REQUESTS).stream()
                .map(name -> "server" + name.substring(1))
                .toList();
    }

    static String svg() {
        StringBuilder svg = new StringBuilder();
        int width = 940;
        int height = 470;
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                                + "font-family=\"sans-serif\" font-size=\"12\">\n",
                        width,
                        height));
        svg.append(
                "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
                        + "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
                        width,
                        height));
        svg.append(
                "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">How a parity test compares lbkit "
                        + "with a real HAProxy</text>\n");
        box(
                svg,
                10,
                50,
                190,
                110,
                "#eef3f8",
                "one traffic script",
                "request 0, 1, 2, ...: target,",
                "client address, keep-alive",
                "or not, runtime API",
                "commands between requests");
        box(
                svg,
                250,
                40,
                230,
                58,
                "#fdf1e4",
                "real HAProxy (container or binary)",
                "the episode's haproxy.cfg, only its",
                "addresses rewritten (+ nbthread 1)");
        box(
                svg,
                250,
                112,
                230,
                58,
                "#eaf4ea",
                "lbkit",
                "the same haproxy.cfg, rewritten",
                "the same way");
        arrow(svg, 200, 90, 250, 69);
        arrow(svg, 200, 120, 250, 141);
        box(
                svg,
                530,
                40,
                150,
                130,
                "#f4f4f4",
                "the replicas",
                "app1, app2, app3:",
                "each answer carries",
                "X-Served-By, so every",
                "request names the",
                "server that answered");
        arrow(svg, 480, 69, 530, 80);
        arrow(svg, 480, 141, 530, 130);
        box(
                svg,
                730,
                40,
                200,
                130,
                "#f4f4f4",
                "compare",
                "request i: the same server",
                "on both sides, for every i",
                "(exact); or the two",
                "distributions by chi-square",
                "where timing decides");
        arrow(svg, 680, 105, 730, 105);

        List<String> lbkit = lbkitPicks(Algorithm.ROUNDROBIN);
        List<String> wrong = lbkitPicks(Algorithm.STATIC_RR);
        table(
                svg,
                200,
                "The comparison: roundrobin, weights 2/1/3 (episode 06's config), the first "
                        + REQUESTS
                        + " requests",
                "lbkit",
                lbkit);
        table(
                svg,
                330,
                "The negative control: the same comparison, lbkit given balance static-rr instead; "
                        + "it must fail",
                "lbkit (wrong)",
                wrong);
        svg.append(
                "<text x=\"10\" y=\"440\" fill=\"#555\">Where timing decides (leastconn under load, random with "
                        + "several threads), the two distributions are compared by chi-square;</text>\n");
        svg.append(
                "<text x=\"10\" y=\"456\" fill=\"#555\">there the negative control gives lbkit roundrobin in "
                        + "place of leastconn or random, and the test must reject it.</text>\n");
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void table(
            StringBuilder svg, int top, String title, String lbkitLabel, List<String> lbkit) {
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n",
                        top,
                        title));
        int left = 120;
        int column = 90;
        String[] labels = {"request", "HAProxy", lbkitLabel, "same server?"};
        for (int r = 0; r < labels.length; r++) {
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"10\" y=\"%d\">%s</text>\n",
                            top + 22 + r * 20,
                            labels[r]));
        }
        int same = 0;
        int firstDifference = -1;
        for (int i = 0; i < REQUESTS; i++) {
            int x = left + i * column;
            boolean equal = HAPROXY_PICKS.get(i).equals(lbkit.get(i));
            if (equal) {
                same++;
            } else if (firstDifference < 0) {
                firstDifference = i;
            }
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\">#%d</text>"
                                    + "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\">%s</text>"
                                    + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\" fill=\"%s\">%s</text>\n",
                            x,
                            top + 22,
                            i,
                            x,
                            top + 42,
                            HAPROXY_PICKS.get(i),
                            x,
                            top + 62,
                            lbkit.get(i),
                            x,
                            top + 82,
                            equal ? GOOD : BAD,
                            equal ? "yes" : "no"));
        }
        int x = left + REQUESTS * column;
        String verdict =
                firstDifference < 0
                        ? String.format(Locale.ROOT, "%d/%d the same: passes", same, REQUESTS)
                        : String.format(
                                Locale.ROOT,
                                "differs at #%d (%d/%d): rejected",
                                firstDifference,
                                same,
                                REQUESTS);
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" font-weight=\"bold\" fill=\"%s\">%s</text>\n",
                        x,
                        top + 82,
                        firstDifference < 0 ? GOOD : BAD,
                        verdict));
    }

    private static void box(
            StringBuilder svg,
            int x,
            int y,
            int w,
            int h,
            String fill,
            String title,
            String... lines) {
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" "
                                + "stroke=\"#999\"/><text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n",
                        x,
                        y,
                        w,
                        h,
                        fill,
                        x + 8,
                        y + 18,
                        title));
        for (int i = 0; i < lines.length; i++) {
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" fill=\"#333\">%s</text>\n",
                            x + 8,
                            y + 36 + i * 16,
                            lines[i]));
        }
    }

    private static void arrow(StringBuilder svg, int x1, int y1, int x2, int y2) {
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\" "
                                + "stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n",
                        x1,
                        y1,
                        x2,
                        y2));
    }
}
