package dev.lbkit.harness.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check that runs before a point with a new connection per request, against a real server on a
 * real socket: one that closes after its answer passes, one that keeps the connection (what a proxy
 * ignoring {@code Connection: close} does) is rejected.
 */
class ConnectionCloseCheckTest {
    private static final byte[] ANSWER =
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aServerThatClosesAfterItsAnswerPasses() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = started(() -> answer(server, true));
            assertThatCode(
                            () ->
                                    SideBySideBenchmark.checkClosesAfterAnswer(
                                            "http://127.0.0.1:" + server.getLocalPort() + "/",
                                            Duration.ofSeconds(5)))
                    .as("closed after the answer")
                    .doesNotThrowAnyException();
            t.join();
        }
    }

    @Test
    void aServerThatKeepsTheConnectionIsRejected() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = started(() -> answer(server, false));
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/";
            assertThatThrownBy(
                            () ->
                                    SideBySideBenchmark.checkClosesAfterAnswer(
                                            url, Duration.ofMillis(300)))
                    .as("the connection stays open after the answer")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage(
                            url
                                    + " kept the client connection open 300 ms after answering a"
                                    + " request with Connection: close (40 bytes read), so wrk would"
                                    + " not open a new connection per request.");
            t.join();
        }
    }

    @Test
    void aProxyStoppedByTheDescriptorLimitSaysHowToRaiseIt(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("haproxy.log"),
                "[NOTICE]   (1) : haproxy version is 2.6.12\n"
                        + "[ALERT]    (1) : [haproxy.main()] Cannot raise FD limit to 8209, limit is 1500.\n");

        assertThat(SideBySideBenchmark.exitedEarly("haproxy", dir))
                .as("the log's last line and what to do")
                .isEqualTo(
                        "haproxy exited early: [ALERT]    (1) : [haproxy.main()] Cannot raise FD limit"
                                + " to 8209, limit is 1500. Raise the open-files limit in the shell"
                                + " that runs the benchmark (ulimit -n 65536) and run it again. See "
                                + dir.resolve("haproxy.log")
                                + ".");
    }

    private static Thread started(Runnable server) {
        Thread t = new Thread(server, "test-server");
        t.start();
        return t;
    }

    /** Reads one request head, answers it, then closes or holds the connection for a second. */
    private static void answer(ServerSocket server, boolean close) {
        try (Socket client = server.accept()) {
            InputStream in = client.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            client.getOutputStream().write(ANSWER);
            client.getOutputStream().flush();
            if (!close) {
                // hold the connection past the check's wait, until the checker gives up
                client.setSoTimeout(2000);
                in.read();
            }
        } catch (IOException e) {
            // the checker closed first: the test's assertion says what it saw
        }
    }
}
