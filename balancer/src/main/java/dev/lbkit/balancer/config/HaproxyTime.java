package dev.lbkit.balancer.config;

/**
 * Reads HAProxy time values: digits followed by an optional unit, {@code us}, {@code ms} (the
 * default), {@code s}, {@code m}, {@code h} or {@code d}, for example {@code 5s} or {@code 250}.
 */
final class HaproxyTime {

    /** HAProxy keeps timers in a signed 32-bit count of milliseconds. */
    static final long MAX_MS = Integer.MAX_VALUE;

    /**
     * A parsed time value.
     *
     * @param millis the value in milliseconds (microseconds round up)
     * @param badChar the character that stopped the reading, or null when the value is well formed
     * @param overflow true when the value does not fit HAProxy's timer range
     * @param trailing text after a valid unit, which HAProxy 2.6 only warns about
     */
    record Value(long millis, Character badChar, boolean overflow, String trailing) {
        boolean ok() {
            return badChar == null && !overflow;
        }
    }

    private HaproxyTime() {}

    static Value parse(String text) {
        int i = 0;
        long number = 0;
        boolean huge = false;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            number = number * 10 + (text.charAt(i) - '0');
            if (number > 1_000_000_000_000L) {
                huge = true;
                number = 1_000_000_000_000L;
            }
            i++;
        }
        if (i == 0) {
            return new Value(0, text.isEmpty() ? '\0' : text.charAt(0), false, "");
        }
        String rest = text.substring(i);
        long millis;
        int unitLength;
        if (rest.startsWith("us")) {
            millis = (number + 999) / 1000;
            unitLength = 2;
        } else if (rest.startsWith("ms")) {
            millis = number;
            unitLength = 2;
        } else if (rest.startsWith("s")) {
            millis = number * 1000L;
            unitLength = 1;
        } else if (rest.startsWith("m")) {
            millis = number * 60_000L;
            unitLength = 1;
        } else if (rest.startsWith("h")) {
            millis = number * 3_600_000L;
            unitLength = 1;
        } else if (rest.startsWith("d")) {
            millis = number * 86_400_000L;
            unitLength = 1;
        } else if (rest.isEmpty()) {
            millis = number;
            unitLength = 0;
        } else {
            return new Value(0, rest.charAt(0), false, "");
        }
        boolean overflow = huge || millis > MAX_MS || millis < 0;
        return new Value(millis, null, overflow, rest.substring(unitLength));
    }
}
