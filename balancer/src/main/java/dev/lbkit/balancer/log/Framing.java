package dev.lbkit.balancer.log;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code format} of a {@code log} line: what goes before the message. Each shape below is what
 * HAProxy 2.6 wrote for {@code log stdout format X local0} (checked with the binary), with {@code
 * <134>} the priority (facility times 8 plus level), then lbkit's tag and process id.
 */
public enum Framing {
    /** No {@code format} word: {@code <134>Nov 30 18:36:41 lbkit[42]: message}. */
    LEGACY,
    /**
     * {@code <134>Nov 30 18:36:41 localhost lbkit[42]: message}: HAProxy 2.6 puts "localhost" as
     * the host.
     */
    RFC3164,
    /** {@code <134>1 2026-11-30T18:38:01.158977+00:00 - lbkit 42 - - message}. */
    RFC5424,
    /** {@code <6>message}: the level alone. */
    SHORT,
    /** {@code message}. */
    RAW,
    /** {@code <6>2026-11-30T18:36:41.612468+00:00 message}. */
    TIMED,
    /** {@code 2026-11-30T18:36:41.612468+00:00 message}. */
    ISO,
    /** {@code <134>message}. */
    PRIORITY;

    private static final DateTimeFormatter BSD =
            DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);
    private static final DateTimeFormatter ISO_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx", Locale.ENGLISH);

    /** The {@code format} word, or null when it names none of these. */
    static Framing ofWord(String word) {
        return switch (word) {
            case "rfc3164" -> RFC3164;
            case "rfc5424" -> RFC5424;
            case "short" -> SHORT;
            case "raw" -> RAW;
            case "timed" -> TIMED;
            case "iso" -> ISO;
            case "priority" -> PRIORITY;
            default -> null;
        };
    }

    /** The header for a line at {@code level} of {@code facility}, written at {@code now}. */
    String header(int facility, int level, Instant now, String tag, long pid) {
        int priority = facility * 8 + level;
        return switch (this) {
            case RAW -> "";
            case SHORT -> "<" + level + ">";
            case PRIORITY -> "<" + priority + ">";
            case TIMED -> "<" + level + ">" + iso(now) + " ";
            case ISO -> iso(now) + " ";
            case LEGACY ->
                    "<" + priority + ">" + BSD.format(local(now)) + " " + tag + "[" + pid + "]: ";
            case RFC3164 ->
                    "<"
                            + priority
                            + ">"
                            + BSD.format(local(now))
                            + " localhost "
                            + tag
                            + "["
                            + pid
                            + "]: ";
            case RFC5424 -> "<" + priority + ">1 " + iso(now) + " - " + tag + " " + pid + " - - ";
        };
    }

    private static ZonedDateTime local(Instant now) {
        return now.atZone(ZoneId.systemDefault());
    }

    private static String iso(Instant now) {
        return ISO_MICROS.format(local(now));
    }
}
