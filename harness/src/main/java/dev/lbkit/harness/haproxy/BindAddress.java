package dev.lbkit.harness.haproxy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TCP address a {@code bind} line of a configuration listens on.
 *
 * <p>Used to know when HAProxy is ready (every address accepts a connection) and whether it needs
 * root (a port below 1024). Addresses that are not TCP ports ({@code unix@}, {@code abns@}, {@code
 * fd@}, paths, {@code ${VARIABLES}}) are skipped: nothing to probe.
 *
 * @param host as written: {@code 127.0.0.1}, {@code *}, empty for {@code :80}
 * @param port the TCP port
 */
public record BindAddress(String host, int port) {

    private static final Pattern HOST_PORT =
            Pattern.compile("^(?:ipv4@|ipv6@|tcp@|tcp4@|tcp6@)?(.*):(\\d+)(?:-(\\d+))?$");
    private static final int FIRST_UNPRIVILEGED_PORT = 1024;

    /** All TCP addresses of all {@code bind} lines in the configuration text, in order. */
    public static List<BindAddress> allIn(String configText) {
        List<BindAddress> addresses = new ArrayList<>();
        for (String line : configText.split("\\R")) {
            String[] words = withoutComment(line).trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("bind")) {
                for (String address : words[1].split(",")) {
                    addTcp(address, addresses);
                }
            }
        }
        return List.copyOf(addresses);
    }

    /** Binding a port below 1024 needs root (or a capability) on Linux. */
    public boolean privileged() {
        return port < FIRST_UNPRIVILEGED_PORT;
    }

    /** Where a client on this machine connects: a wildcard host is reached through 127.0.0.1. */
    public InetSocketAddress probeAddress() {
        boolean wildcard =
                host.isEmpty() || host.equals("*") || host.equals("0.0.0.0") || host.equals("::");
        String target = wildcard ? "127.0.0.1" : host.replace("[", "").replace("]", "");
        return new InetSocketAddress(target, port);
    }

    private static void addTcp(String address, List<BindAddress> addresses) {
        Matcher matcher = HOST_PORT.matcher(address.replace("\"", ""));
        if (!matcher.matches()
                || matcher.group(1).contains("@")
                || matcher.group(1).startsWith("/")) {
            return;
        }
        int first = Integer.parseInt(matcher.group(2));
        int last = matcher.group(3) == null ? first : Integer.parseInt(matcher.group(3));
        for (int port = first; port <= last; port++) {
            addresses.add(new BindAddress(matcher.group(1), port));
        }
    }

    private static String withoutComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }
}
