package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.SampleExpression;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each fetch gives, as measured on HAProxy 2.6.12 and 3.4 (episode 04's lesson). */
class SamplesTest {

    private static String sample(
            String expression, String method, String target, Map<String, List<String>> headers)
            throws Exception {
        RequestInfo request =
                new RequestInfo(
                        InetAddress.getByName("127.0.1.1"),
                        target,
                        name ->
                                headers.getOrDefault(name, List.of()).stream()
                                        .findFirst()
                                        .orElse(null),
                        method,
                        name ->
                                headers.entrySet().stream()
                                        .filter(e -> e.getKey().equalsIgnoreCase(name))
                                        .flatMap(e -> e.getValue().stream())
                                        .toList(),
                        null);
        byte[] bytes = Samples.evaluate(SampleExpression.of(expression), request, HaproxyLine.V3_4);
        return bytes == null ? null : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String sample(String expression, String target) throws Exception {
        return sample(expression, "GET", target, Map.of());
    }

    private static String header(String expression, String name, String... lines) throws Exception {
        return sample(expression, "GET", "/", Map.of(name, List.of(lines)));
    }

    @Test
    void targetFetches() throws Exception {
        assertThat(sample("path", "/a/b?x=1")).isEqualTo("/a/b");
        assertThat(sample("pathq", "/a/b?x=1")).isEqualTo("/a/b?x=1");
        assertThat(sample("url", "/a/b?x=1")).isEqualTo("/a/b?x=1");
        assertThat(sample("path", "http://h.example/a?x")).as("absolute-form").isEqualTo("/a");
        assertThat(sample("pathq", "http://h.example/a?x")).isEqualTo("/a?x");
        assertThat(sample("url", "http://h.example/a?x")).isEqualTo("http://h.example/a?x");
        assertThat(sample("path", "http://h.example")).as("no path: missing").isNull();
        assertThat(sample("query", "/a?x=1&y")).isEqualTo("x=1&y");
        assertThat(sample("query", "/a?")).as("empty query: hashed as \"\"").isEmpty();
        assertThat(sample("query", "/a")).as("no '?': missing").isNull();
    }

    @Test
    void baseIsHostThenPathOrThePathAlone() throws Exception {
        assertThat(sample("base", "GET", "/a/b?x", Map.of("Host", List.of("w.example:8080"))))
                .isEqualTo("w.example:8080/a/b");
        assertThat(sample("base", "/a/b?x")).as("no Host").isEqualTo("/a/b");
    }

    @Test
    void urlParamTakesTheFirstExactNameAfterTheQueryMark() throws Exception {
        assertThat(sample("url_param(uid)", "/x?uidx=1&uid=7&uid=8")).isEqualTo("7");
        assertThat(sample("url_param(uid)", "/x?a=1;uid=7;b")).as("';' separates").isEqualTo("7");
        assertThat(sample("url_param(uid)", "/x?a=?uid=7")).as("so does '?'").isEqualTo("7");
        assertThat(sample("url_param(uid)", "/x?UID=7")).as("case-sensitive").isNull();
        assertThat(sample("url_param(uid)", "/x?uid&a=1")).as("no '='").isNull();
        assertThat(sample("url_param(uid)", "/x;uid=7")).as("no '?'").isNull();
        assertThat(sample("url_param(uid)", "/x?uid=")).as("empty: hashed").isEmpty();
        assertThat(sample("url_param(uid)", "/x?uid=a%20b=c")).as("raw").isEqualTo("a%20b=c");
    }

    @Test
    void headerIsTheLastElementOfTheLastLine() throws Exception {
        assertThat(header("req.hdr(x-k)", "X-K", "a", "b, c")).isEqualTo("c");
        assertThat(header("req.hdr(x-k)", "X-K", "a,")).as("empty last element").isEmpty();
        assertThat(header("req.hdr(x-k)", "X-K", "a, \"b,c\"")).as("quoted").isEqualTo("\"b,c\"");
        assertThat(header("req.hdr(x-k)", "X-K", "")).as("empty line: hashed").isEmpty();
        assertThat(header("req.hdr(x-k)", "Other", "a")).as("absent").isNull();
        assertThat(header("req.fhdr(x-k)", "X-K", "a", "b, c"))
                .as("fhdr: whole line")
                .isEqualTo("b, c");
        assertThat(header("req.hdr(x-k),lower", "X-K", "AbC")).isEqualTo("abc");
        assertThat(header("req.hdr(x-k),upper", "X-K", "AbC")).isEqualTo("ABC");
    }

    @Test
    void cookieIsTheLastValueOverEveryLine() throws Exception {
        assertThat(header("req.cook(sid)", "Cookie", "a=1; sid=v ; b=2")).isEqualTo("v");
        assertThat(header("req.cook(sid)", "Cookie", "sid=v; sid=w")).isEqualTo("w");
        assertThat(header("req.cook(sid)", "Cookie", "sid=v", "lang=en; sid=w")).isEqualTo("w");
        assertThat(header("req.cook(sid)", "Cookie", "sid=v,a=1"))
                .as("',' ends a value")
                .isEqualTo("v");
        assertThat(header("req.cook(sid)", "Cookie", "SID=v")).as("case-sensitive").isNull();
        assertThat(header("req.cook(sid)", "Cookie", "sid=\"v w\""))
                .as("quotes kept")
                .isEqualTo("\"v w\"");
        assertThat(header("req.cook(sid)", "Cookie", "sid")).as("no '='").isNull();
        assertThat(header("req.cook(sid)", "Cookie", "sid="))
                .as("a line 'sid=' has no sid")
                .isNull();
        assertThat(header("req.cook(sid)", "Cookie", "a=1; sid="))
                .as("but after another, sid is empty")
                .isEmpty();
        assertThat(header("req.cook(sid)", "Cookie", "sid=v", "sid="))
                .as("so the first line's stays")
                .isEqualTo("v");
        assertThat(header("req.cook(sid)", "Cookie", "sid=v; sid="))
                .as("in one line, the empty one wins")
                .isEmpty();
    }

    @Test
    void fieldCountsEmptyFieldsAndWordDoesNot() throws Exception {
        assertThat(sample("path,field(2,/)", "/a//b.c/d//")).isEqualTo("a");
        assertThat(sample("path,field(3,/)", "/a//b.c/d//")).as("empty field").isEmpty();
        assertThat(sample("path,field(-1,/)", "/a/b/c")).isEqualTo("c");
        assertThat(sample("path,field(-2,/)", "/a//b.c/d//")).isEmpty();
        assertThat(sample("path,field(2,/.)", "/a.b/c")).as("two delimiters").isEqualTo("a");
        assertThat(sample("path,field(9,/)", "/a/b")).as("past the fields: nothing").isNull();
        assertThat(sample("path,word(2,/)", "/a//b.c/d//")).isEqualTo("b.c");
        assertThat(sample("path,word(-1,/)", "/a//b.c/d//")).isEqualTo("d");
        assertThat(sample("path,word(9,/)", "/a/b")).as("past the words, 3.0 on: nothing").isNull();
        byte[] word26 =
                Samples.word(
                        "/a/b".getBytes(StandardCharsets.US_ASCII),
                        9,
                        new byte[] {'/'},
                        HaproxyLine.V2_6);
        assertThat(word26).as("past the words, 2.6: an empty sample").isEmpty();
    }

    @Test
    void methodAndSource() throws Exception {
        assertThat(sample("method", "PATCH", "/", Map.of())).isEqualTo("PATCH");
        assertThat(sample("method", "get", "/", Map.of())).as("as received").isEqualTo("get");
        assertThat(sample("src", "/"))
                .as("IPv4 as four bytes")
                .isEqualTo("\u007f\u0000\u0001\u0001");
    }
}
