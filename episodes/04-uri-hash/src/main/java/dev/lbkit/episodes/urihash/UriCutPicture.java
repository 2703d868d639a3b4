package dev.lbkit.episodes.urihash;

import dev.lbkit.balancer.config.Balance;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.episodes.sourcehash.HashKeys;
import dev.lbkit.harness.Pictures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code uri-cut.svg}: which bytes of one absolute-form request-target {@code balance uri}
 * hashes under {@code whole}, {@code path-only}, {@code len} and {@code depth}, one row per {@code
 * balance} line, the hashed bytes highlighted and the reason the key ends there. Each line is read
 * by lbkit's config parser and each key cut by {@link RequestKeys#uriRange}, the code the balancer
 * runs, so the picture cannot drift from the code: {@code UriCutPictureTest} regenerates it and
 * compares it with the committed file.
 *
 * <p>Run from the repository root: {@code java -cp ... dev.lbkit.episodes.urihash.UriCutPicture}
 * (writes {@code episodes/04-uri-hash/uri-cut.svg}, or the path given as the first argument).
 */
public final class UriCutPicture {
    /**
     * An absolute-form target, as a client sends it to a forward proxy, with a '/' inside its
     * query.
     */
    static final String TARGET = "http://shop.example/img/cats/tabby.jpg?size=2/3";

    /** The options after {@code balance uri}, one row each. */
    static final List<String> OPTIONS =
            List.of(
                    "",
                    "whole",
                    "path-only",
                    "path-only whole",
                    "len 16",
                    "depth 3",
                    "path-only depth 2",
                    "path-only depth 3 whole",
                    "path-only len 7 depth 2");

    private static final int LEFT = 300;
    private static final int CELL = 11;
    private static final int ROW = 40;
    private static final int TOP = 86;

    /**
     * One row: the options, where the key starts and ends in {@link #TARGET}, and why it ends
     * there.
     */
    record Cut(String options, int from, int to, String why) {
        String key() {
            return TARGET.substring(from, to);
        }
    }

    private UriCutPicture() {}

    public static void main(String[] args) throws Exception {
        Pictures.write(args, "04-uri-hash", "uri-cut.svg", svg());
        for (Cut cut : cuts()) {
            System.out.printf(
                    Locale.ROOT, "%-30s %-32s %s%n", line(cut.options()), cut.key(), cut.why());
        }
    }

    static String line(String options) {
        return ("balance uri " + options).trim();
    }

    /** Every row's key, cut by the balancer's own code from the parsed {@code balance} line. */
    static List<Cut> cuts() throws ConfigException {
        byte[] target = TARGET.getBytes(StandardCharsets.US_ASCII);
        List<Cut> cuts = new ArrayList<>();
        for (String options : OPTIONS) {
            Balance balance =
                    ConfigParser.parse(
                                    "backend servers\n    " + line(options) + "\n",
                                    "uri cut picture")
                            .backend("servers")
                            .orElseThrow()
                            .balance();
            long range = RequestKeys.uriRange(target, target.length, balance);
            int from = HashKeys.rangeFrom(range);
            int to = HashKeys.rangeTo(range);
            cuts.add(new Cut(options, from, to, why(balance, from, to)));
        }
        return cuts;
    }

    private static String why(Balance balance, int from, int to) {
        String start = from > 0 ? "from the path; " : "";
        if (balance.uriLen() > 0 && to == from + balance.uriLen()) {
            return start + "len " + balance.uriLen() + ": the first " + balance.uriLen() + " bytes";
        }
        if (to == TARGET.length()) {
            return start + "to the end (whole keeps the query)";
        }
        char stop = TARGET.charAt(to);
        if (stop == '/') {
            return start
                    + "stops before the "
                    + ordinal(balance.uriDepth() + 1)
                    + " '/' (depth "
                    + balance.uriDepth()
                    + ")";
        }
        return start + "stops before the '?'";
    }

    private static String ordinal(int n) {
        return n
                + switch (n) {
                    case 1 -> "st";
                    case 2 -> "nd";
                    case 3 -> "rd";
                    default -> "th";
                };
    }

    static String svg() throws ConfigException {
        List<Cut> cuts = cuts();
        int width = LEFT + TARGET.length() * CELL + 340;
        int height = TOP + cuts.size() * ROW + 20;
        StringBuilder svg = new StringBuilder();
        svg.append(Pictures.open(width, height));
        svg.append(
                "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">balance uri: which bytes of one "
                        + "request-target are hashed</text>\n");
        svg.append(
                "<text x=\"10\" y=\"40\" fill=\"#555\">GET "
                        + TARGET
                        + " (absolute form, as sent to a forward "
                        + "proxy). Dark cells: the key that is hashed. In order: path-only, then len, then the scan that</text>\n");
        svg.append(
                "<text x=\"10\" y=\"56\" fill=\"#555\">stops before the (depth+1)-th '/' and, without whole, before "
                        + "the '?'. Red numbers (depth rows): the slashes the scan counts, from the start of the key.</text>\n");
        for (int r = 0; r < cuts.size(); r++) {
            Cut cut = cuts.get(r);
            int y = TOP + r * ROW;
            if (r % 2 == 1) {
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>\n",
                                y,
                                width,
                                ROW));
            }
            int mid = y + ROW / 2 + 6;
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"10\" y=\"%d\" font-family=\"monospace\" font-size=\"13\">%s</text>\n",
                            mid + 4,
                            line(cut.options())));
            boolean depth = cut.options().contains("depth");
            int counted = cut.options().contains("whole") ? TARGET.length() : TARGET.indexOf('?');
            int slash = 0;
            for (int i = 0; i < TARGET.length(); i++) {
                char c = TARGET.charAt(i);
                boolean hashed = i >= cut.from() && i < cut.to();
                int cx = LEFT + i * CELL;
                svg.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"/>"
                                        + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-family=\"monospace\" font-size=\"13\" "
                                        + "fill=\"%s\">%s</text>\n",
                                cx,
                                mid - 10,
                                CELL - 1,
                                hashed ? "#4e79a7" : "#eeeeee",
                                cx + CELL / 2,
                                mid + 4,
                                hashed ? "white" : "#999",
                                escape(c)));
                if (depth && c == '/' && i >= cut.from() && i < counted) {
                    slash++;
                    svg.append(
                            String.format(
                                    Locale.ROOT,
                                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\" "
                                            + "fill=\"#c00\">%d</text>\n",
                                    cx + CELL / 2,
                                    mid - 12,
                                    slash));
                }
            }
            svg.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\">%s</text>\n",
                            LEFT + TARGET.length() * CELL + 14,
                            mid + 4,
                            cut.why()));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String escape(char c) {
        return switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            default -> String.valueOf(c);
        };
    }
}
