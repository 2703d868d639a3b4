package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {
    private static final Traffic TRAFFIC =
            Traffic.sequential("six requests", 6).withEvent(3, "disable server be/s2");

    @Test
    void identicalRunsReportEveryRequestOnTheSameServer() {
        Comparison c =
                new Comparison(
                        "rr",
                        "cfg",
                        TRAFFIC,
                        new Picks("h", List.of("s1", "s2", "s3", "s1", "s3", "s1")),
                        new Picks("l", List.of("s1", "s2", "s3", "s1", "s3", "s1")));
        assertThat(c.identical()).isTrue();
        assertThat(c.summary()).isEqualTo("rr: 6/6 requests on the same server");
    }

    @Test
    void aDifferenceIsReportedAtItsFirstRequestWithNeighboursEventsAndConfig() {
        Comparison c =
                new Comparison(
                        "rr",
                        "backend be\n    balance roundrobin",
                        TRAFFIC,
                        new Picks("HAProxy x", List.of("s1", "s2", "s3", "s1", "s3", "s1")),
                        new Picks("lbkit y", List.of("s1", "s2", "s3", "s3", "s1", "s1")));
        assertThat(c.identical()).as("two requests differ").isFalse();
        assertThat(c.firstDifference()).isEqualTo(3);
        assertThat(c.matching()).isEqualTo(4);
        assertThat(c.explainDifference())
                .contains("rr: 4/6 requests on the same server")
                .contains("first difference at request #3 (GET /)")
                .contains("(runtime API: disable server be/s2)")
                .containsPattern(">\\s+#3\\s+s1\\s+s3")
                .contains(
                        "HAProxy side: HAProxy x",
                        "lbkit side:   lbkit y",
                        "  |     balance roundrobin");
    }

    @Test
    void aShorterRunIsADifferenceToo() {
        Comparison c =
                new Comparison(
                        "rr",
                        "cfg",
                        TRAFFIC,
                        new Picks("h", List.of("s1", "s2")),
                        new Picks("l", List.of("s1")));
        assertThat(c.firstDifference()).isEqualTo(1);
        assertThat(c.identical()).isFalse();
    }

    @Test
    void equalStatusesAndErrorsAreNotCountedAsTheSameServer() {
        Comparison c =
                new Comparison(
                        "all weight 0",
                        "cfg",
                        TRAFFIC,
                        new Picks("h", List.of("503", "503", "error: reset", "s1", "s2", "504")),
                        new Picks("l", List.of("503", "503", "error: reset", "s1", "s2", "504")));
        assertThat(c.identical()).as("both sides answered every request alike").isTrue();
        assertThat(c.matching())
                .as("only answers naming a server count as 'the same server'")
                .isEqualTo(2);
        assertThat(c.neitherServed())
                .as("two 503s, one error and one 504 were served by no server")
                .isEqualTo(4);
        assertThat(c.summary())
                .as("the summary never claims 6/6 on the same server when four had no server")
                .isEqualTo(
                        "all weight 0: 2/6 requests on the same server (4 more answered alike by no server: status or error)");
    }
}
