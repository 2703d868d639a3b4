package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The demos' titles name the balancing lines of the haproxy.cfg they read, so an edited config
 * shows.
 */
class DemoRunnerTest {

    private static String episode(String folder) throws Exception {
        return DemoRunner.balancing(
                Files.readString(Path.of("..", "episodes", folder, "haproxy.cfg")));
    }

    @Test
    void titlesNameEachEpisodesBalancingLinesAsWritten() throws Exception {
        assertThat(episode("01-roundrobin")).as("episode 01").isEqualTo("balance roundrobin");
        assertThat(episode("02-leastconn")).as("episode 02").isEqualTo("balance leastconn");
        assertThat(episode("03-source-hash"))
                .as("episode 03")
                .isEqualTo("balance source, hash-type consistent");
        assertThat(episode("04-uri-hash"))
                .as("episode 04")
                .isEqualTo("balance uri, hash-type consistent");
        assertThat(episode("05-random"))
                .as("episode 05: the comment above the line is not taken")
                .isEqualTo("balance random(2)");
    }

    @Test
    void anEditedLineShowsAsWritten() {
        assertThat(
                        DemoRunner.balancing(
                                "backend servers\n    balance   uri\n    hash-type consistent  sdbm\n"))
                .as("spaces collapsed, words kept")
                .isEqualTo("balance uri, hash-type consistent sdbm");
    }
}
