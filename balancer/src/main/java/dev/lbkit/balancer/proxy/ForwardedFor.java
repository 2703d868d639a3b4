package dev.lbkit.balancer.proxy;

import dev.lbkit.balancer.config.ForwardFor;
import java.net.InetAddress;
import org.eclipse.jetty.http.HttpFields;

/**
 * The {@code option forwardfor} rule a request meets: the frontend's line and the backend's
 * together, as measured on HAProxy 2.6 (ForwardForParityTest):
 *
 * <ul>
 *   <li>the header is added when either section has the option;
 *   <li>its name is the backend's when the backend has the option, the frontend's otherwise;
 *   <li>a client inside either section's {@code except} network gets none;
 *   <li>{@code if-none} holds only when every section with the option says it: one without it adds
 *       the header even when the request already has one.
 * </ul>
 *
 * The value is the client address as the balancer sees it (v4-mapped on an IPv6 listener, the PROXY
 * header's with {@code accept-proxy}), written as {@code inet_ntop} writes it.
 */
final class ForwardedFor {
    private final String header;
    private final ForwardFor.Network frontendExcept;
    private final ForwardFor.Network backendExcept;
    private final boolean always;

    private ForwardedFor(ForwardFor frontend, ForwardFor backend) {
        this.header = backend != null ? backend.header() : frontend.header();
        this.frontendExcept = frontend == null ? null : frontend.except();
        this.backendExcept = backend == null ? null : backend.except();
        this.always =
                (frontend != null && !frontend.ifNone()) || (backend != null && !backend.ifNone());
    }

    /**
     * The rule for a frontend's and a backend's lines (either may be null); null when neither has
     * one.
     */
    static ForwardedFor of(ForwardFor frontend, ForwardFor backend) {
        return frontend == null && backend == null ? null : new ForwardedFor(frontend, backend);
    }

    String header() {
        return header;
    }

    /**
     * The value to add for {@code client} to a request with {@code fields}, or null to add none.
     */
    String valueFor(InetAddress client, HttpFields fields) {
        if ((frontendExcept != null && frontendExcept.contains(client))
                || (backendExcept != null && backendExcept.contains(client))) {
            return null;
        }
        if (!always && fields.contains(header)) {
            return null;
        }
        return text(client);
    }

    /**
     * An address as C's {@code inet_ntop} writes it: IPv4 dotted; IPv6 in lower-case hex groups
     * with the longest run of two or more zero groups (the first such run on a tie) written {@code
     * ::}, and the last 32 bits dotted for {@code ::ffff:a.b.c.d} and {@code ::a.b.c.d}.
     */
    static String text(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return address.getHostAddress();
        }
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestBase = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder out = new StringBuilder(40);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    out.append(':');
                }
                continue;
            }
            if (i != 0) {
                out.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff))) {
                out.append(b[12] & 0xff)
                        .append('.')
                        .append(b[13] & 0xff)
                        .append('.')
                        .append(b[14] & 0xff)
                        .append('.')
                        .append(b[15] & 0xff);
                return out.toString();
            }
            out.append(Integer.toHexString(words[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            out.append(':');
        }
        return out.toString();
    }
}
