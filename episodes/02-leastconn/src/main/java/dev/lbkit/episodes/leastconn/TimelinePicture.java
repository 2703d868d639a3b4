package dev.lbkit.episodes.leastconn;

import dev.lbkit.harness.Pictures;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code leastconn-timeline.svg}: the demo's 14 requests on a time axis, one lane per server
 * with each request as a bar from its arrival to its answer, and below them the requests each
 * server had in flight when each request was picked. The picks come from lbkit's own leastconn
 * through {@link DemoTimeline}, so the picture cannot drift from the code: {@code
 * TimelinePictureTest} regenerates it and compares it with the committed file.
 *
 * <p>Run from the repository root: {@code java -cp ...
 * dev.lbkit.episodes.leastconn.TimelinePicture} (writes {@code
 * episodes/02-leastconn/leastconn-timeline.svg}, or the path given as the first argument).
 */
public final class TimelinePicture {
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f"};
    private static final String[] LANES = {
        "server1 (sleeps 5 s)", "server2 (answers at once)", "server3 (sleeps 5 s)"
    };
    private static final int LEFT = 190;
    private static final double PX_PER_MS = 0.07;
    private static final int SECONDS = 13;
    private static final int LANE = 34;
    private static final int LANES_TOP = 120;

    /** The request whose pick the lesson explains. */
    static final int EXPLAINED = 9;

    private TimelinePicture() {}

    public static void main(String[] args) throws Exception {
        Pictures.write(args, "02-leastconn", "leastconn-timeline.svg", svg());
    }

    private static double x(long ms) {
        return LEFT + ms * PX_PER_MS;
    }

    static String svg() {
        List<DemoTimeline.Request> requests =
                DemoTimeline.replay(DemoTimeline.REQUESTS, DemoTimeline.SLOW_MS);
        int width = (int) x(SECONDS * 1000L) + 30;
        int countsTop = LANES_TOP + 3 * LANE + 50;
        int height = countsTop + 3 * 18 + 90;
        StringBuilder svg = new StringBuilder();
        svg.append(Pictures.open(width, height));
        svg.append(
                "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">balance leastconn: the demo's "
                        + DemoTimeline.REQUESTS
                        + " requests over time</text>\n");
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"40\" fill=\"#555\">A request every %.1f s, each on "
                                + "a new connection. A bar: the request is in flight on that server, from its arrival to its answer.</text>\n",
                        DemoTimeline.GAP_MS / 1000.0));
        svg.append(
                "<text x=\"10\" y=\"56\" fill=\"#555\">Each pick goes to the server with the fewest requests in flight "
                        + "(weights are equal); among idle servers, to the one idle longest.</text>\n");
        // Time axis with one tick per second, and the arrivals.
        int axis = LANES_TOP - 34;
        for (int s = 0; s <= SECONDS; s++) {
            double tx = x(s * 1000L);
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%d s</text>\n",
                            tx,
                            axis + 4,
                            tx,
                            LANES_TOP + 3 * LANE,
                            tx,
                            axis,
                            s));
        }
        svg.append(
                String.format(
                        Locale.ROOT, "<text x=\"10\" y=\"%d\">request sent</text>\n", axis + 22));
        for (DemoTimeline.Request request : requests) {
            double rx = x(request.sentMs());
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" "
                                    + "font-weight=\"%s\">#%d</text>\n",
                            rx,
                            axis + 22,
                            request.index() == EXPLAINED ? "bold" : "normal",
                            request.index()));
        }
        // One lane per server.
        for (int s = 0; s < 3; s++) {
            int y = LANES_TOP + s * LANE;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                                    + "<text x=\"10\" y=\"%d\">%s</text>\n",
                            LEFT,
                            y + 2,
                            width - LEFT - 30,
                            LANE - 4,
                            s % 2 == 0 ? "#f4f4f4" : "#fafafa",
                            y + LANE / 2 + 4,
                            LANES[s]));
        }
        for (DemoTimeline.Request request : requests) {
            int s = request.server() - 1;
            int y = LANES_TOP + s * LANE;
            double from = x(request.sentMs());
            double w = Math.max(4, (request.endMs() - request.sentMs()) * PX_PER_MS);
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" "
                                    + "fill=\"%s\" stroke=\"white\"/>\n",
                            from,
                            y + 6,
                            w,
                            LANE - 12,
                            COLOURS[s]));
            if (w > 20) {
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<text x=\"%.1f\" y=\"%d\" fill=\"white\" font-size=\"11\">#%d, "
                                        + "answered at %.1f s</text>\n",
                                from + 5,
                                y + LANE / 2 + 4,
                                request.index(),
                                request.endMs() / 1000.0));
            } else {
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%d</text>\n",
                                from + 6,
                                y + LANE / 2 + 4,
                                request.index()));
            }
        }
        // In flight on each server when each request is picked.
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"%d\" font-weight=\"bold\">in flight when the request "
                                + "arrives</text>\n",
                        countsTop - 10));
        for (int s = 0; s < 3; s++) {
            int y = countsTop + s * 18;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"10\" y=\"%d\">server%d</text>\n",
                            y + 12,
                            s + 1));
            for (DemoTimeline.Request request : requests) {
                boolean chosen = request.server() - 1 == s;
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" %s>%d</text>\n",
                                x(request.sentMs()),
                                y + 12,
                                chosen
                                        ? "font-weight=\"bold\" fill=\"" + COLOURS[s] + "\""
                                        : "fill=\"#777\"",
                                request.inFlightAtPick()[s]));
            }
        }
        DemoTimeline.Request explained = requests.get(EXPLAINED);
        int note = countsTop + 3 * 18 + 24;
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"%d\" fill=\"#555\">Bold, coloured: the server that got the "
                                + "request. #%d at %.1f s: server1 and server2 are both idle (0 in flight); server2 has been idle since "
                                + "its answer at %.1f s,</text>\n",
                        note,
                        EXPLAINED,
                        explained.sentMs() / 1000.0,
                        requests.get(EXPLAINED - 1).endMs() / 1000.0));
        svg.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"10\" y=\"%d\" fill=\"#555\">server1 only since %.1f s, so server2 "
                                + "is first in the line of idle servers and gets #%d; server1 gets #%d.</text>\n",
                        note + 18,
                        requests.get(0).endMs() / 1000.0,
                        EXPLAINED,
                        EXPLAINED + 1));
        svg.append("</svg>\n");
        return svg.toString();
    }
}
