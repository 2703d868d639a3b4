package dev.lbkit.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.Bind;
import dev.lbkit.balancer.config.Config;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.ServerSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
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

    private Path config(String balance, String mode) throws IOException {
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(
                file,
                """
                defaults
                    mode %s
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend web
                    bind 127.0.0.1:8080
                    default_backend app
                backend app
                    balance %s
                    server a 127.0.0.1:5001
                """
                        .formatted(mode, balance));
        return file;
    }

    @Test
    void checkSaysValidAndExitsZero() throws Exception {
        assertThat(run("-c", "-f", config("roundrobin", "http").toString()))
                .as("exit status of -c on a good file")
                .isZero();
        assertThat(out())
                .as("haproxy's wording")
                .isEqualTo("Configuration file is valid" + System.lineSeparator());
    }

    @Test
    void checkPrintsAlertsAndExitsOne() throws Exception {
        Path file = config("roundrobin", "http");
        Files.writeString(
                file,
                Files.readString(file)
                        .replace("weight", "")
                        .replace("server a 127.0.0.1:5001", "server a 127.0.0.1:5001 weight 300"));
        assertThat(run("-c", "-f", file.toString()))
                .as("exit status of -c on a bad file")
                .isEqualTo(1);
        assertThat(err())
                .as("the alert names file and line")
                .contains(
                        "[ALERT] ["
                                + file
                                + ":11] : 'server app/a' : weight of server a is not within 0 and 256 (300)..")
                .doesNotContain("Exception");
    }

    @Test
    void anAlgorithmWhoseEpisodeIsMissingIsRefusedAtItsBalanceLine() throws Exception {
        // The balancer module alone has no episode on its classpath: every algorithm but the
        // engine's own is missing here, as it would be in a module that forgot a dependency.
        Path file = config("hash req.hdr(host)", "http");
        assertThat(run("-c", "-f", file.toString()))
                .as("-c gives HAProxy's verdict: valid")
                .isZero();
        assertThat(err())
                .as("with a warning that names the balance line and the missing module")
                .contains(
                        "[WARNING] parsing ["
                                + file
                                + ":10] : balance 'hash' is provided by the module"
                                + " episodes/04-uri-hash, which is not on lbkit's classpath.")
                .contains("(lbkit would refuse to run this file)");
        assertThat(run("-f", file.toString()))
                .as("running it is refused before anything listens")
                .isEqualTo(1);
        assertThat(err())
                .contains(
                        "[ALERT] parsing ["
                                + file
                                + ":10] : balance 'hash' is provided by the module"
                                + " episodes/04-uri-hash");
    }

    @Test
    void aHashExpressionLbkitCannotEvaluateIsRefusedAtItsBalanceLine() throws Exception {
        Path file = config("hash req.body,lower", "http");
        assertThat(run("-c", "-f", file.toString()))
                .as("-c gives HAProxy's verdict: valid")
                .isZero();
        assertThat(err())
                .as("with a warning that names the line, the expression and the fetch")
                .contains(
                        "[WARNING] parsing ["
                                + file
                                + ":10] : 'balance hash req.body,lower' uses the fetch 'req.body',"
                                + " which lbkit cannot evaluate yet. Hash one of path, pathq,")
                .contains("(lbkit would refuse to run this file)");
        assertThat(run("-f", file.toString()))
                .as("running it is refused before anything listens")
                .isEqualTo(1);
        assertThat(err())
                .contains(
                        "[ALERT] parsing ["
                                + file
                                + ":10] : 'balance hash req.body,lower' uses the fetch 'req.body'");
    }

    @Test
    void anUnknownFetchInAHashExpressionIsAnError() throws Exception {
        Path file = config("hash req.bogus", "http");
        assertThat(run("-c", "-f", file.toString())).as("haproxy -c refuses it too").isEqualTo(1);
        assertThat(err())
                .as("named with the backend's line, after the whole file, as HAProxy does")
                .contains(
                        "[ALERT] config : backend 'app' ["
                                + file
                                + ":9]: failed to parse 'balance hash' expression 'req.bogus' in :"
                                + " unknown fetch method 'req.bogus'.");
    }

    @Test
    void tcpModeIsRefused() throws Exception {
        Path file = config("roundrobin", "tcp");
        assertThat(run("-c", "-f", file.toString()))
                .as("-c gives HAProxy's verdict: valid")
                .isZero();
        assertThat(run("-f", file.toString()))
                .as("lbkit proxies HTTP only: running is refused")
                .isEqualTo(1);
        assertThat(err()).as("names the tcp proxy").contains("frontend 'web' runs in 'mode tcp'");
    }

    @Test
    void versionNamesTheHaproxyLineItBalancesAs() {
        assertThat(run("-v")).as("exit status of -v").isZero();
        assertThat(out())
                .as("version line")
                .startsWith("lbkit version ")
                .contains("(balances as HAProxy 2.6)");
    }

    @Test
    void doubleVerboseListsTheModelledLines() {
        assertThat(run("-vv")).as("exit status of -vv").isZero();
        assertThat(out())
                .as("-vv names what lbkit models and what it knows but does not")
                .contains("HAProxy lines lbkit models: 2.6, 3.0, 3.2, 3.4 (default 2.6;");
    }

    @Test
    void anUnknownHaproxyLineIsAClearErrorNeverAFallback() throws Exception {
        String file = config("roundrobin", "http").toString();
        assertThat(run("--haproxy-version", "2.8", "-c", "-f", file))
                .as("2.8 is no line lbkit knows")
                .isEqualTo(1);
        assertThat(err())
                .contains(
                        "lbkit: --haproxy-version '2.8' is not a HAProxy line lbkit knows."
                                + " Known lines: 2.6, 3.0, 3.2, 3.4; modelled: 2.6, 3.0, 3.2, 3.4.");
    }

    @Test
    void onlyHaproxy26SaysTheFileIsValid() throws Exception {
        String file = config("roundrobin", "http").toString();
        assertThat(run("--haproxy-version", "3.4", "-c", "-f", file))
                .as("3.4 checks the file")
                .isZero();
        assertThat(out()).as("3.0 and later say nothing when a file is valid").isEmpty();
        assertThat(run("--haproxy-version", "2.6.12", "-c", "-f", file))
                .as("2.6.12 is of line 2.6")
                .isZero();
        assertThat(out())
                .as("2.6 says so")
                .isEqualTo("Configuration file is valid" + System.lineSeparator());
    }

    @Test
    void haproxyForegroundFlagsAreAccepted() throws Exception {
        assertThat(run("-db", "-W", "-c", "-f", config("static-rr", "http").toString()))
                .as("-db and -W ignored")
                .isZero();
    }

    @Test
    void unknownFlagPrintsUsage() {
        assertThat(run("--bogus")).as("exit status for an unknown flag").isEqualTo(1);
        assertThat(err()).as("usage").contains("unknown option '--bogus'").contains("Usage: lbkit");
    }

    @Test
    void missingFileIsAClearError() {
        assertThat(run("-c", "-f", dir.resolve("nope.cfg").toString()))
                .as("exit status")
                .isEqualTo(1);
        assertThat(err())
                .as("what and where")
                .contains("Cannot open configuration file")
                .contains("nope.cfg");
    }

    @Test
    void portOffsetMovesEveryBindAndTheTcpStatsSocketButNoServer() throws Exception {
        Path file = dir.resolve("side-by-side.cfg");
        Files.writeString(
                file,
                """
                global
                    stats socket ipv4@127.0.0.1:9999 level admin
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend web
                    bind 127.0.0.1:8080
                    default_backend app
                listen admin
                    bind 127.0.0.1:8404
                    server b 127.0.0.1:5002
                backend app
                    server a 127.0.0.1:5001
                """);

        assertThat(run("-c", "-f", file.toString(), "--port-offset", "1"))
                .as("exit status of -c with an offset")
                .isZero();
        assertThat(out())
                .as("every moved listener is printed, then the usual verdict")
                .isEqualTo(
                        String.join(
                                System.lineSeparator(),
                                "lbkit: --port-offset 1: bind 127.0.0.1:8080 listens on 127.0.0.1:8081",
                                "lbkit: --port-offset 1: bind 127.0.0.1:8404 listens on 127.0.0.1:8405",
                                "lbkit: --port-offset 1: stats socket 127.0.0.1:9999 listens on 127.0.0.1:10000",
                                "Configuration file is valid",
                                ""));

        Config moved = Main.withPortOffset(ConfigParser.parse(file), 1);
        assertThat(
                        moved.proxies().stream()
                                .flatMap(p -> p.binds().stream())
                                .map(Bind::port)
                                .toList())
                .as("bind ports, each one above the file's")
                .containsExactly(8081, 8405);
        assertThat(moved.global().statsSockets())
                .as("the runtime API moves with the listeners")
                .singleElement()
                .satisfies(
                        socket -> {
                            assertThat(socket.port()).as("stats socket port").isEqualTo(10_000);
                            assertThat(socket.address())
                                    .as("stats socket address")
                                    .isEqualTo("ipv4@127.0.0.1:10000");
                        });
        assertThat(
                        moved.proxies().stream()
                                .flatMap(p -> p.servers().stream())
                                .map(ServerSpec::port)
                                .toList())
                .as("servers stay where they are: both balancers share the backends")
                .containsExactly(5002, 5001);
    }

    @Test
    void portOffsetThatLeavesThePortRangeIsAClearError() throws Exception {
        Path file = config("roundrobin", "http");
        assertThat(run("-c", "-f", file.toString(), "--port-offset", "60000"))
                .as("exit status")
                .isEqualTo(1);
        assertThat(err())
                .as("names the flag, the bind line and the way out")
                .contains(
                        "[ALERT] --port-offset 60000: bind 127.0.0.1:8080 at ["
                                + file
                                + ":7] would listen on port 68080")
                .contains("Use a smaller offset.");
        err.reset();
        assertThat(run("-c", "-f", file.toString(), "--port-offset", "one"))
                .as("exit status for a non-number")
                .isEqualTo(1);
        assertThat(err())
                .as("says what a valid value looks like")
                .contains("--port-offset needs a whole number");
    }

    @Test
    void helpListsHaproxysFlagsAndExitsZero() {
        assertThat(run("--help")).as("exit status of --help").isZero();
        assertThat(out())
                .as("usage on stdout, every flag")
                .startsWith("Usage: lbkit [-c] [-q|-V] -f <haproxy.cfg>")
                .contains(
                        "  -f  FILE",
                        "  -c  ",
                        "  -v  ",
                        "  -V  ",
                        "  -q  ",
                        "  -D  ",
                        "--port-offset N",
                        "--haproxy-version LINE",
                        "-db")
                .endsWith(
                        "2 valid file that"
                                + System.lineSeparator()
                                + "listens nowhere. Docs: README.md, docs/concepts.md."
                                + System.lineSeparator());
        assertThat(run("-h")).as("-h is --help").isZero();
    }

    @Test
    void unknownOptionIsOneLineWithTheSynopsisAndAHint() {
        assertThat(run("-x")).as("exit status of an unknown option, as haproxy's").isEqualTo(1);
        assertThat(err())
                .as("what is wrong, the synopsis, where to read more")
                .startsWith(
                        "lbkit: unknown option '-x'." + System.lineSeparator() + "Usage: lbkit ")
                .endsWith("Run 'lbkit --help' for every option." + System.lineSeparator())
                .doesNotContain("Exception");
        assertThat(out()).as("nothing on stdout").isEmpty();
    }

    @Test
    void secondConfigFileAndMissingValuesAreClearErrors() throws Exception {
        String file = config("roundrobin", "http").toString();
        assertThat(run("-c", "-f", file, "-f", file)).as("two -f").isEqualTo(1);
        assertThat(err()).contains("lbkit: only one -f FILE is supported.");
        err.reset();
        assertThat(run("-c", "-f")).as("-f without a file").isEqualTo(1);
        assertThat(err()).contains("lbkit: -f needs a configuration file, e.g. '-f haproxy.cfg'.");
        err.reset();
        assertThat(run("-c")).as("neither -f nor -v").isEqualTo(1);
        assertThat(err()).contains("lbkit: nothing to do: give a configuration with -f FILE");
    }

    @Test
    void capitalVIsVerboseNotTheVersion() throws Exception {
        String file = config("static-rr", "http").toString();
        assertThat(run("-V", "-c", "-f", file)).as("-V -c checks the file").isZero();
        assertThat(out())
                .as("haproxy's -V is verbose: the check runs, no version line")
                .doesNotContain("lbkit version")
                .contains("Configuration file is valid");
    }

    @Test
    void quietHidesWarningsAndTheVerdictButNotAlerts() throws Exception {
        Path file = config("hash req.hdr(host)", "http");
        assertThat(run("-q", "-c", "-f", file.toString())).as("-q -c on a valid file").isZero();
        assertThat(out() + err()).as("nothing to say when quiet").isEmpty();
        assertThat(run("-q", "-V", "-c", "-f", file.toString())).as("-V undoes -q").isZero();
        assertThat(err()).as("the warning is back").contains("[WARNING]");
        err.reset();
        Files.writeString(
                file,
                Files.readString(file)
                        .replace("server a 127.0.0.1:5001", "server a 127.0.0.1:5001 weight 300"));
        assertThat(run("-q", "-c", "-f", file.toString())).as("-q -c on a bad file").isEqualTo(1);
        assertThat(err()).as("alerts show even when quiet").contains("[ALERT] [" + file + ":11]");
    }

    @Test
    void daemonModeIsRefusedWithWhatToDo() throws Exception {
        assertThat(run("-D", "-f", config("roundrobin", "http").toString())).as("-D").isEqualTo(1);
        assertThat(err()).contains("lbkit: -D (daemon mode) is not supported").contains("Drop -D");
    }
}
