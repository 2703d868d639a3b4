package dev.lbkit.backends;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicasTest {

    @Test
    void startsTwelveDistinctReplicasOnEphemeralPorts() throws Exception {
        try (Replicas apps = Replicas.start(12)) {
            List<String> servedBy = new ArrayList<>();
            for (FlaskReplica replica : apps.all()) {
                HttpResponse<String> response = FlaskReplicaTest.get(replica.url() + "/");
                servedBy.add(response.headers().firstValue("X-Served-By").orElse("none"));
            }

            assertThat(apps.ports())
                    .as("each replica has its own port")
                    .doesNotHaveDuplicates()
                    .hasSize(12);
            assertThat(servedBy)
                    .as("replica N answers as appN, in order")
                    .containsExactly(
                            "app1", "app2", "app3", "app4", "app5", "app6", "app7", "app8", "app9",
                            "app10", "app11", "app12");
            assertThat(apps.get(12).app()).as("get(N) is appN").isEqualTo(12);
        }
    }

    @Test
    void givesEachAppItsOwnDelay() {
        try (Replicas apps =
                Replicas.start(3, app -> app == 2 ? Duration.ZERO : Duration.ofSeconds(5))) {
            assertThat(apps.all())
                    .extracting(FlaskReplica::delay)
                    .as("the leastconn article's slow app1 and app3")
                    .containsExactly(Duration.ofSeconds(5), Duration.ZERO, Duration.ofSeconds(5));
        }
    }
}
