package dev.lbkit.all.live;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server rows of one backend in a {@code show stat} answer, each as column name to value
 * (text).
 */
final class StatRows {
    private StatRows() {}

    static List<Map<String, String>> servers(String csv, String backend) {
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new IllegalArgumentException(
                    "not a 'show stat' answer: " + (lines.isEmpty() ? "(empty)" : lines.get(0)));
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length < 2
                    || !fields[0].equals(backend)
                    || fields[1].equals("FRONTEND")
                    || fields[1].equals("BACKEND")) {
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < Math.min(header.size(), fields.length); i++) {
                row.put(header.get(i), fields[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    /** A counter column's value; empty reads as 0. */
    static long number(String value) {
        return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
    }
}
