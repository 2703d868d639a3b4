package dev.lbkit.episodes.weighted;

import dev.lbkit.harness.Pictures;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code weighted-orders.svg}: the first picks of the four weighted round robins (HAProxy's
 * roundrobin and static-rr from lbkit's own balancers, nginx's and LVS's from {@link
 * OtherBalancers}) for weights 2/1/3 and 5/1/1, as coloured strips. {@code OrdersPictureTest}
 * regenerates it and compares it with the committed file.
 *
 * <p>Run from the repository root: {@code java -cp ... dev.lbkit.episodes.weighted.OrdersPicture}
 * (writes {@code episodes/06-weighted/weighted-orders.svg}, or the path given as the first
 * argument).
 */
public final class OrdersPicture {
    static final int PICKS = 28;
    private static final int LABEL = 170;
    private static final int CELL = 16;
    private static final int ROW = 22;
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f"};

    private OrdersPicture() {}

    public static void main(String[] args) throws Exception {
        Pictures.write(args, "06-weighted", "weighted-orders.svg", svg());
    }

    static String svg() {
        int[][] weightSets = {{2, 1, 3}, {5, 1, 1}};
        int panel = 40 + Orders.Balancer.values().length * ROW;
        int width = LABEL + PICKS * CELL + 110;
        int height = 70 + weightSets.length * panel;
        StringBuilder svg = new StringBuilder();
        svg.append(Pictures.open(width, height));
        svg.append(
                "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">Same weights, four orders: the first "
                        + PICKS
                        + " requests, one cell each</text>\n");
        for (int s = 0; s < 3; s++) {
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                                    + "<text x=\"%d\" y=\"42\">s%d</text>\n",
                            10 + s * 60,
                            COLOURS[s],
                            26 + s * 60,
                            s + 1));
        }
        svg.append(
                "<text x=\"200\" y=\"42\" fill=\"#555\">Right: the longest run of one server in these picks.</text>\n");
        for (int w = 0; w < weightSets.length; w++) {
            int top = 70 + w * panel;
            int[] weights = weightSets[w];
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"10\" y=\"%d\" font-weight=\"bold\">weights %s</text>\n",
                            top + 12,
                            String.join(
                                    "/",
                                    Arrays.stream(weights).mapToObj(Integer::toString).toList())));
            int b = 0;
            for (Orders.Balancer balancer : Orders.Balancer.values()) {
                int y = top + 22 + b++ * ROW;
                List<String> picks = Orders.sequence(balancer, PICKS, weights);
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<text x=\"10\" y=\"%d\">%s</text>\n",
                                y + 13,
                                balancer.label()));
                for (int i = 0; i < picks.size(); i++) {
                    int server = Integer.parseInt(picks.get(i).substring(1)) - 1;
                    svg.append(
                            String.format(
                                    Locale.ROOT,
                                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
                                    LABEL + i * CELL,
                                    y,
                                    CELL - 2,
                                    ROW - 4,
                                    COLOURS[server]));
                }
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<text x=\"%d\" y=\"%d\" fill=\"#555\">longest run %d</text>\n",
                                LABEL + PICKS * CELL + 10,
                                y + 13,
                                Orders.longestBurst(picks)));
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }
}
