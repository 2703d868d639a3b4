package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.SideBySide;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * 200 MB up and 200 MB down through lbkit running in its own JVM with a 64 MiB heap: lbkit must
 * stream bodies, never hold one whole, or that JVM runs out of memory and the transfer fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeBodySmallHeapTest {
    static final long SIZE = 200L * 1024 * 1024;
    static final String HEAP = "-Xmx64m";

    private RecordingBackend backend;
    private Process lbkit;
    private Path workDir;
    private int port;

    @BeforeAll
    void startLbkitInASmallJvm() throws Exception {
        backend = new RecordingBackend();
        port = SideBySide.freePort();
        workDir = Files.createTempDirectory("lbkit-large-");
        Path config =
                Files.writeString(
                        workDir.resolve("haproxy.cfg"),
                        """
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s
                listen web
                    bind 127.0.0.1:%d
                    server s1 127.0.0.1:%d
                """
                                .formatted(port, backend.port()));
        String classPath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        lbkit =
                new ProcessBuilder(
                                List.of(
                                        java.toString(),
                                        HEAP,
                                        "-XX:+ExitOnOutOfMemoryError",
                                        "-cp",
                                        classPath,
                                        "dev.lbkit.balancer.Main",
                                        "-f",
                                        config.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(workDir.resolve("lbkit.log").toFile())
                        .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException notYet) {
                assertThat(lbkit.isAlive())
                        .as("lbkit in a %s JVM started; log:%n%s", HEAP, log())
                        .isTrue();
                assertThat(System.nanoTime()).as("lbkit listens within 30 s").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (lbkit != null) {
            lbkit.destroy();
            if (!lbkit.waitFor(10, TimeUnit.SECONDS)) {
                lbkit.destroyForcibly();
            }
        }
        if (backend != null) {
            backend.close();
        }
    }

    private String log() {
        try {
            return Files.readString(workDir.resolve("lbkit.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** One head line, read byte by byte so not one body byte is taken with it. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Test
    void uploadOf200MbIsStreamedToTheServer() throws Exception {
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: "
                                    + SIZE
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[64 * 1024];
            for (long left = SIZE; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
            out.flush();
            String answer =
                    new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            System.out.printf(
                    "[lbkit] 200 MB upload through lbkit (%s): %d ms%n",
                    HEAP, (System.nanoTime() - start) / 1_000_000);
            assertThat(answer)
                    .as("the server got every byte; lbkit log:%n%s", log())
                    .startsWith("HTTP/1.1 200")
                    .contains("ok " + SIZE + " /upload");
        }
        assertThat(lbkit.isAlive()).as("lbkit's %s JVM survived the upload", HEAP).isTrue();
    }

    @Test
    void downloadOf200MbIsStreamedToTheClient() throws Exception {
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream()
                    .write(
                            ("GET /download/"
                                            + SIZE
                                            + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String status = line(in);
            long contentLength = -1;
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    contentLength = Long.parseLong(line.substring(15).trim());
                }
            }
            long received = in.transferTo(OutputStream.nullOutputStream());
            System.out.printf(
                    "[lbkit] 200 MB download through lbkit (%s): %d ms%n",
                    HEAP, (System.nanoTime() - start) / 1_000_000);
            assertThat(status).as("status line").startsWith("HTTP/1.1 200");
            assertThat(contentLength).as("Content-Length passed through").isEqualTo(SIZE);
            assertThat(received).as("every byte arrived; lbkit log:%n%s", log()).isEqualTo(SIZE);
        }
        assertThat(lbkit.isAlive()).as("lbkit's %s JVM survived the download", HEAP).isTrue();
    }
}
