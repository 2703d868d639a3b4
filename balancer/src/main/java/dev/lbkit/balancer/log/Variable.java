package dev.lbkit.balancer.log;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code %} variables lbkit writes, each with what it takes from an {@link AccessRecord}. Text
 * values are the ones {@code +Q} quotes; an empty one is written {@code -} unquoted and {@code ""}
 * quoted. Captures ({@code %hr}, {@code %hs}) write nothing, since lbkit has no {@code capture}
 * lines; cookies ({@code %CC}, {@code %CS}) and {@code %ID} are empty.
 */
enum Variable {
    CLIENT_IP("ci", Kind.TEXT_UNQUOTED, r -> r.clientIp),
    CLIENT_PORT("cp", Kind.NUMBER, r -> r.clientPort),
    FRONTEND_IP("fi", Kind.TEXT_UNQUOTED, r -> r.frontendIp),
    FRONTEND_PORT("fp", Kind.NUMBER, r -> r.frontendPort),
    BACKEND_SOURCE_IP("bi", Kind.TEXT_UNQUOTED, r -> "-"),
    BACKEND_SOURCE_PORT("bp", Kind.TEXT_UNQUOTED, r -> "-"),
    SERVER_IP("si", Kind.TEXT_UNQUOTED, r -> r.serverIp),
    SERVER_PORT("sp", Kind.NUMBER, r -> r.serverPort),
    DATE("t", Kind.TEXT_UNQUOTED, r -> Dates.local(r.acceptMillis)),
    REQUEST_DATE("tr", Kind.TEXT_UNQUOTED, r -> Dates.local(r.acceptMillis)),
    REQUEST_DATE_GMT("trg", Kind.TEXT_UNQUOTED, r -> Dates.gmt(r.acceptMillis)),
    REQUEST_DATE_LOCAL("trl", Kind.TEXT_UNQUOTED, r -> Dates.localWithOffset(r.acceptMillis)),
    DATE_GMT("T", Kind.TEXT_UNQUOTED, r -> Dates.gmt(r.acceptMillis)),
    DATE_LOCAL("Tl", Kind.TEXT_UNQUOTED, r -> Dates.localWithOffset(r.acceptMillis)),
    MILLISECONDS(
            "ms",
            Kind.TEXT_UNQUOTED,
            r -> String.format(Locale.ROOT, "%03d", r.acceptMillis % 1000)),
    FRONTEND_NAME("f", Kind.TEXT, r -> r.frontend),
    FRONTEND_NAME_TRANSPORT("ft", Kind.TEXT, r -> r.frontend),
    BACKEND_NAME("b", Kind.TEXT, r -> r.backend),
    SERVER_NAME("s", Kind.TEXT, r -> r.server == null ? "<NOSRV>" : r.server),
    TIME_REQUEST("TR", Kind.NUMBER, AccessRecord::timeRequest),
    TIME_WAITING("Tw", Kind.NUMBER, AccessRecord::timeWaiting),
    TIME_CONNECT("Tc", Kind.NUMBER, AccessRecord::timeConnect),
    TIME_RESPONSE("Tr", Kind.NUMBER, AccessRecord::timeResponse),
    TIME_ACTIVE("Ta", Kind.NUMBER, AccessRecord::timeActive),
    TIME_TOTAL("Tt", Kind.NUMBER, AccessRecord::timeActive),
    TIME_HANDSHAKE("Th", Kind.NUMBER, r -> 0),
    TIME_IDLE("Ti", Kind.NUMBER, r -> 0),
    TIME_QUIET("Tq", Kind.NUMBER, AccessRecord::timeRequest),
    STATUS("ST", Kind.NUMBER, r -> r.status),
    BYTES_OUT("B", Kind.NUMBER, r -> r.bytesOut),
    BYTES_IN("U", Kind.NUMBER, r -> r.bytesIn),
    REQUEST_COOKIE("CC", Kind.TEXT, r -> ""),
    RESPONSE_COOKIE("CS", Kind.TEXT, r -> ""),
    TERMINATION("ts", Kind.TEXT_UNQUOTED, r -> r.termination),
    TERMINATION_COOKIES("tsc", Kind.TEXT_UNQUOTED, r -> r.termination + r.cookieFlags),
    ACTIVE_CONNECTIONS("ac", Kind.NUMBER, r -> r.activeConnections),
    FRONTEND_CONNECTIONS("fc", Kind.NUMBER, r -> r.frontendConnections),
    BACKEND_CONNECTIONS("bc", Kind.NUMBER, r -> r.backendConnections),
    SERVER_CONNECTIONS("sc", Kind.NUMBER, r -> r.serverConnections),
    RETRIES("rc", Kind.TEXT_UNQUOTED, r -> (r.redispatched ? "+" : "") + r.retries),
    SERVER_QUEUE("sq", Kind.NUMBER, r -> 0),
    BACKEND_QUEUE("bq", Kind.NUMBER, r -> 0),
    REQUEST_HEADERS("hr", Kind.NOTHING, r -> ""),
    REQUEST_HEADERS_LIST("hrl", Kind.NOTHING, r -> ""),
    RESPONSE_HEADERS("hs", Kind.NOTHING, r -> ""),
    RESPONSE_HEADERS_LIST("hsl", Kind.NOTHING, r -> ""),
    REQUEST_LINE("r", Kind.TEXT, r -> r.method + " " + r.uri + " " + r.version),
    METHOD("HM", Kind.TEXT, r -> r.method),
    PATH("HP", Kind.TEXT, r -> Dates.pathOf(r.uri)),
    QUERY("HQ", Kind.TEXT, r -> Dates.queryOf(r.uri)),
    URI("HU", Kind.TEXT, r -> r.uri),
    VERSION("HV", Kind.TEXT, r -> r.version),
    UNIQUE_ID("ID", Kind.TEXT, r -> ""),
    REQUEST_COUNTER("rt", Kind.NUMBER, r -> r.requestCounter),
    PID("pid", Kind.NUMBER, r -> ProcessHandle.current().pid()),
    HOSTNAME("H", Kind.TEXT, r -> Dates.Host.NAME);

    /** How a value is written. */
    private enum Kind {
        /** A number: {@code +X} writes it in hexadecimal. */
        NUMBER,
        /** Text that {@code +Q} quotes; empty is {@code -}. */
        TEXT,
        /** Text never quoted (addresses, dates, states). */
        TEXT_UNQUOTED,
        /** Writes nothing at all (captures lbkit does not have). */
        NOTHING
    }

    private interface Value {
        Object of(AccessRecord record);
    }

    private static final Map<String, Variable> BY_NAME = new HashMap<>();

    static {
        for (Variable v : values()) {
            BY_NAME.put(v.name, v);
        }
    }

    private final String name;
    private final Kind kind;
    private final Value value;

    Variable(String name, Kind kind, Value value) {
        this.name = name;
        this.kind = kind;
        this.value = value;
    }

    /** The variable {@code %name}, or null when lbkit (and HAProxy) know none by that name. */
    static Variable named(String name) {
        return BY_NAME.get(name);
    }

    void write(AccessRecord record, StringBuilder line, boolean quote, boolean hex) {
        Object v = value.of(record);
        switch (kind) {
            case NOTHING -> {
                // nothing to write
            }
            case NUMBER -> {
                long number = ((Number) v).longValue();
                line.append(
                        hex && number >= 0
                                ? "0x" + Long.toHexString(number).toUpperCase(Locale.ROOT)
                                : number);
            }
            case TEXT -> {
                String text = v == null ? "" : v.toString();
                if (quote) {
                    line.append('"').append(text).append('"');
                } else {
                    line.append(text.isEmpty() ? "-" : text);
                }
            }
            case TEXT_UNQUOTED -> {
                String text = v == null ? "" : v.toString();
                line.append(text.isEmpty() ? "-" : text);
            }
        }
    }

    /** Date shapes and small text helpers of the variables. */
    static final class Dates {
        private static final DateTimeFormatter LOCAL_MILLIS =
                DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS", Locale.ENGLISH);
        private static final DateTimeFormatter WITH_OFFSET =
                DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss xx", Locale.ENGLISH);

        private Dates() {}

        /** {@code 30/Nov/2026:18:36:07.849}, local time. */
        static String local(long epochMillis) {
            return LOCAL_MILLIS.format(
                    Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault()));
        }

        /** {@code 30/Nov/2026:18:36:07 +0000}. */
        static String gmt(long epochMillis) {
            return WITH_OFFSET.format(Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC));
        }

        static String localWithOffset(long epochMillis) {
            return WITH_OFFSET.format(
                    Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault()));
        }

        static String pathOf(String uri) {
            int query = uri.indexOf('?');
            return query < 0 ? uri : uri.substring(0, query);
        }

        static String queryOf(String uri) {
            int query = uri.indexOf('?');
            return query < 0 ? "" : uri.substring(query);
        }

        /**
         * Looked up on first use only: a name lookup has no place on the way of a format without
         * %H.
         */
        static final class Host {
            static final String NAME = lookUp();

            private Host() {}

            private static String lookUp() {
                try {
                    return InetAddress.getLocalHost().getHostName();
                } catch (UnknownHostException e) {
                    return "localhost";
                }
            }
        }
    }
}
