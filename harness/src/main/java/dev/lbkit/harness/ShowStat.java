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

    /**
     * Column {@code name} of each server row of {@code backend}, as integers (empty fields read as
     * 0).
     */
    public static Map<String, Integer> column(String csv, String backend, String name) {
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new IllegalArgumentException(
                    "not a 'show stat' answer (no '# pxname,...' header): "
                            + (lines.isEmpty() ? "(empty)" : lines.get(0)));
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        int at = header.indexOf(name);
        if (at < 0) {
            throw new IllegalArgumentException("'show stat' has no column " + name);
        }
        Map<String, Integer> values = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > at
                    && fields[0].equals(backend)
                    && !fields[1].equals("FRONTEND")
                    && !fields[1].equals("BACKEND")) {
                values.put(fields[1], fields[at].isEmpty() ? 0 : Integer.parseInt(fields[at]));
            }
        }
        return values;
    }
}
