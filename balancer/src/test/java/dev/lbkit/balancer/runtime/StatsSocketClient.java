package dev.lbkit.balancer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Lbkit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Talks to lbkit's first {@code stats socket} (a TCP one) as {@code socat} would: one connection
 * per command line, read until lbkit closes it.
 */
public final class StatsSocketClient {
    private static final List<String> COLUMNS = List.of(StatCsv.HEADER.substring(2).split(",", -1));

    private final InetSocketAddress address;
    private final int readTimeoutMs;

    public StatsSocketClient(Lbkit lbkit, Duration readTimeout) {
        this.address = (InetSocketAddress) lbkit.runtimeApis().get(0).address();
        this.readTimeoutMs = (int) readTimeout.toMillis();
    }

    /** Sends one command line and returns lbkit's whole answer. */
    public String ask(String command) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(readTimeoutMs);
            socket.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code show stat}, checked as HAProxy's CSV (see {@link #parseStat}). */
    public Map<String, Map<String, String>> showStat() throws IOException {
        return parseStat(ask("show stat"));
    }

    /**
     * Checks a {@code show stat} answer the way a CSV consumer relies on it: HAProxy 2.6's header
     * first, every row as wide as the header, the empty line at the end. Returns each row's cells
     * by column name, the rows by {@code pxname/svname} ({@code web/FRONTEND}, {@code web/s1},
     * {@code web/BACKEND}) in answer order.
     */
    public static Map<String, Map<String, String>> parseStat(String answer) {
        assertThat(answer)
                .as("show stat starts with HAProxy 2.6's header line")
                .startsWith(StatCsv.HEADER + "\n");
        assertThat(answer).as("show stat ends with the empty line HAProxy sends").endsWith("\n\n");
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : answer.lines().skip(1).filter(l -> !l.isEmpty()).toList()) {
            String[] cells = line.split(",", -1);
            assertThat(cells)
                    .as("every show stat row has the header's %d columns: %s", COLUMNS.size(), line)
                    .hasSize(COLUMNS.size());
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < cells.length; i++) {
                row.putIfAbsent(COLUMNS.get(i), cells[i]);
            }
            rows.put(row.get("pxname") + "/" + row.get("svname"), row);
        }
        return rows;
    }
}
