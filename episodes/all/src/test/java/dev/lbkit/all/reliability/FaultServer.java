package dev.lbkit.all.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A misbehaving server on 127.0.0.1 over a raw socket: it reads each request head and then never
 * answers, resets the connection, or answers bytes that are not HTTP. Closing it closes every
 * connection it holds.
 */
final class FaultServer implements AutoCloseable {
    /** What the server does once it has read a request head. */
    enum Behaviour {
        /**
         * Keeps the connection open and says nothing (the proxy's {@code timeout server} must
         * fire).
         */
        NEVER_ANSWERS,
        /** Closes with SO_LINGER 0, so the proxy sees a TCP reset. */
        RESETS,
        /** Answers a line that is not an HTTP status line, then closes. */
        ANSWERS_GARBAGE
    }

    private final ServerSocket listener;
    private final Behaviour behaviour;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    FaultServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 500);
        threads.execute(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException | java.util.concurrent.RejectedExecutionException closing) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            while (readHead(in)) {
                switch (behaviour) {
                    case NEVER_ANSWERS -> {
                        // keep reading: the proxy closes when its timeout fires
                    }
                    case RESETS -> {
                        socket.setSoLinger(true, 0);
                        socket.close();
                        return;
                    }
                    case ANSWERS_GARBAGE -> {
                        OutputStream out = socket.getOutputStream();
                        out.write("SPAM SPAM SPAM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        socket.close();
                        return;
                    }
                }
            }
        } catch (IOException gone) {
            // the proxy went away
        } finally {
            open.remove(socket);
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Reads up to the blank line ending a request head; false at end of stream. */
    private static boolean readHead(InputStream in) throws IOException {
        int state = 0;
        int c;
        while ((c = in.read()) >= 0) {
            state =
                    switch (state) {
                        case 0 -> c == '\r' ? 1 : 0;
                        case 1 -> c == '\n' ? 2 : 0;
                        case 2 -> c == '\r' ? 3 : 0;
                        default -> c == '\n' ? 4 : 0;
                    };
            if (state == 4) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
        threads.shutdownNow();
    }
}
