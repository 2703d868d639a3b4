package dev.lbkit.balancer.log;

/**
 * One {@code log} line: where log lines go, how each is framed, under which facility, and which
 * levels pass.
 *
 * @param kind stdout, stderr, a UDP syslog server or a UNIX datagram socket
 * @param host the UDP server's address (UDP only)
 * @param port the UDP server's port (UDP only, 514 when the line names none)
 * @param path the socket's path (UNIX only)
 * @param framing the {@code format} word, {@link Framing#LEGACY} when the line has none
 * @param facility the syslog facility number (local0 = 16)
 * @param level the least urgent level that passes (info = 6; a line at debug is dropped then)
 * @param minLevel a more urgent level than this is written as this one, -1 when not set
 * @param maxLength {@code len}: longer lines are cut to this many bytes, newline included
 * @param address the address as written, for messages
 */
public record LogTarget(
        Kind kind,
        String host,
        int port,
        String path,
        Framing framing,
        int facility,
        int level,
        int minLevel,
        int maxLength,
        String address) {

    /** Where a target writes. */
    public enum Kind {
        STDOUT,
        STDERR,
        UDP,
        UNIX
    }

    /** The syslog levels, most urgent first, as their numbers. */
    static final String[] LEVELS = {
        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
    };

    /** The facility names, in number order (local0 is 16). */
    static final String[] FACILITIES = {
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
        "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
        "local5", "local6", "local7"
    };

    /** The level HAProxy writes its traffic logs at. */
    public static final int INFO = 6;

    /** Whether a line at {@code lineLevel} passes this target's level. */
    boolean passes(int lineLevel) {
        return lineLevel <= level;
    }

    /**
     * The level a line at {@code lineLevel} is written at here (raised to {@code minLevel} if set).
     */
    int writtenLevel(int lineLevel) {
        return minLevel >= 0 && lineLevel < minLevel ? minLevel : lineLevel;
    }
}
