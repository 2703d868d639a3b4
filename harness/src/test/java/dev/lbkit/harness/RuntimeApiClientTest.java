package dev.lbkit.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RuntimeApiClientTest {

    /**
     * A one-shot runtime API on 127.0.0.1 that reads the command and answers {@code answer} (null:
     * never answers).
     */
    private static ServerSocket answering(String answer) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread t =
                new Thread(
                        () -> {
                            try (Socket s = server.accept()) {
                                s.getInputStream().readAllBytes();
                                if (answer == null) {
                                    Thread.sleep(15_000);
                                } else {
                                    s.getOutputStream()
                                            .write(answer.getBytes(StandardCharsets.US_ASCII));
                                }
                            } catch (IOException | InterruptedException ignored) {
                                // the test is over
                            }
                        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void anAcceptedStateChangeAnswersAnEmptyLine() throws IOException {
        try (ServerSocket api = answering("\n")) {
            assertThat(RuntimeApiClient.admin(api.getLocalPort(), "disable server be/s1"))
                    .as("HAProxy's answer to an accepted 'disable server'")
                    .isEqualTo("\n");
        }
    }

    @Test
    void aRefusedStateChangeThrowsWithTheAnswer() throws IOException {
        try (ServerSocket api = answering("No such server.\n\n")) {
            assertThatThrownBy(
                            () ->
                                    RuntimeApiClient.admin(
                                            api.getLocalPort(), "disable server be/nope"))
                    .as("a refused command must not let a DOWN/UP run pass as a plain run")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refused")
                    .hasMessageContaining("No such server.");
        }
    }

    @Test
    void aQueryReturnsItsAnswer() throws IOException {
        try (ServerSocket api = answering("1 (initial 1)\n\n")) {
            assertThat(RuntimeApiClient.admin(api.getLocalPort(), "get weight be/s1"))
                    .as("queries are not state changes: their answer is returned")
                    .isEqualTo("1 (initial 1)\n\n");
        }
    }

    @Test
    void aHangIsReportedAsAHangNotAsAnEmptyAnswer() throws IOException {
        try (ServerSocket api = answering(null)) {
            assertThatThrownBy(() -> RuntimeApiClient.send(api.getLocalPort(), "show stat"))
                    .as("no answer and no close is a hang, never an empty answer")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("hung");
        }
    }

    @Test
    void aRefusedConnectionSaysWhichSideAndThatNothingListens() throws IOException {
        int port;
        try (ServerSocket gone = new ServerSocket()) {
            gone.bind(new InetSocketAddress("127.0.0.1", 0));
            port = gone.getLocalPort();
        }
        int closed = port;
        assertThatThrownBy(() -> RuntimeApiClient.admin("HAProxy 2.6", closed, "show stat"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("HAProxy 2.6: runtime API on 127.0.0.1:" + closed)
                .hasMessageContaining("nothing listens there");
    }
}
