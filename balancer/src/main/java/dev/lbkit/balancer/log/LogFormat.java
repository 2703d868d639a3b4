package dev.lbkit.balancer.log;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled {@code log-format}: literal text, separators and {@code %} variables, ready to turn an
 * {@link AccessRecord} into a line.
 *
 * <p>The grammar is HAProxy's: {@code %ci} is a variable, {@code %{+Q}r} one with flags ({@code +Q}
 * quotes a text value, {@code +X} writes numbers in hexadecimal), {@code %{+Q}o} sets flags for
 * every variable after it, {@code %%} is a percent sign, and a run of spaces is one separator,
 * written only between two things that wrote something (so a variable that writes nothing, like
 * {@code %hr} without a capture, leaves no double space). {@code %[sample]} expressions are
 * refused: lbkit does not evaluate HAProxy's sample fetches.
 *
 * <p>The three formats HAProxy writes for {@code option httplog}, {@code option httplog clf} and
 * {@code option tcplog} are {@link #HTTPLOG}, {@link #CLF} and {@link #TCPLOG}; their lines were
 * checked against HAProxy 2.6's output for the same requests.
 */
public final class LogFormat {

    /** {@code option httplog}. */
    public static final String HTTPLOG =
            "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc "
                    + "%ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";

    /** {@code option httplog clf}. */
    public static final String CLF =
            "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc "
                    + "%Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl";

    /** {@code option tcplog}. */
    public static final String TCPLOG =
            "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";

    private static final int QUOTE = 1;
    private static final int HEX = 2;

    private sealed interface Node permits Text, Separator, Field {}

    private record Text(String text) implements Node {}

    private record Separator() implements Node {}

    private record Field(Variable variable, int flags) implements Node {}

    private final String source;
    private final List<Node> nodes;

    private LogFormat(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Why a {@code log-format} cannot be read, in HAProxy's words after "failed to parse log-format
     * : ".
     */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /** The format as written. */
    public String source() {
        return source;
    }

    /** Reads a {@code log-format} string. */
    public static LogFormat compile(String format) throws Invalid {
        List<Node> nodes = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int defaults = 0;
        int i = 0;
        int n = format.length();
        while (i < n) {
            char c = format.charAt(i);
            if (c == ' ') {
                flush(text, nodes);
                while (i < n && format.charAt(i) == ' ') {
                    i++;
                }
                nodes.add(new Separator());
                continue;
            }
            if (c != '%') {
                text.append(c);
                i++;
                continue;
            }
            int start = i;
            i++;
            if (i >= n) {
                throw new Invalid("truncated line after '%'.");
            }
            if (format.charAt(i) == '%') {
                text.append('%');
                i++;
                continue;
            }
            int flags = defaults;
            if (format.charAt(i) == '{') {
                int close = format.indexOf('}', i);
                if (close < 0) {
                    throw new Invalid("truncated line after '" + format.substring(i + 1) + "'.");
                }
                flags = applyFlags(defaults, format.substring(i + 1, close));
                i = close + 1;
                if (i >= n
                        || !(Character.isLetterOrDigit(format.charAt(i))
                                || format.charAt(i) == '[')) {
                    throw new Invalid(
                            "parse argument modifier without variable name near '"
                                    + format.substring(start, i)
                                    + "'.");
                }
            }
            if (format.charAt(i) == '[') {
                int close = format.indexOf(']', i);
                if (close < 0) {
                    throw new Invalid("missing ']' after '" + format.substring(i + 1) + "'.");
                }
                throw new Invalid(
                        "lbkit does not evaluate sample expressions such as '%["
                                + format.substring(i + 1, close)
                                + "]'. Use the %-variables instead (%ci, %b, %s, %ST, ...).");
            }
            int nameStart = i;
            while (i < n && Character.isLetterOrDigit(format.charAt(i))) {
                i++;
            }
            String name = format.substring(nameStart, i);
            if (name.equals("o")) {
                defaults = flags;
                continue;
            }
            Variable variable = Variable.named(name);
            if (variable == null) {
                throw new Invalid(
                        "no such format variable '"
                                + name
                                + "'. If you wanted to emit the '%' character"
                                + " verbatim, you need to use '%%'.");
            }
            flush(text, nodes);
            nodes.add(new Field(variable, flags));
        }
        flush(text, nodes);
        return new LogFormat(format, nodes);
    }

    private static void flush(StringBuilder text, List<Node> nodes) {
        if (!text.isEmpty()) {
            nodes.add(new Text(text.toString()));
            text.setLength(0);
        }
    }

    /** {@code +Q,-X}: each flag switched on or off; unknown flags are ignored, as HAProxy does. */
    private static int applyFlags(int flags, String list) {
        int result = flags;
        for (String flag : list.split(",")) {
            if (flag.length() < 2) {
                continue;
            }
            int bit =
                    switch (flag.substring(1)) {
                        case "Q" -> QUOTE;
                        case "X" -> HEX;
                        default -> 0;
                    };
            result =
                    flag.charAt(0) == '+'
                            ? result | bit
                            : flag.charAt(0) == '-' ? result & ~bit : result;
        }
        return result;
    }

    /** The line for {@code request}, without a newline. */
    public String format(AccessRecord request) {
        StringBuilder line = new StringBuilder(160);
        boolean afterSeparator = true;
        for (Node node : nodes) {
            if (node instanceof Text text) {
                line.append(text.text());
                afterSeparator = false;
            } else if (node instanceof Field field) {
                int before = line.length();
                field.variable()
                        .write(
                                request,
                                line,
                                (field.flags() & QUOTE) != 0,
                                (field.flags() & HEX) != 0);
                if (line.length() > before) {
                    afterSeparator = false;
                }
            } else if (!afterSeparator) {
                line.append(' ');
                afterSeparator = true;
            }
        }
        return line.toString();
    }
}
