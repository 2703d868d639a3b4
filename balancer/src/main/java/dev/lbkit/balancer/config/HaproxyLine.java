package dev.lbkit.balancer.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HAProxy release lines a learner meets, each of which lbkit balances as: 2.6 (Debian 12), 3.0
 * (Debian 13), 3.2 and 3.4 (the article's {@code haproxy:latest} generation). A line is the first
 * two numbers of a version: "3.2.26-1" is line 3.2. What each line does differently lives next to
 * the algorithm it changes (docs/versions.md lists them).
 *
 * <p>Another line (2.8, 3.1, 3.3, ...) is not known: asking for one is a clear error naming these,
 * never a silent fallback, and the parity tests refuse a HAProxy of such a line.
 */
public enum HaproxyLine {
    V2_6("2.6", true),
    V3_0("3.0", true),
    V3_2("3.2", true),
    V3_4("3.4", true);

    /**
     * The line lbkit balances as when nothing else is asked: 2.6, the line on which every
     * algorithm, random included, repeats itself request by request, and on which the lessons were
     * measured.
     */
    public static final HaproxyLine DEFAULT = V2_6;

    /** The environment variable that chooses the line, as {@code --haproxy-version} does. */
    public static final String ENVIRONMENT = "LBKIT_HAPROXY_VERSION";

    private static final Pattern LEADING_LINE = Pattern.compile("^(\\d+)\\.(\\d+)(?:[.\\-+~].*)?$");

    private final String text;
    private final boolean modelled;

    HaproxyLine(String text, boolean modelled) {
        this.text = text;
        this.modelled = modelled;
    }

    /** "2.6", "3.0", ... */
    public String text() {
        return text;
    }

    /** Whether lbkit balances request by request as this line does. */
    public boolean modelled() {
        return modelled;
    }

    /**
     * Whether a server that ends up with nothing to do, in a backend with nothing in flight, is
     * remembered as the backend's ready server, which the next request put in the backend's queue
     * takes at once, whatever the algorithm would say (3.2 and later; measured on 3.2.26 and 3.4.7
     * by StickyLinesParityTest). 2.6 and 3.0 leave that request waiting.
     */
    public boolean keepsAReadyServer() {
        return compareTo(V3_2) >= 0;
    }

    /** The lines lbkit models. */
    public static List<HaproxyLine> modelledLines() {
        return Arrays.stream(values()).filter(HaproxyLine::modelled).toList();
    }

    /** The modelled lines as text, e.g. "2.6". */
    public static String modelledText() {
        return String.join(", ", modelledLines().stream().map(HaproxyLine::text).toList());
    }

    /**
     * The line of a version as HAProxy prints it ({@code 2.6.12-1+deb12u4}, {@code 3.2.26}) or as a
     * user writes it ({@code 3.2}); null when it names none of the lines above.
     */
    public static HaproxyLine ofVersion(String version) {
        Matcher m = LEADING_LINE.matcher(version.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        String line = m.group(1) + "." + m.group(2);
        return Arrays.stream(values()).filter(l -> l.text.equals(line)).findFirst().orElse(null);
    }

    /** The line a user asked for, which lbkit must know (for checking a file with its rules). */
    public static HaproxyLine requireKnown(String version, String askedWhere) {
        HaproxyLine line = ofVersion(version);
        if (line == null) {
            throw new IllegalArgumentException(
                    askedWhere
                            + " '"
                            + version
                            + "' is not a HAProxy line lbkit knows."
                            + " Known lines: "
                            + String.join(
                                    ", ", Arrays.stream(values()).map(HaproxyLine::text).toList())
                            + "; modelled: "
                            + modelledText()
                            + ".");
        }
        return line;
    }

    /**
     * The line a user asked for, which lbkit must model; otherwise an {@link
     * IllegalArgumentException} whose message says what is wrong and what to do.
     */
    public static HaproxyLine requireModelled(String version, String askedWhere) {
        HaproxyLine line = requireKnown(version, askedWhere);
        if (!line.modelled) {
            throw new IllegalArgumentException(
                    askedWhere
                            + " '"
                            + version
                            + "': lbkit does not model HAProxy "
                            + line.text
                            + " yet (modelled: "
                            + modelledText()
                            + "). docs/versions.md lists what "
                            + line.text
                            + " does differently; run with --haproxy-version "
                            + DEFAULT.text
                            + " to balance as HAProxy "
                            + DEFAULT.text
                            + " does.");
        }
        return line;
    }
}
