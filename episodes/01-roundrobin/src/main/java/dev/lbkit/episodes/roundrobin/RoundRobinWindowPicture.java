package dev.lbkit.episodes.roundrobin;

import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.Pictures;
import dev.lbkit.harness.TestBackend;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code roundrobin-window.svg}: one whole roundrobin window for weights 2/1/3 (16 x 6 = 96
 * picks), one row per server and one column per request, and static-rr's first 96 picks below for
 * contrast. Every pick comes from lbkit's own balancers (through {@link TestBackend}, each request
 * ending before the next), so the picture cannot drift from the code: {@code
 * RoundRobinWindowPictureTest} regenerates it and compares it with the committed file.
 *
 * <p>Run from the repository root: {@code java -cp ...
 * dev.lbkit.episodes.roundrobin.RoundRobinWindowPicture} (writes {@code
 * episodes/01-roundrobin/roundrobin-window.svg}, or the path given as the first argument).
 */
public final class RoundRobinWindowPicture {
    static final int[] WEIGHTS = {2, 1, 3};

    /** One window: 16 x the sum of the weights. */
    static final int PICKS = 16 * (2 + 1 + 3);

    private static final int LABEL = 120;
    private static final int CELL = 8;
    private static final int ROW = 16;
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f"};

    private RoundRobinWindowPicture() {}

    public static void main(String[] args) throws Exception {
        Pictures.write(args, "01-roundrobin", "roundrobin-window.svg", svg());
    }

    /** The first {@link #PICKS} picks of an algorithm for weights 2/1/3, as server names s1..s3. */
    static List<String> picks(Algorithm algorithm) {
        return TestBackend.weights(algorithm, WEIGHTS).sequential(PICKS);
    }

    static String svg() {
        int width = LABEL + PICKS * CELL + 20;
        int height = 2 * (3 * ROW + 50) + 60;
        StringBuilder svg = new StringBuilder();
        svg.append(Pictures.open(width, height));
        svg.append(
                "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">Weights 2/1/3: who gets each of "
                        + "the first "
                        + PICKS
                        + " requests (one roundrobin window = 16 x 6)</text>\n");
        svg.append(
                "<text x=\"10\" y=\"38\" fill=\"#555\">One column per request, left to right. A filled cell: "
                        + "that server got the request. Grey lines: every 6 requests.</text>\n");
        panel(
                svg,
                60,
                "roundrobin",
                picks(Algorithm.ROUNDROBIN),
                "starts with the heaviest (s3); s3 s1 s3 s2 s3 s1, repeating");
        panel(
                svg,
                60 + 3 * ROW + 50,
                "static-rr",
                picks(Algorithm.STATIC_RR),
                "starts with the first declared (s1); s1 s3 s1 s3 s2 s3, repeating");
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(
            StringBuilder svg, int top, String title, List<String> picks, String note) {
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>"
                                + "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>\n",
                        top + 12,
                        title,
                        LABEL,
                        top + 12,
                        note));
        int gridTop = top + 20;
        for (int s = 0; s < 3; s++) {
            int y = gridTop + s * ROW;
            long count = picks.stream().filter(("s" + (s + 1))::equals).count();
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"10\" y=\"%d\">s%d (weight %d): %d</text>\n",
                            y + 12,
                            s + 1,
                            WEIGHTS[s],
                            count));
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\"/>\n",
                            LABEL,
                            y + 1,
                            PICKS * CELL,
                            ROW - 2));
            for (int i = 0; i < picks.size(); i++) {
                if (picks.get(i).equals("s" + (s + 1))) {
                    svg.append(
                            String.format(
                                    Locale.ROOT,
                                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
                                    LABEL + i * CELL,
                                    y + 1,
                                    CELL - 1,
                                    ROW - 2,
                                    COLOURS[s]));
                }
            }
        }
        for (int i = 0; i <= picks.size(); i += 6) {
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\" stroke-width=\"0.5\"/>\n",
                            LABEL + i * CELL,
                            gridTop,
                            LABEL + i * CELL,
                            gridTop + 3 * ROW));
        }
    }
}
