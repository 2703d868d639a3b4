package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kit's command line as ./lbkit and lbkit.jar run it: usage, each command's help, bad input.
 */
class LbkitCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LbkitCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void usageListsHaproxysFlagsAndEveryCommand() {
        assertThat(run("--help")).as("exit status of --help").isZero();
        assertThat(out())
                .as("the synopsis names every command, the Commands section describes each")
                .contains("or: lbkit demo|replicas|snippets|bench|jmh|doctor [-h] [ARGS]")
                .contains("  -f  FILE", "  -c  ", "  -v  ", "  -V  ", "  -q  ")
                .containsPattern("(?m)^Commands:$")
                .containsPattern("(?m)^  demo {6}Runs an episode's demo")
                .containsPattern("(?m)^  replicas  Starts the article's Flask apps")
                .containsPattern("(?m)^  snippets  Checks")
                .containsPattern("(?m)^  bench {5}Throughput and latency")
                .containsPattern("(?m)^  jmh {7}The balancer's JMH microbenchmarks")
                .containsPattern("(?m)^  doctor {4}Says what this machine offers");
        assertThat(err()).as("nothing on stderr").isEmpty();
    }

    @ParameterizedTest(name = "lbkit {0} --help")
    @ValueSource(strings = {"demo", "replicas", "snippets", "bench", "jmh", "doctor"})
    void everyCommandHasItsOwnHelp(String command) {
        assertThat(run(command, "--help")).as("exit status of lbkit %s --help", command).isZero();
        assertThat(out())
                .as("the command's own usage, under lbkit's name")
                .startsWith("Usage: lbkit " + command + " [-h]")
                .contains("-h, --help");
        out.reset();
        assertThat(run(command, "-h")).as("-h is --help").isZero();
        assertThat(out()).startsWith("Usage: lbkit " + command);
    }

    @Test
    void unknownOptionOfACommandNamesTheCommandAndPointsToItsHelp() {
        assertThat(run("replicas", "--ap", "2"))
                .as("exit status, as for lbkit's own flags")
                .isEqualTo(1);
        assertThat(err())
                .as("one line, the synopsis, the pointer")
                .startsWith(
                        "lbkit replicas: unknown option '--ap'."
                                + System.lineSeparator()
                                + "Usage: lbkit replicas ")
                .endsWith("Run 'lbkit replicas --help' for every option." + System.lineSeparator())
                .doesNotContain("Exception");
    }

    @Test
    void unknownCommandAndUnknownOptionExitOne() {
        assertThat(run("demos")).as("a typo in a command").isEqualTo(1);
        assertThat(err())
                .startsWith("lbkit: unknown command 'demos'.")
                .contains("Run 'lbkit --help' for every option and command.");
        err.reset();
        assertThat(run("--bogus")).as("an unknown flag").isEqualTo(1);
        assertThat(err()).startsWith("lbkit: unknown option '--bogus'.");
    }

    @Test
    void demoNamesTheEpisodesItKnows() {
        assertThat(run("demo")).as("no episode").isEqualTo(1);
        assertThat(err())
                .contains(
                        "lbkit demo needs an episode: 1-6 or roundrobin, leastconn, source-hash, uri-hash, random, weighted.");
        err.reset();
        assertThat(run("demo", "7")).as("no episode 7").isEqualTo(1);
        assertThat(err()).contains("lbkit demo: unknown episode '7'. Pick 1-6 or roundrobin");
    }

    @Test
    void everyEpisodeHasADemoAndAPackedConfig() throws Exception {
        for (LbkitCli.Episode episode : LbkitCli.Episode.values()) {
            assertThat(LbkitCli.Episode.find(episode.folder.substring(1, 2)))
                    .as("episode by number")
                    .isEqualTo(episode);
            assertThat(LbkitCli.Episode.find(episode.shortName()))
                    .as("episode by name")
                    .isEqualTo(episode);
            assertThat(Class.forName(episode.demoClass()))
                    .as("demo class of %s", episode.folder)
                    .isNotNull();
            assertThat(
                            LbkitCli.class.getResource(
                                    "/dev/lbkit/episodes/" + episode.folder + "/haproxy.cfg"))
                    .as(
                            "the jar carries %s/haproxy.cfg for demos outside the repository",
                            episode.folder)
                    .isNotNull();
        }
    }

    @Test
    void checksAnEpisodeConfigLikeHaproxy() {
        Path config =
                Path.of(
                        System.getProperty("lbkit.repo.root", "../.."),
                        "episodes",
                        "06-weighted",
                        "haproxy.cfg");
        assertThat(run("-c", "-f", config.toString()))
                .as("lbkit -c -f on episode 06's file")
                .isZero();
        assertThat(out()).isEqualTo("Configuration file is valid" + System.lineSeparator());
    }
}
