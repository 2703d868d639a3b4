package dev.lbkit.balancer.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Splits HAProxy addresses ({@code host:port}, {@code [v6]:port}, {@code ipv4@host:port}, {@code
 * *:port}, {@code :port}, a unix path) into host and port text.
 *
 * @param host the host, "" for every address, or null for a unix socket
 * @param portText the text after the last colon, or null when there is none
 * @param path the unix socket path, or null
 * @param family "ipv4", "ipv6" or null when the address names no family
 */
public record Address(String host, String portText, String path, String family) {

    private static final Pattern DOTTED_NUMBERS = Pattern.compile("[0-9.]+");

    /** Why an address cannot be split; {@code invalidPrefix} holds the part before '@'. */
    static final class BadPrefixException extends Exception {
        BadPrefixException(String hostPart) {
            super(hostPart);
        }
    }

    static Address split(String raw) throws BadPrefixException {
        String rest = raw;
        String family = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String prefix = rest.substring(0, at);
            rest = rest.substring(at + 1);
            switch (prefix) {
                case "ipv4", "tcp4" -> family = "ipv4";
                case "ipv6", "tcp6" -> family = "ipv6";
                case "tcp" -> family = null;
                case "unix", "abns" -> {
                    return new Address(null, null, rest, null);
                }
                default -> {
                    int colon = raw.lastIndexOf(':');
                    throw new BadPrefixException(colon > at ? raw.substring(0, colon) : raw);
                }
            }
        } else if (rest.startsWith("/")) {
            return new Address(null, null, rest, null);
        }
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close > 0) {
                String host = rest.substring(1, close);
                String after = rest.substring(close + 1);
                String port = after.startsWith(":") ? after.substring(1) : null;
                return new Address(host, port, null, "ipv6");
            }
        }
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            return new Address(normalizeAny(rest), null, null, family);
        }
        return new Address(
                normalizeAny(rest.substring(0, colon)), rest.substring(colon + 1), null, family);
    }

    private static String normalizeAny(String host) {
        return host.equals("*") ? "" : host;
    }

    /**
     * Resolves {@code host} as HAProxy's libc would: IP literals directly, names through the system
     * resolver. Returns null when it cannot be resolved. Dotted numbers that are not a valid IPv4
     * address never reach DNS.
     */
    static InetAddress resolve(String host, String family) {
        if (host.isEmpty()) {
            return null;
        }
        try {
            if (DOTTED_NUMBERS.matcher(host).matches()) {
                return parseIpv4(host);
            }
            InetAddress[] all = InetAddress.getAllByName(host);
            if (family != null
                    && family.equals("ipv6")
                    && host.contains(":")
                    && all.length == 1
                    && all[0] instanceof Inet4Address) {
                return all[
                        0]; // a v4-mapped literal such as [::ffff:127.0.0.1]: IPv6 to HAProxy, IPv4
                // to Java
            }
            for (InetAddress address : all) {
                if (family == null
                        || (family.equals("ipv4") && address instanceof Inet4Address)
                        || (family.equals("ipv6") && address instanceof Inet6Address)) {
                    return address;
                }
            }
            return null;
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private static InetAddress parseIpv4(String host) throws UnknownHostException {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3) {
                return null;
            }
            int value = Integer.parseInt(parts[i]);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return InetAddress.getByAddress(bytes);
    }

    /**
     * {@code ipv4} as the IPv6 address ::ffff:a.b.c.d, which is how HAProxy sees an IPv4 client on
     * an IPv6 listener (Java would fold it back into IPv4 if asked through {@code InetAddress}).
     */
    public static java.net.Inet6Address v4Mapped(InetAddress ipv4) {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(ipv4.getAddress(), 0, mapped, 12, 4);
        try {
            return java.net.Inet6Address.getByAddress(null, mapped, -1);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }
}
