package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyContainer;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link AccessLogParityTest} relies on when it runs a comparison again: HAProxy never blocks
 * on its stdout log. A line it cannot write at once is lost, and counted in {@code DroppedLogs} of
 * {@code show info}. Here HAProxy logs to a pipe that nobody reads until the end, so the pipe fills
 * and HAProxy must drop lines.
 *
 * <p>With the {@code haproxy} binary (CI's case) the count is exact: the lines read from the pipe
 * afterwards plus {@code DroppedLogs} are the requests sent, to the line. In a container (no binary
 * on the machine) the pipe's reader is a shell that waits on something else, and the test checks
 * that lines were dropped and counted.
 */
class HaproxyDroppedLogsTest {

    private static final int REQUESTS = 1500;

    private static final String CONFIG =
            """
            global
                log stdout format raw local0
                nbthread 1
                stats socket ipv4@127.0.0.1:${STATS} level admin
            defaults
                mode http
                log global
                option httplog
                option dontlognull
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend answers
                bind 127.0.0.1:${WEB}
                http-request return status 200 content-type text/plain string ok
            """;

    @Test
    void haproxyCountsTheLogLinesItCannotWrite(@TempDir Path dir) throws Exception {
        Haproxy haproxy = HaproxyForTests.preferringBinary();
        int statsPort = SideBySide.freePort();
        int webPort = SideBySide.freePort();
        String config = CONFIG.replace("${STATS}", "" + statsPort).replace("${WEB}", "" + webPort);
        if (haproxy.kind() == Haproxy.Kind.BINARY) {
            withTheBinary(haproxy, config, statsPort, webPort, dir);
        } else {
            inAContainer(haproxy, config, statsPort, webPort);
        }
    }

    private static void withTheBinary(
            Haproxy haproxy, String config, int statsPort, int webPort, Path dir) throws Exception {
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        // stdout stays a pipe that this test reads only at the end; stderr (alerts) goes to a file.
        Process process =
                new ProcessBuilder(haproxy.where(), "-db", "-f", file.toString())
                        .redirectError(dir.resolve("stderr.log").toFile())
                        .start();
        try {
            awaitListening(webPort, process);
            sendRequests(webPort);
            long dropped = droppedLogs(statsPort);
            // A signal only: Process.destroy() would also close the pipe before it is read.
            process.toHandle().destroy();
            long written;
            try (BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(
                                    process.getInputStream(), StandardCharsets.UTF_8))) {
                written = out.lines().filter(line -> line.contains(" answers answers/")).count();
            }
            System.out.printf(
                    "[lbkit] HAProxy %s, stdout a pipe read only at the end: %d requests, %d"
                            + " lines written, DroppedLogs %d%n",
                    haproxy.describe(), REQUESTS, written, dropped);
            assertThat(dropped)
                    .as(
                            "HAProxy dropped lines it could not write (DroppedLogs; -1: show info has none)")
                    .isPositive();
            assertThat(written + dropped)
                    .as("every request's line either written or counted as dropped")
                    .isEqualTo(REQUESTS);
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    private static void inAContainer(Haproxy haproxy, String config, int statsPort, int webPort)
            throws Exception {
        try (HaproxyContainer container =
                new HaproxyContainer(haproxy.where(), config)
                        // The reader of HAProxy's stdout is a shell's read on the container's
                        // stdin, which is kept open and never written: it never reads the pipe.
                        // (Images built from Debian may have a shell and no sleep.)
                        .withCreateContainerCmdModifier(create -> create.withStdinOpen(true))
                        .withCommand(
                                "sh",
                                "-c",
                                "exec 3<&0; haproxy -db -f "
                                        + HaproxyContainer.CONFIG_PATH
                                        + " | read -r never <&3")) {
            container.start();
            sendRequests(webPort);
            long dropped = droppedLogs(statsPort);
            System.out.printf(
                    "[lbkit] HAProxy %s, stdout a pipe nobody reads: %d requests, DroppedLogs %d%n",
                    haproxy.describe(), REQUESTS, dropped);
            assertThat(dropped)
                    .as(
                            "HAProxy dropped and counted lines it could not write (DroppedLogs; -1: show info has none)")
                    .isPositive()
                    .isLessThan(REQUESTS);
        }
    }

    private static void sendRequests(int port) throws IOException {
        for (int i = 0; i < REQUESTS; i++) {
            try (RawHttpClient client =
                    new RawHttpClient(new InetSocketAddress("127.0.0.1", port), null, 10_000)) {
                RawHttpClient.Response answer =
                        client.get("/" + i, "127.0.0.1:" + port, List.of(), false);
                assertThat(answer.status()).as("request %d answered", i).isEqualTo(200);
            }
        }
    }

    /** HAProxy's {@code DroppedLogs} counter, from {@code show info}; -1 when it has none. */
    static long droppedLogs(int statsPort) {
        String info = RuntimeApiClient.send(statsPort, "show info");
        return info.lines()
                .filter(line -> line.startsWith("DroppedLogs:"))
                .mapToLong(line -> Long.parseLong(line.substring("DroppedLogs:".length()).strip()))
                .findFirst()
                .orElse(-1);
    }

    private static void awaitListening(int port, Process process) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("HAProxy is running").isTrue();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(25);
            }
        }
        throw new AssertionError("HAProxy does not listen on 127.0.0.1:" + port + " after 10 s");
    }
}
