package dev.lbkit.all.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test parser of the text format reads good text and refuses each kind of bad line. */
class PrometheusTextTest {

    @Test
    void readsFamiliesLabelsEscapesAndSpecialValues() {
        PrometheusText.Exposition parsed =
                PrometheusText.parse(
                        """
                # HELP a_total Some help.
                # TYPE a_total counter
                a_total{proxy="x\\"y",code="2xx"} 3
                a_total{proxy="z",code="2xx"} 4 1700000000
                # TYPE b gauge
                b NaN
                """);
        assertThat(parsed.types()).containsEntry("a_total", "counter").containsEntry("b", "gauge");
        assertThat(parsed.samples()).containsKey("a_total{code=\"2xx\",proxy=\"x\"y\",}");
        assertThat(parsed.samples().get("a_total{code=\"2xx\",proxy=\"z\",}").value())
                .isEqualTo(4.0);
        assertThat(parsed.samples().get("b{}").value()).isNaN();
    }

    @Test
    void refusesWhatTheFormatForbids() {
        String[] bad = {
            "a{x=\"1\"} 1\n# TYPE a counter\n",
            "# TYPE a counter\n# TYPE a gauge\na 1\n",
            "a{x=\"1\",x=\"2\"} 1\n",
            "a{x=\"\\t\"} 1\n",
            "a{x=1} 1\n",
            "1a 1\n",
            "a one\n",
            "a 1\nb 1\na{x=\"2\"} 1\n",
            "a 1\na 1\n",
            "a 1",
        };
        for (String text : bad) {
            assertThatThrownBy(() -> PrometheusText.parse(text))
                    .as("refuses %s", text.replace("\n", "\\n"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
