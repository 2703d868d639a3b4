package dev.lbkit.balancer.config;

import java.util.List;

/**
 * A proxy's statistics page ({@code stats enable}, {@code stats uri} and the rest): any of these
 * lines turns it on, as in HAProxy.
 *
 * @param uri the prefix of the request target that gets the page ({@code /haproxy?stats} by
 *     default)
 * @param refreshSeconds {@code stats refresh}: the page's Refresh header, 0 for none
 * @param admin {@code stats admin if|unless <cond>}: who may use the admin actions; null for nobody
 * @param realm {@code stats realm}, the Basic authentication realm
 * @param users {@code stats auth user:password}, in file order; empty means no authentication
 * @param where the first {@code stats} line
 * @param adminWhere the {@code stats admin} line, or null
 */
public record StatsPage(
        String uri,
        int refreshSeconds,
        Condition admin,
        String realm,
        List<String> users,
        Where where,
        Where adminWhere) {

    /** HAProxy's page address when {@code stats uri} is not given. */
    public static final String DEFAULT_URI = "/haproxy?stats";

    /** The realm HAProxy announces when {@code stats auth} is given without {@code stats realm}. */
    public static final String DEFAULT_REALM = "HAProxy Statistics";

    public StatsPage {
        users = List.copyOf(users);
    }

    /** Whether this request may use the admin actions ({@code stats admin}'s condition holds). */
    public boolean adminAllowed(AclTest.Facts facts) {
        return admin != null && admin.holds(facts);
    }
}
