package dev.lbkit.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link FlaskReplica#setDelay}: the live view slows a running replica down and speeds it up again.
 */
class FlaskReplicaDelayChangeTest {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aNewDelayHoldsTheNextRequestsAndZeroReleasesThem() throws Exception {
        try (FlaskReplica app = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ZERO)) {
            app.setDelay(Duration.ofMillis(400));
            assertThat(app.delay())
                    .as("the delay reads back as set")
                    .isEqualTo(Duration.ofMillis(400));
            assertThat(timeMs(app))
                    .as("a request after setDelay(400 ms) waits at least 400 ms")
                    .isGreaterThanOrEqualTo(400);
            app.setDelay(Duration.ZERO);
            assertThat(timeMs(app))
                    .as("after setDelay(0) the answer comes without the delay")
                    .isLessThan(400);
        }
    }

    @Test
    void refusesANegativeDelay() {
        try (FlaskReplica app = FlaskReplica.start(1, "127.0.0.1", 0, Duration.ZERO)) {
            assertThatThrownBy(() -> app.setDelay(Duration.ofMillis(-1)))
                    .as("a negative delay is a mistake")
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("delay must be 0 to");
            assertThat(app.delay()).as("and leaves the delay as it was").isEqualTo(Duration.ZERO);
        }
    }

    private static long timeMs(FlaskReplica app) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response =
                CLIENT.send(
                        HttpRequest.newBuilder(URI.create(app.url() + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("the replica answers").isEqualTo(200);
        return (System.nanoTime() - start) / 1_000_000;
    }
}
