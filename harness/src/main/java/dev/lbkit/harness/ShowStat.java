package dev.lbkit.harness;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the answer of the runtime API's {@code show stat} (CSV, first line {@code #
 * pxname,svname,...}): a column of the server rows of one backend, by server name, in declaration
 * order.
 */
public final class ShowStat {
    private ShowStat() {}

    /**
     * The servers' current sessions ({@code scur}): requests in flight on each server of {@code
     * backend}.
     */
    public static Map<String, Integer> inFlight(String csv, String backend) {
        return column(csv, backend, "scur");
    }

    /** The columns {@link #states} keeps: none of them depends on timing. */
    public static final List<String> STATE_COLUMNS =
            List.of("status", "weight", "act", "bck", "lbtot", "chkdown");

    /**
     * The state of every server and backend row, one line each ({@code be/s1 status=UP weight=1
     * ...}, {@link #STATE_COLUMNS}), leaving out frontends and the columns that follow the clock
     * ({@code lastchg}, {@code downtime}, rates): what two sides that served the same requests and
     * took the same commands must show alike.
     */
    public static String states(String csv) {
        List<String> lines = csv.lines().toList();
        List<String> header = header(lines);
        StringBuilder out = new StringBuilder();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length < 2 || fields[1].equals("FRONTEND")) {
                continue;
            }
            out.append(fields[0]).append('/').append(fields[1]);
            for (String column : STATE_COLUMNS) {
                int at = header.indexOf(column);
                out.append(' ')
                        .append(column)
                        .append('=')
                        .append(at < fields.length ? fields[at] : "");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static List<String> header(List<String> lines) {
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new IllegalArgumentException(
                    "not a 'show stat' answer (no '# pxname,...' header): "
                            + (lines.isEmpty() ? "(empty)" : lines.get(0)));
        }
        return Arrays.asList(lines.get(0).substring(2).split(",", -1));
    }

    /**
     * Column {@code name} of each server row of {@code backend} as written, by server name in
     * declaration order.
     */
    public static Map<String, String> text(String csv, String backend, String name) {
        Map<String, String> values = new LinkedHashMap<>();
        column(csv, backend, name, values::put);
        return values;
    }

    /**
     * Column {@code name} of each server row of {@code backend}, as integers (empty fields read as
     * 0).
     */
    public static Map<String, Integer> column(String csv, String backend, String name) {
        Map<String, Integer> values = new LinkedHashMap<>();
        column(
                csv,
                backend,
                name,
                (server, value) ->
                        values.put(server, value.isEmpty() ? 0 : Integer.parseInt(value)));
        return values;
    }

    private static void column(
            String csv,
            String backend,
            String name,
            java.util.function.BiConsumer<String, String> each) {
        List<String> lines = csv.lines().toList();
        List<String> header = header(lines);
        int at = header.indexOf(name);
        if (at < 0) {
            throw new IllegalArgumentException("'show stat' has no column " + name);
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > at
                    && fields[0].equals(backend)
                    && !fields[1].equals("FRONTEND")
                    && !fields[1].equals("BACKEND")) {
                each.accept(fields[1], fields[at]);
            }
        }
    }
}
