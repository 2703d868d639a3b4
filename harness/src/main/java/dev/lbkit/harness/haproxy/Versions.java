package dev.lbkit.harness.haproxy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the version out of {@code haproxy -v} output ("HAProxy version 2.6.12-1+deb12u4 2023/... -
 * https://...").
 */
final class Versions {

    private static final Pattern VERSION_LINE = Pattern.compile("(?m)^HA-?Proxy version (\\S+)");

    private Versions() {}

    static String fromVersionOutput(String output, String source) {
        Matcher matcher = VERSION_LINE.matcher(output);
        if (!matcher.find()) {
            throw new HaproxyStartException(
                    "'haproxy -v' of " + source + " printed no 'HAProxy version' line:\n" + output);
        }
        return matcher.group(1);
    }
}
