package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Splits one configuration line into words the way HAProxy does: blanks separate words, {@code #}
 * outside quotes starts a comment, double quotes group and expand {@code ${VAR}}, single quotes
 * group literally, and a backslash escapes a blank, a quote, {@code #}, {@code $} or itself.
 */
final class LineTokenizer {

    /**
     * The words of a line, or why the line cannot be read (with the 1-based column HAProxy points
     * at).
     */
    record Result(List<String> words, String error, int column) {
        boolean failed() {
            return error != null;
        }
    }

    private LineTokenizer() {}

    /**
     * Tokenizes {@code line}; {@code env} returns a variable's value or null when it is not set.
     */
    static Result tokenize(String line, UnaryOperator<String> env) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean inDouble = false;
        boolean inSingle = false;
        int quoteColumn = 0;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (inSingle) {
                if (c == '\'') {
                    inSingle = false;
                } else {
                    word.append(c);
                }
                i++;
                continue;
            }
            if (c == '\\' && i + 1 < n) {
                char next = line.charAt(i + 1);
                inWord = true;
                switch (next) {
                    case ' ', '\t', '\\', '#', '\'', '"', '$' -> word.append(next);
                    case 'r' -> word.append('\r');
                    case 'n' -> word.append('\n');
                    case 't' -> word.append('\t');
                    case 'x' -> {
                        if (i + 3 < n && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                            word.append((char) Integer.parseInt(line.substring(i + 2, i + 4), 16));
                            i += 4;
                            continue;
                        }
                        word.append('\\');
                        i++;
                        continue;
                    }
                    default -> {
                        // An unknown escape keeps its backslash, as HAProxy does.
                        word.append('\\');
                        i++;
                        continue;
                    }
                }
                i += 2;
                continue;
            }
            if (c == '"') {
                inDouble = !inDouble;
                inWord = true;
                quoteColumn = i + 1;
                i++;
                continue;
            }
            if (c == '\'' && !inDouble) {
                inSingle = true;
                inWord = true;
                quoteColumn = i + 1;
                i++;
                continue;
            }
            if (c == '$' && inDouble) {
                Expansion expansion = expand(line, i, env);
                if (expansion.error != null) {
                    return new Result(List.of(), expansion.error, expansion.column);
                }
                word.append(expansion.value);
                i = expansion.end;
                continue;
            }
            if (!inDouble && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
                continue;
            }
            if (!inDouble && c == '#') {
                break;
            }
            word.append(c);
            inWord = true;
            i++;
        }
        if (inDouble || inSingle) {
            return new Result(List.of(), "unmatched quote", quoteColumn);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return new Result(List.copyOf(words), null, 0);
    }

    private record Expansion(String value, int end, String error, int column) {}

    /**
     * Expands {@code $NAME}, {@code ${NAME}}, {@code ${NAME-default}} or {@code ${NAME[*]}} at
     * {@code dollar}.
     */
    private static Expansion expand(String line, int dollar, UnaryOperator<String> env) {
        int n = line.length();
        if (dollar + 1 < n && line.charAt(dollar + 1) == '{') {
            int brace = dollar + 1;
            int p = brace + 1;
            if (p >= n || !isNameStart(line.charAt(p))) {
                if (p < n && line.charAt(p) != '}') {
                    return new Expansion(
                            null, 0, "forbidden first char in environment variable name", p + 1);
                }
                return new Expansion(
                        null, 0, "unmatched brace in environment variable name", brace + 1);
            }
            int nameStart = p;
            while (p < n && isNamePart(line.charAt(p))) {
                p++;
            }
            String name = line.substring(nameStart, p);
            String fallback = null;
            if (p < n && line.charAt(p) == '-') {
                int close = line.indexOf('}', p);
                if (close < 0) {
                    return new Expansion(
                            null, 0, "unmatched brace in environment variable name", brace + 1);
                }
                fallback = line.substring(p + 1, close);
                p = close;
            } else if (line.startsWith("[*]", p)) {
                // HAProxy would split the value into several words; one word is enough for the
                // keywords lbkit reads.
                p += 3;
            }
            if (p >= n || line.charAt(p) != '}') {
                return new Expansion(
                        null, 0, "unmatched brace in environment variable name", brace + 1);
            }
            String value = env.apply(name);
            if (value == null) {
                value = fallback == null ? "" : fallback;
            }
            return new Expansion(value, p + 1, null, 0);
        }
        int p = dollar + 1;
        if (p >= n || !isNameStart(line.charAt(p))) {
            return new Expansion("$", dollar + 1, null, 0);
        }
        while (p < n && isNamePart(line.charAt(p))) {
            p++;
        }
        String value = env.apply(line.substring(dollar + 1, p));
        return new Expansion(value == null ? "" : value, p, null, 0);
    }

    /**
     * Expands environment variables in an address, as HAProxy's address reader does even outside
     * quotes, by rules of its own (measured with {@code haproxy -c}): each {@code $} is followed by
     * an optional {@code {}, then a name of letters, digits and {@code _}, which may be empty or
     * start with a digit; a {@code }} right after the name is dropped, and nothing else is (no
     * {@code -default}, no check that a brace closes). An unset variable, or an empty name, gives
     * the empty string: {@code 127.0.0$00.1} is {@code 127.0.0.1}, {@code ${Q-1}} is {@code -1}}.
     */
    static String expandInAddress(String address, UnaryOperator<String> env) {
        if (address.indexOf('$') < 0) {
            return address;
        }
        StringBuilder out = new StringBuilder();
        int n = address.length();
        int i = 0;
        while (i < n) {
            char c = address.charAt(i++);
            if (c != '$') {
                out.append(c);
                continue;
            }
            boolean brace = i < n && address.charAt(i) == '{';
            if (brace) {
                i++;
            }
            int nameStart = i;
            while (i < n && isNamePart(address.charAt(i))) {
                i++;
            }
            String value = env.apply(address.substring(nameStart, i));
            if (value != null) {
                out.append(value);
            }
            if (brace && i < n && address.charAt(i) == '}') {
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
