package dev.lbkit.balancer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleExpressionTest {
    private final List<String> alerts = new ArrayList<>();

    private SampleExpression read(String text) {
        return SampleExpression.read(text, alerts::add);
    }

    @Test
    void readsAFetchItsNameAndItsConverters() {
        SampleExpression expression = read("req.hdr(X-User),lower,upper");
        assertThat(expression)
                .as("fetch, argument and converters in order")
                .extracting(
                        SampleExpression::fetch,
                        SampleExpression::argument,
                        SampleExpression::converters)
                .containsExactly(
                        SampleExpression.Fetch.HDR,
                        "X-User",
                        List.of(
                                SampleExpression.Converter.LOWER,
                                SampleExpression.Converter.UPPER));
        assertThat(read("hdr(x)").fetch())
                .as("hdr is req.hdr")
                .isEqualTo(read("req.hdr(x)").fetch());
        assertThat(read("cook(sid)").fetch())
                .as("cook is req.cook")
                .isEqualTo(SampleExpression.Fetch.COOK);
        assertThat(read("urlp(uid)").fetch())
                .as("urlp is url_param")
                .isEqualTo(SampleExpression.Fetch.URL_PARAM);
        assertThat(read("src").fetch()).isEqualTo(SampleExpression.Fetch.SRC);
        assertThat(alerts).as("nothing to complain about").isEmpty();
    }

    @Test
    void refusesWhatHaproxyRefusesInItsWords() {
        assertThat(read("foo")).isNull();
        assertThat(read("path,foo")).isNull();
        assertThat(read("req.hdr(x")).isNull();
        assertThat(read("path(x)")).isNull();
        assertThat(read("path,lower(1)")).isNull();
        assertThat(read("path,field(0,/)")).isNull();
        assertThat(read("path,field(a,/)")).isNull();
        assertThat(read("path,field(1)")).isNull();
        assertThat(read("path,word(1,)")).isNull();
        assertThat(read("path,field")).isNull();
        assertThat(alerts)
                .as("haproxy -c's reasons (2.6.12)")
                .containsExactly(
                        "failed to parse 'balance hash' expression 'foo' in : unknown fetch method 'foo'.",
                        "failed to parse 'balance hash' expression 'path,foo' in : unknown converter 'foo'.",
                        "failed to parse 'balance hash' expression 'req.hdr(x' in : fetch method 'req.hdr' : expected ')'.",
                        "failed to parse 'balance hash' expression 'path(x)' in : fetch method 'path' : expected ')' before 'x)'.",
                        "failed to parse 'balance hash' expression 'path,lower(1)' in : invalid arg 1 in converter 'lower' : expected ')' before '1)'.",
                        "failed to parse 'balance hash' expression 'path,field(0,/)' in : invalid args in converter 'field' : Unexpected value 0 for index.",
                        "failed to parse 'balance hash' expression 'path,field(a,/)' in : invalid arg 1 in converter 'field' : failed to parse 'a' as type 'integer' at position 1.",
                        "failed to parse 'balance hash' expression 'path,field(1)' in : invalid arg 2 in converter 'field' : missing arguments (got 1/2), type 'string' expected.",
                        "failed to parse 'balance hash' expression 'path,word(1,)' in : invalid args in converter 'word' : Empty separators list.",
                        "failed to parse 'balance hash' expression 'path,field' in : invalid arg 1 in converter 'field' : expected type 'integer' at position 1, but got nothing.");
    }

    @Test
    void readsFieldAndWord() {
        assertThat(read("path,field(-2,/.),word(1,-)").converters())
                .containsExactly(
                        new SampleExpression.Converter(
                                SampleExpression.Converter.Kind.FIELD, -2, "/."),
                        new SampleExpression.Converter(
                                SampleExpression.Converter.Kind.WORD, 1, "-"));
        assertThat(alerts).isEmpty();
    }

    @Test
    void acceptsWhatHaproxyAcceptsAndMarksWhatLbkitCannotEvaluate() {
        assertThat(read("req.body").unmodelled())
                .as("a known fetch")
                .isEqualTo("the fetch 'req.body'");
        assertThat(read("path,regsub(a,b)").unmodelled())
                .as("a known converter")
                .isEqualTo("the converter 'regsub'");
        assertThat(read("path,field(1,/,2)").unmodelled())
                .as("field with a count")
                .contains("index and delimiters only");
        assertThat(read("hdr(x,1)").unmodelled()).as("an occurrence").contains("one name only");
        assertThat(read("req.cook").unmodelled()).as("no cookie name").contains("one name only");
        assertThat(read("src,lower").unmodelled()).isEqualTo("a converter after src");
        assertThat(alerts).as("haproxy -c accepts all of these").isEmpty();
    }

    @Test
    void theRefusalNamesFileLineExpressionAndWhatToDo() {
        Where where = new Where("haproxy.cfg", 12);
        Balance unmodelled =
                new Balance(Algorithm.HASH, false, 0, 0, false, 2, "req.body", false, false, where);
        assertThat(SampleExpression.refusal(unmodelled))
                .isEqualTo(
                        "parsing [haproxy.cfg:12] : 'balance hash req.body' uses the fetch 'req.body',"
                                + " which lbkit cannot evaluate yet. Hash one of "
                                + SampleExpression.EVALUATED
                                + ", or use balance uri, url_param or hdr(name).");
        Balance modelled =
                new Balance(
                        Algorithm.HASH, false, 0, 0, false, 2, "path,lower", false, false, where);
        assertThat(SampleExpression.refusal(modelled)).as("lbkit runs it").isNull();
    }
}
