package dev.lbkit.harness;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header a client sends first on a connection to a {@code bind ... accept-proxy}
 * listener, so that the balancer takes {@code source} as the client's address. With it the harness
 * can play any IPv4 or IPv6 client from 127.0.0.1, where binding the socket itself to 127.x.y.z
 * only reaches IPv4 loopback addresses (and needs aliases on some systems).
 *
 * <p>Version 1 is one text line, {@code PROXY TCP4 <src> <dst> <sport> <dport>\r\n} (TCP6 for
 * IPv6). Version 2 is binary: a fixed 12-byte signature, a version-and-command byte (0x21: version
 * 2, PROXY), a family-and-protocol byte (0x11 TCP over IPv4, 0x21 TCP over IPv6), the length of
 * what follows as two bytes, then the source and destination addresses and the two ports.
 *
 * @param version 1 or 2
 * @param source the client address and port the balancer should see
 * @param destination the address and port the client meant to reach; same family as {@code source}
 */
public record ProxyHeader(int version, InetSocketAddress source, InetSocketAddress destination) {
    private static final byte[] V2_SIGNATURE = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
    };

    public ProxyHeader {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("PROXY protocol version is 1 or 2, not " + version);
        }
        if ((source.getAddress() instanceof Inet4Address)
                != (destination.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException(
                    "source "
                            + source
                            + " and destination "
                            + destination
                            + " must be of one address family");
        }
    }

    /**
     * A header for {@code client} (port {@code clientPort}) reaching 127.0.0.1:80, or [::1]:80 for
     * an IPv6 client.
     */
    public static ProxyHeader of(int version, InetAddress client, int clientPort) {
        InetAddress to = InetAddress.getLoopbackAddress();
        if (!(client instanceof Inet4Address)) {
            byte[] ipv6Loopback = new byte[16];
            ipv6Loopback[15] = 1;
            try {
                to = InetAddress.getByAddress(ipv6Loopback);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("16 bytes are always an IPv6 address", e);
            }
        }
        return new ProxyHeader(
                version, new InetSocketAddress(client, clientPort), new InetSocketAddress(to, 80));
    }

    public byte[] bytes() {
        boolean v4 = source.getAddress() instanceof Inet4Address;
        if (version == 1) {
            String line =
                    "PROXY "
                            + (v4 ? "TCP4 " : "TCP6 ")
                            + source.getAddress().getHostAddress()
                            + " "
                            + destination.getAddress().getHostAddress()
                            + " "
                            + source.getPort()
                            + " "
                            + destination.getPort()
                            + "\r\n";
            return line.getBytes(StandardCharsets.US_ASCII);
        }
        byte[] from = source.getAddress().getAddress();
        byte[] to = destination.getAddress().getAddress();
        int length = from.length + to.length + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + length);
        out.writeBytes(V2_SIGNATURE);
        out.write(0x21);
        out.write(v4 ? 0x11 : 0x21);
        out.write(length >>> 8);
        out.write(length & 0xFF);
        out.writeBytes(from);
        out.writeBytes(to);
        out.write(source.getPort() >>> 8);
        out.write(source.getPort() & 0xFF);
        out.write(destination.getPort() >>> 8);
        out.write(destination.getPort() & 0xFF);
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "PROXY v"
                + version
                + " from "
                + source.getAddress().getHostAddress()
                + " port "
                + source.getPort();
    }
}
