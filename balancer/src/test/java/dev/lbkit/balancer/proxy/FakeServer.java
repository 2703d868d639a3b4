package dev.lbkit.balancer.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw TCP server on 127.0.0.1 that runs an action on each accepted connection, then closes it.
 */
final class FakeServer implements AutoCloseable {
    interface SocketAction {
        void on(Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    FakeServer(SocketAction action) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread thread =
                new Thread(
                        () -> {
                            while (!server.isClosed()) {
                                try {
                                    Socket socket = server.accept();
                                    accepted.incrementAndGet();
                                    open.incrementAndGet();
                                    new Thread(
                                                    () -> {
                                                        try (socket) {
                                                            action.on(socket);
                                                        } catch (IOException ignored) {
                                                            // the test checks what the proxy
                                                            // answers
                                                        } finally {
                                                            open.decrementAndGet();
                                                        }
                                                    })
                                            .start();
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        });
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Connections accepted and not yet ended (the action still runs on them). */
    int open() {
        return open.get();
    }

    /**
     * Reads one request head, up to and including its blank line; empty when the peer closed first.
     */
    static String readRequestHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int c;
        while (matched < 4 && (c = in.read()) >= 0) {
            head.append((char) c);
            matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return head.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
