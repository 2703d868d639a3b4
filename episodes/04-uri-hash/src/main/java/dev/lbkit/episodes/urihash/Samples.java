package dev.lbkit.episodes.urihash;

import static dev.lbkit.episodes.sourcehash.HashKeys.bytes;

import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.SampleExpression;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluates a {@code balance hash} sample expression on a request: the bytes HAProxy hashes, or
 * null when the sample is missing (the balancer then goes round robin). A sample that is present
 * but empty is hashed as the empty string, unlike {@code balance hdr(name)}, which falls back.
 *
 * <p>Worked example: for {@code GET /a/b?uid=7&x=1} with {@code X-User: Ann, Bob}, {@code path}
 * gives "/a/b", {@code query} "uid=7&x=1", {@code url_param(uid)} "7", {@code req.hdr(x-user)}
 * "Bob" (the last element of the last occurrence), {@code req.hdr(x-user),lower} "bob"; {@code src}
 * for the client 127.0.1.1 gives the four bytes 7F 00 01 01.
 *
 * <p>The facts are in episode 04's lesson, measured on HAProxy 2.6 and 3.4 (they agree).
 */
public final class Samples {

    private Samples() {}

    /**
     * The sample's bytes after the converters, as HAProxy {@code line} gives them, or null when the
     * request has no such sample (or a converter finds nothing).
     */
    public static byte[] evaluate(
            SampleExpression expression, RequestInfo request, HaproxyLine line) {
        byte[] sample = fetch(expression, request);
        for (SampleExpression.Converter converter : expression.converters()) {
            if (sample == null) {
                break;
            }
            sample = convert(converter, sample, line);
        }
        return sample;
    }

    private static byte[] fetch(SampleExpression expression, RequestInfo request) {
        String target = request.target();
        String name = expression.argument();
        return switch (expression.fetch()) {
            case PATH -> target == null ? null : path(bytes(target), false);
            case PATHQ -> target == null ? null : path(bytes(target), true);
            case URL -> target == null ? null : bytes(target);
            case QUERY -> target == null ? null : query(bytes(target));
            case BASE -> target == null ? null : base(bytes(target), request);
            case HDR -> lastElement(lastLine(request, name));
            case FHDR -> trimmed(lastLine(request, name));
            case COOK -> cookie(request.headerLines().apply("Cookie"), bytes(name));
            case URL_PARAM -> target == null ? null : urlParam(bytes(target), bytes(name));
            case SRC -> request.client() == null ? null : request.client().getAddress();
            case METHOD -> request.method() == null ? null : bytes(request.method());
        };
    }

    /**
     * {@code path} (up to the '?') or {@code pathq} (to the end): from the first '/' of the path,
     * after the scheme and authority of an absolute-form target. An absolute-form target without a
     * path has no path sample.
     */
    static byte[] path(byte[] target, boolean withQuery) {
        int from = RequestKeys.pathStart(target);
        if (from == target.length) {
            return null;
        }
        int to = withQuery ? target.length : indexOf(target, (byte) '?', from, target.length);
        return Arrays.copyOfRange(target, from, to);
    }

    /** What follows the first '?'; none means no sample, "x?" an empty one. */
    static byte[] query(byte[] target) {
        int mark = indexOf(target, (byte) '?', 0, target.length);
        return mark == target.length ? null : Arrays.copyOfRange(target, mark + 1, target.length);
    }

    /** The first Host line's value then the path; the path alone when Host is absent or empty. */
    private static byte[] base(byte[] target, RequestInfo request) {
        List<String> hosts = request.headerLines().apply("Host");
        byte[] host = hosts.isEmpty() ? null : trimmed(hosts.get(0));
        int from = RequestKeys.pathStart(target);
        byte[] path =
                Arrays.copyOfRange(target, from, indexOf(target, (byte) '?', from, target.length));
        if (host == null || host.length == 0) {
            return from == target.length ? null : path;
        }
        byte[] both = Arrays.copyOf(host, host.length + path.length);
        System.arraycopy(path, 0, both, host.length, path.length);
        return both;
    }

    private static String lastLine(RequestInfo request, String name) {
        List<String> lines = request.headerLines().apply(name);
        if (lines.isEmpty()) {
            return null;
        }
        String last = lines.get(lines.size() - 1);
        return last == null ? "" : last;
    }

    /**
     * The last comma-separated element of a header line (commas inside double quotes do not split),
     * spaces and tabs trimmed: "a, b" gives "b", "a," gives "".
     */
    static byte[] lastElement(String line) {
        if (line == null) {
            return null;
        }
        byte[] value = bytes(line);
        int start = 0;
        for (int end; (end = RequestKeys.elementEnd(value, value.length, start)) < value.length; ) {
            start = end + 1;
        }
        return trim(value, start, value.length);
    }

    private static byte[] trimmed(String line) {
        if (line == null) {
            return null;
        }
        byte[] value = bytes(line);
        return trim(value, 0, value.length);
    }

    // snippet:start cookie-sample
    /**
     * {@code req.cook(name)}: the value of the last cookie of that name over every Cookie line, in
     * order. In a line, cookies are separated by ';' or ','; a value is trimmed of spaces and tabs
     * and keeps its quotes; a cookie without '=' or whose name starts with '$' is skipped. HAProxy
     * looks at a cookie only when more than name+1 bytes remain from where it starts (just after
     * the previous separator, spaces included), so a line "sid=" has no sid, while "a=1; sid=" has
     * an empty one.
     */
    static byte[] cookie(List<String> lines, byte[] name) {
        byte[] found = null;
        for (String line : lines) {
            byte[] value = bytes(line == null ? "" : line);
            int end = value.length;
            int next;
            for (int start = 0; start + name.length + 1 < end; start = next + 1) {
                int attribute = skipSpaces(value, start, end);
                int equal = attribute;
                int nameEnd = attribute;
                while (equal < end && !isCookieSeparator(value[equal]) && value[equal] != '=') {
                    if (!isSpaceOrTab(value[equal])) {
                        nameEnd = equal + 1;
                    }
                    equal++;
                }
                if (equal == end || value[equal] != '=') {
                    next = equal; // no '=': skipped
                    continue;
                }
                int valueStart = skipSpaces(value, equal + 1, end);
                next = cookieValueEnd(value, valueStart, end);
                int valueEnd = next;
                while (valueEnd > valueStart && isSpaceOrTab(value[valueEnd - 1])) {
                    valueEnd--;
                }
                if (attribute < end
                        && value[attribute] != '$'
                        && Arrays.equals(value, attribute, nameEnd, name, 0, name.length)) {
                    found = Arrays.copyOfRange(value, valueStart, valueEnd);
                }
            }
        }
        return found;
    }

    // snippet:end cookie-sample

    /** Where a cookie value ends: the next ';' or ',' outside double quotes, or the end. */
    private static int cookieValueEnd(byte[] value, int from, int end) {
        boolean quoted = false;
        for (int i = from; i < end; i++) {
            byte c = value[i];
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && isCookieSeparator(c)) {
                return i;
            }
        }
        return end;
    }

    /**
     * {@code url_param(name)}: after the first '?', the value of the first segment that starts with
     * {@code name=}; segments are separated by '&amp;', ';' or '?', and the value ends at the next
     * one. A segment "name" without '=' does not count.
     */
    static byte[] urlParam(byte[] target, byte[] name) {
        int segment = indexOf(target, (byte) '?', 0, target.length) + 1;
        while (segment <= target.length) {
            int end = segment;
            while (end < target.length && !isParamSeparator(target[end])) {
                end++;
            }
            if (end - segment > name.length
                    && target[segment + name.length] == '='
                    && Arrays.equals(
                            target, segment, segment + name.length, name, 0, name.length)) {
                return Arrays.copyOfRange(target, segment + name.length + 1, end);
            }
            segment = end + 1;
        }
        return null;
    }

    /** One converter; null when it finds nothing. */
    static byte[] convert(SampleExpression.Converter converter, byte[] sample, HaproxyLine line) {
        return switch (converter.kind()) {
            case LOWER, UPPER -> changeCase(converter.kind(), sample);
            case FIELD -> field(sample, converter.index(), bytes(converter.delimiters()));
            case WORD -> word(sample, converter.index(), bytes(converter.delimiters()), line);
        };
    }

    /** {@code lower} and {@code upper} change ASCII letters only. */
    private static byte[] changeCase(SampleExpression.Converter.Kind kind, byte[] sample) {
        byte[] out = sample.clone();
        for (int i = 0; i < out.length; i++) {
            byte c = out[i];
            if (kind == SampleExpression.Converter.Kind.LOWER && c >= 'A' && c <= 'Z') {
                out[i] = (byte) (c + ('a' - 'A'));
            } else if (kind == SampleExpression.Converter.Kind.UPPER && c >= 'a' && c <= 'z') {
                out[i] = (byte) (c - ('a' - 'A'));
            }
        }
        return out;
    }

    // snippet:start field-and-word
    /**
     * {@code field(index,delimiters)}: the sample cut at every delimiter byte, empty fields
     * included; 1 is the first field, -1 the last. {@code /a//b} has the fields "", "a", "", "b".
     * An index past the fields finds nothing (round robin).
     */
    static byte[] field(byte[] sample, int index, byte[] delimiters) {
        List<int[]> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= sample.length; i++) {
            if (i == sample.length || contains(delimiters, sample[i])) {
                fields.add(new int[] {start, i});
                start = i + 1;
            }
        }
        return pick(sample, fields, index);
    }

    /**
     * {@code word(index,delimiters)}: as {@code field}, counting only non-empty runs: {@code /a//b}
     * has the words "a" and "b". An index past the words finds nothing from 3.0 on; HAProxy 2.6
     * gives an empty sample instead, which is hashed.
     */
    static byte[] word(byte[] sample, int index, byte[] delimiters, HaproxyLine line) {
        List<int[]> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= sample.length; i++) {
            if (i == sample.length || contains(delimiters, sample[i])) {
                if (i > start) {
                    words.add(new int[] {start, i});
                }
                start = i + 1;
            }
        }
        byte[] word = pick(sample, words, index);
        if (word == null && line.compareTo(HaproxyLine.V3_0) < 0) {
            return new byte[0];
        }
        return word;
    }

    // snippet:end field-and-word

    private static byte[] pick(byte[] sample, List<int[]> parts, int index) {
        int at = index > 0 ? index - 1 : parts.size() + index;
        if (at < 0 || at >= parts.size()) {
            return null;
        }
        int[] part = parts.get(at);
        return Arrays.copyOfRange(sample, part[0], part[1]);
    }

    private static boolean contains(byte[] set, byte c) {
        for (byte b : set) {
            if (b == c) {
                return true;
            }
        }
        return false;
    }

    private static byte[] trim(byte[] value, int from, int to) {
        while (from < to && isSpaceOrTab(value[from])) {
            from++;
        }
        while (to > from && isSpaceOrTab(value[to - 1])) {
            to--;
        }
        return Arrays.copyOfRange(value, from, to);
    }

    private static int skipSpaces(byte[] value, int from, int end) {
        while (from < end && isSpaceOrTab(value[from])) {
            from++;
        }
        return from;
    }

    /** The index of {@code wanted} in {@code bytes[from..to)}, or {@code to}. */
    private static int indexOf(byte[] bytes, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return to;
    }

    private static boolean isCookieSeparator(byte c) {
        return c == ';' || c == ',';
    }

    private static boolean isParamSeparator(byte c) {
        return c == '&' || c == ';' || c == '?';
    }

    private static boolean isSpaceOrTab(byte c) {
        return c == ' ' || c == '\t';
    }
}
