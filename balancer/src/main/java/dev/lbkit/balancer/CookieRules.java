package dev.lbkit.balancer;

import dev.lbkit.balancer.config.CookiePersistence;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How a persistence cookie ({@code cookie} in a backend) is read from a request, taken out of or
 * trimmed in the server's copy, and set in the answer. The rules, measured against HAProxy 2.6.12
 * with {@code haproxy -c} and real requests:
 *
 * <ul>
 *   <li>Every {@code Cookie} line is read, in order; in each, a cookie ends at {@code ;} or {@code
 *       ,}. Spaces around the name and the value do not count; the name is compared
 *       case-sensitively; a cookie without {@code =} is not one; quotes are part of the value.
 *   <li>The first cookie of that name whose value (in {@code prefix} mode, the part before the
 *       first {@code ~}) is the {@code cookie} of a server that may take the request names that
 *       server; cookies of that name with other values, or naming a server in maintenance, are
 *       passed over ({@code J=s1; J=s2} with s1 in maintenance goes to s2). Two servers with the
 *       same value: the first declared wins.
 *   <li>With a {@code cookie} line, the spaces around each cookie's {@code =} leave the server's
 *       copy ({@code a = 1} becomes {@code a=1}), whatever the mode.
 *   <li>{@code insert indirect}: every cookie of that name leaves the server's copy: two cookies
 *       that had one taken out between them are joined by {@code "; "} ({@code a=1,SRV=a ;b=2}
 *       becomes {@code a=1; b=2}), one taken out first or last leaves the rest as it was, a line
 *       left empty goes. {@code prefix}: the part up to the first {@code ~}, and the spaces before
 *       it, leave each value of that name, whichever server it names.
 *   <li>{@code insert}: an answer to a request that held no cookie naming the server that answered
 *       gets {@code Set-Cookie: NAME=value; path=/}, then each {@code domain=}, {@code HttpOnly},
 *       {@code Secure} and each {@code attr}; from a server without a {@code cookie} value, a
 *       cookie that expires it instead. The server's own cookie of that name is dropped, unless
 *       {@code preserve}, where it stays and nothing is inserted. With {@code postonly} only
 *       answers to POST get one.
 *   <li>{@code rewrite}: a cookie of that name set by the server gets the server's value; {@code
 *       prefix}: the server's value and {@code ~} go in front of its value.
 * </ul>
 */
public final class CookieRules {
    /** What HAProxy sets to make a client forget the cookie. */
    private static final String EXPIRED = "; Expires=Thu, 01-Jan-1970 00:00:01 GMT";

    private CookieRules() {}

    /**
     * The first server a cookie of the request names that may take it ({@code takes}), or null.
     * {@code byValue} maps each server's {@code cookie} value to the first server declared with it.
     */
    public static <S> S named(
            CookiePersistence cookie,
            List<String> cookieLines,
            Map<String, S> byValue,
            Predicate<S> takes) {
        if (!cookie.enabled() || byValue.isEmpty()) {
            return null;
        }
        return scan(
                cookie,
                cookieLines,
                value -> {
                    S server = byValue.get(value);
                    return server != null && takes.test(server) ? server : null;
                });
    }

    /**
     * What the request's cookie said, as the access log's {@code %tsc} shows it: V when a cookie
     * names a server that is up (draining included), else D when one names a server that is down or
     * in maintenance (even if {@code option persist} sends the request there), else I when a cookie
     * of that name names no server, else N. Measured on 2.6.12 ({@code zz; s1} with s1 in
     * maintenance is D, {@code SRV=} is I, {@code SRV} without {@code =} is N).
     */
    public static <S> char clientFlag(
            CookiePersistence cookie,
            List<String> cookieLines,
            Map<String, S> byValue,
            Predicate<S> up) {
        char[] flag = {'N'};
        Character valid =
                scan(
                        cookie,
                        cookieLines,
                        value -> {
                            S server = byValue.get(value);
                            if (server != null && up.test(server)) {
                                return 'V';
                            }
                            if (server != null) {
                                flag[0] = 'D';
                            } else if (flag[0] == 'N') {
                                flag[0] = 'I';
                            }
                            return null;
                        });
        return valid != null ? valid : flag[0];
    }

    /** Whether a cookie of the request has {@code value}: the client holds that server's cookie. */
    public static boolean holds(CookiePersistence cookie, List<String> cookieLines, String value) {
        return value != null
                && scan(cookie, cookieLines, v -> value.equals(v) ? Boolean.TRUE : null) != null;
    }

    /**
     * Gives {@code visit} the value of each cookie of the persistence name, line by line and in
     * order, until it returns something, which is returned (null when it never does).
     */
    private static <R> R scan(
            CookiePersistence cookie, List<String> cookieLines, Function<String, R> visit) {
        for (String line : cookieLines) {
            int n = line.length();
            int start = 0;
            while (start <= n) {
                int end = start;
                while (end < n && line.charAt(end) != ';' && line.charAt(end) != ',') {
                    end++;
                }
                String value = valueOf(cookie, line, start, end);
                if (value != null) {
                    R result = visit.apply(value);
                    if (result != null) {
                        return result;
                    }
                }
                start = end + 1;
            }
        }
        return null;
    }

    /** The value of the cookie in {@code line[start, end)} if it has the persistence name. */
    private static String valueOf(CookiePersistence cookie, String line, int start, int end) {
        int eq = line.indexOf('=', start);
        if (eq < 0 || eq >= end) {
            return null;
        }
        if (!line.substring(start, eq).strip().equals(cookie.name())) {
            return null;
        }
        String value = line.substring(eq + 1, end).strip();
        if (cookie.mode() == CookiePersistence.Mode.PREFIX) {
            int tilde = value.indexOf('~');
            if (tilde >= 0) {
                value = value.substring(0, tilde);
            }
        }
        return value;
    }

    /**
     * Whether the server's copy of the request has its {@code Cookie} lines rewritten: with any
     * {@code cookie} line, since the spaces around each cookie's {@code =} go then (measured on
     * 2.6.12: {@code a = 1; b= 2 ;c =3} reaches the server as {@code a=1; b=2 ;c=3}, in every mode,
     * and unchanged without a {@code cookie} line).
     */
    public static boolean editsRequest(CookiePersistence cookie) {
        return cookie.enabled();
    }

    /**
     * The server's copy of one {@code Cookie} line ({@link #editsRequest} being true): null when
     * nothing is left of it.
     */
    public static String forwarded(CookiePersistence cookie, String line) {
        boolean removes = cookie.mode() == CookiePersistence.Mode.INSERT && cookie.indirect();
        boolean prefix = cookie.mode() == CookiePersistence.Mode.PREFIX;
        StringBuilder out = new StringBuilder(line.length());
        int n = line.length();
        int start = 0;
        char before = 0;
        boolean removedSinceKept = false;
        while (start <= n) {
            int end = start;
            while (end < n && line.charAt(end) != ';' && line.charAt(end) != ',') {
                end++;
            }
            String piece = line.substring(start, end);
            int eq = piece.indexOf('=');
            boolean ours = false;
            if (eq >= 0) {
                int nameEnd = eq;
                while (nameEnd > 0 && isSpace(piece.charAt(nameEnd - 1))) {
                    nameEnd--;
                }
                int valueStart = eq + 1;
                while (valueStart < piece.length() && isSpace(piece.charAt(valueStart))) {
                    valueStart++;
                }
                ours = piece.substring(0, nameEnd).strip().equals(cookie.name());
                String value = piece.substring(valueStart);
                if (ours && prefix) {
                    int tilde = value.indexOf('~');
                    if (tilde >= 0) {
                        value = value.substring(tilde + 1);
                    }
                }
                piece = piece.substring(0, nameEnd) + "=" + value;
            }
            if (ours && removes) {
                removedSinceKept = true;
            } else if (out.isEmpty()) {
                // Measured: a cookie taken out first leaves the rest as it was
                // ("SRV=a,srv=b ; x=1" reaches the server as "srv=b ; x=1").
                out.append(piece.stripLeading());
                removedSinceKept = false;
            } else if (removedSinceKept) {
                // One taken out between two others: "; " joins them ("a=1,J=s2 ;b=2" becomes
                // "a=1; b=2").
                trimEnd(out);
                out.append("; ").append(piece.stripLeading());
                removedSinceKept = false;
            } else {
                out.append(before).append(piece);
            }
            before = end < n ? line.charAt(end) : 0;
            start = end + 1;
        }
        if (removedSinceKept) {
            trimEnd(out);
        }
        return out.toString().isBlank() ? null : out.toString();
    }

    private static void trimEnd(StringBuilder out) {
        int end = out.length();
        while (end > 0 && isSpace(out.charAt(end - 1))) {
            end--;
        }
        out.setLength(end);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /**
     * The server's {@code Set-Cookie} line as the client gets it, or null when it is dropped (the
     * insert mode's own cookie wins over the server's).
     *
     * @param serverValue the {@code cookie} value of the server that answered, or null
     */
    public static String answerSetCookie(
            CookiePersistence cookie, String setCookie, String serverValue) {
        if (!setsCookie(cookie, setCookie)) {
            return setCookie;
        }
        int eq = setCookie.indexOf('=');
        return switch (cookie.mode()) {
            case INSERT -> cookie.preserve() ? setCookie : null;
            case REWRITE -> {
                if (serverValue == null) {
                    yield setCookie;
                }
                int end = valueEnd(setCookie, eq + 1);
                yield setCookie.substring(0, eq + 1) + serverValue + setCookie.substring(end);
            }
            case PREFIX ->
                    serverValue == null
                            ? setCookie
                            : setCookie.substring(0, eq + 1)
                                    + serverValue
                                    + "~"
                                    + setCookie.substring(eq + 1);
            case PASSIVE -> setCookie;
        };
    }

    /** Whether a server's {@code Set-Cookie} line sets the persistence cookie. */
    public static boolean setsCookie(CookiePersistence cookie, String setCookie) {
        int eq = setCookie.indexOf('=');
        return eq >= 0 && setCookie.substring(0, eq).strip().equals(cookie.name());
    }

    /**
     * What the answer did with the cookie, the second flag of {@code %tsc}: I inserted, then, when
     * the server set the cookie itself, P kept ({@code preserve}, or no mode), D dropped (insert),
     * R rewritten or prefixed; N nothing. Measured on 2.6.12.
     *
     * @param inserted what {@link #inserted} added, or null
     * @param serverSetIt whether the server's answer set the persistence cookie
     */
    public static char answerFlag(CookiePersistence cookie, String inserted, boolean serverSetIt) {
        if (inserted != null) {
            return 'I';
        }
        if (!serverSetIt) {
            return 'N';
        }
        return switch (cookie.mode()) {
            case INSERT -> cookie.preserve() ? 'P' : 'D';
            case REWRITE, PREFIX -> 'R';
            case PASSIVE -> 'P';
        };
    }

    private static int valueEnd(String setCookie, int from) {
        int semicolon = setCookie.indexOf(';', from);
        return semicolon < 0 ? setCookie.length() : semicolon;
    }

    /**
     * The {@code Set-Cookie} value insert mode adds to an answer, or null when it adds none.
     *
     * @param method the request's method
     * @param cookieLines the request's {@code Cookie} lines
     * @param answeredValue the {@code cookie} value of the server that answered, or null
     * @param serverSetIt whether the server's answer set a cookie of that name itself
     */
    public static String inserted(
            CookiePersistence cookie,
            String method,
            List<String> cookieLines,
            String answeredValue,
            boolean serverSetIt) {
        if (cookie.mode() != CookiePersistence.Mode.INSERT
                || (cookie.postonly() && !method.equals("POST"))
                || (cookie.preserve() && serverSetIt)
                || holds(cookie, cookieLines, answeredValue)) {
            return null;
        }
        StringBuilder out = new StringBuilder(cookie.name()).append('=');
        if (answeredValue != null) {
            out.append(answeredValue);
        } else {
            out.append(EXPIRED);
        }
        out.append("; path=/");
        for (String domain : cookie.domains()) {
            out.append("; domain=").append(domain);
        }
        if (cookie.httpOnly()) {
            out.append("; HttpOnly");
        }
        if (cookie.secure()) {
            out.append("; Secure");
        }
        for (String attr : cookie.attrs()) {
            out.append("; ").append(attr);
        }
        return out.toString();
    }
}
