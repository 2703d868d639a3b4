package dev.lbkit.balancer.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An {@code option forwardfor} line: the balancer adds a header naming the client's address to the
 * request the server gets.
 *
 * @param header the header's name; {@code X-Forwarded-For} unless {@code header <name>} says
 *     otherwise
 * @param except with {@code except <address>[/mask]}: clients in this network get no header; null
 *     when absent
 * @param ifNone with {@code if-none}: the header is added only when the request has none of that
 *     name
 */
public record ForwardFor(String header, Network except, boolean ifNone) {
    public static final String DEFAULT_HEADER = "X-Forwarded-For";

    /** {@code option forwardfor} with no argument. */
    public static ForwardFor plain() {
        return new ForwardFor(DEFAULT_HEADER, null, false);
    }

    /**
     * An address with a mask, IPv4 or IPv6. An IPv4 network holds only IPv4 clients and an IPv6
     * network only IPv6 ones: a v4-mapped client (::ffff:a.b.c.d, an IPv4 client on an IPv6
     * listener) is matched by IPv6 networks such as {@code ::ffff:127.0.0.0/104}, never by {@code
     * 127.0.0.0/8}.
     */
    public record Network(byte[] address, int prefix) {
        public boolean contains(InetAddress client) {
            byte[] bytes = client.getAddress();
            if (bytes.length != address.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((bytes[bit / 8] & mask) != (address[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Reads {@code a.b.c.d}, {@code a.b.c.d/n}, {@code a.b.c.d/w.x.y.z} (a dotted mask), an
         * IPv6 address or an IPv6 address with {@code /n}; null when the text is none of these.
         */
        public static Network parse(String text) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            InetAddress address = literal(host);
            if (address == null) {
                return null;
            }
            int bits = address instanceof Inet4Address ? 32 : 128;
            if (slash < 0) {
                return new Network(address.getAddress(), bits);
            }
            String mask = text.substring(slash + 1);
            if (mask.matches("[0-9]{1,3}")) {
                int prefix = Integer.parseInt(mask);
                return prefix <= bits ? new Network(address.getAddress(), prefix) : null;
            }
            InetAddress dotted = bits == 32 ? literal(mask) : null;
            if (!(dotted instanceof Inet4Address)) {
                return null;
            }
            int value = java.nio.ByteBuffer.wrap(dotted.getAddress()).getInt();
            int prefix = Integer.bitCount(value);
            if (value != (prefix == 0 ? 0 : -1 << (32 - prefix))) {
                return null;
            }
            return new Network(address.getAddress(), prefix);
        }

        /** A numeric IPv4 or IPv6 address (never a name to look up), or null. */
        private static InetAddress literal(String text) {
            boolean ipv4 = text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
            boolean ipv6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
            if (!ipv4 && !ipv6) {
                return null;
            }
            if (ipv4) {
                for (String octet : text.split("\\.")) {
                    if (Integer.parseInt(octet) > 255) {
                        return null;
                    }
                }
            }
            try {
                InetAddress address = InetAddress.getByName(text);
                if (ipv6 && address instanceof Inet4Address) {
                    // Java folds ::ffff:a.b.c.d into IPv4; HAProxy keeps it an IPv6 network.
                    return Address.v4Mapped(address);
                }
                return address;
            } catch (UnknownHostException e) {
                return null;
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Network n
                    && java.util.Arrays.equals(address, n.address)
                    && prefix == n.prefix;
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(address) * 31 + prefix;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(address).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                return "?/" + prefix;
            }
        }
    }
}
