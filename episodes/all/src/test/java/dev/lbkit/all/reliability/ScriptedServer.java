package dev.lbkit.all.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A server on 127.0.0.1 that reads each request head, writes {@code answer}, and closes the
 * connection (with a reset when {@code reset}): a server that dies in the middle of its answer, or
 * one that answers its own fixed page.
 */
final class ScriptedServer implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket();

    ScriptedServer(String answer, boolean reset) throws IOException {
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread t =
                new Thread(
                        () -> {
                            while (!listener.isClosed()) {
                                try (Socket s = listener.accept()) {
                                    ErrorPagesTest.RecordingBackendHead.read(s);
                                    OutputStream out = s.getOutputStream();
                                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                                    out.flush();
                                    if (reset) {
                                        s.setSoLinger(true, 0);
                                    }
                                } catch (IOException e) {
                                    // closed at the end of the test
                                }
                            }
                        },
                        "scripted-server");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
