package dev.lbkit.balancer.config;

import java.util.List;
import java.util.Map;

/**
 * A backend's {@code cookie} line: the cookie that ties a client to a server, and what the proxy
 * does with it. A request whose cookie names a server (by that server's {@code cookie} value) goes
 * to that server without asking the algorithm, as long as the server may take it; {@link #NONE}
 * when the backend has no {@code cookie} line.
 *
 * @param name the cookie's name, compared case-sensitively
 * @param mode what the proxy does to the cookie on the way in and out
 * @param indirect {@code indirect}: in insert mode the cookie is taken out of the request before
 *     the server sees it
 * @param postonly {@code postonly}: insert only into answers to POST requests
 * @param preserve {@code preserve}: in insert mode a server that sets the cookie itself keeps it
 * @param httpOnly {@code httponly}: the inserted cookie says {@code HttpOnly}
 * @param secure {@code secure}: the inserted cookie says {@code Secure}
 * @param domains each {@code domain}, in order
 * @param attrs each {@code attr}, in order
 * @param persist {@code option persist}: a request whose cookie names a server that is DOWN (or in
 *     maintenance) still goes there
 * @param serverCookies each server's {@code cookie} value, by server name; servers without one are
 *     absent (kept without a {@code cookie} line too: {@code show stat} shows them)
 * @param logsFlags whether the access log's {@code %tsc} shows the cookie's two flags: with a mode
 *     word or an option that is a flag ({@code indirect}, {@code nocache}, {@code postonly}, {@code
 *     preserve}, {@code httponly}, {@code secure}); a bare {@code cookie NAME} logs {@code --}
 */
public record CookiePersistence(
        String name,
        Mode mode,
        boolean indirect,
        boolean postonly,
        boolean preserve,
        boolean httpOnly,
        boolean secure,
        List<String> domains,
        List<String> attrs,
        boolean persist,
        Map<String, String> serverCookies,
        boolean logsFlags) {

    /** No {@code cookie} line and no server values: no persistence. */
    public static final CookiePersistence NONE =
            new CookiePersistence(
                    null,
                    Mode.PASSIVE,
                    false,
                    false,
                    false,
                    false,
                    false,
                    List.of(),
                    List.of(),
                    false,
                    Map.of(),
                    false);

    /** What the proxy does with the cookie besides reading it. */
    public enum Mode {
        /** No mode word: the proxy only reads the cookie the server set. */
        PASSIVE,
        /** {@code insert}: the proxy adds the cookie to the answer when the client lacks it. */
        INSERT,
        /** {@code rewrite}: the proxy puts the server's value into the cookie the server sets. */
        REWRITE,
        /**
         * {@code prefix}: the proxy puts the server's value and a {@code ~} in front of the value
         * the server sets, and takes it off again on the way in.
         */
        PREFIX
    }

    public CookiePersistence {
        domains = List.copyOf(domains);
        attrs = List.copyOf(attrs);
        serverCookies = Map.copyOf(serverCookies);
    }

    /** Whether the backend has a {@code cookie} line. */
    public boolean enabled() {
        return name != null;
    }

    /** The same settings with each server's value. */
    CookiePersistence withServers(Map<String, String> cookies, boolean persistOption) {
        return new CookiePersistence(
                name,
                mode,
                indirect,
                postonly,
                preserve,
                httpOnly,
                secure,
                domains,
                attrs,
                persistOption,
                cookies,
                logsFlags);
    }
}
