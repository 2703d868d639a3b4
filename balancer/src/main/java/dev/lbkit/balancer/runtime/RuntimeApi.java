package dev.lbkit.balancer.runtime;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.StatsSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code stats socket}: a TCP or unix-domain listener speaking HAProxy's non-interactive
 * runtime API. Each connection sends one line (commands separated by ';'), gets the answers and is
 * closed.
 */
public final class RuntimeApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeApi.class);

    /**
     * The longest command line HAProxy takes, in bytes before its newline: its CLI reads into one
     * default-size buffer (16384 bytes). 2.6 and 3.0 take 16382, 3.2 and later 16383. On a longer
     * line 2.6 closes the connection without an answer; 3.0 and later say so ({@link
     * #tooLong(HaproxyLine)}) and close.
     */
    static int maxLine(HaproxyLine line) {
        return line.compareTo(HaproxyLine.V3_2) >= 0 ? 16_383 : 16_382;
    }

    /** What a line answers to a command line longer than {@link #maxLine}; empty on 2.6. */
    static String tooLong(HaproxyLine line) {
        return switch (line) {
            case V2_6 -> "";
            case V3_0 ->
                    "The command is too big for the buffer size. Please change tune.bufsize in the"
                            + " configuration to use a bigger command.\n";
            case V3_2 ->
                    "The command line is too big for the buffer size. Please change tune.bufsize in"
                            + " the configuration to use a bigger command.\n";
            case V3_4 ->
                    "The command line is too big for the buffer size. Please change 'tune.bufsize'"
                            + " in the configuration to use a bigger command.\n";
        };
    }

    private final ServerSocketChannel channel;
    private final Commands.Level level;
    private final RunningProxies lbkit;
    private final Path unixPath;
    private final ExecutorService workers;

    private RuntimeApi(
            ServerSocketChannel channel,
            Commands.Level level,
            RunningProxies lbkit,
            Path unixPath) {
        this.channel = channel;
        this.level = level;
        this.lbkit = lbkit;
        this.unixPath = unixPath;
        this.workers =
                Executors.newCachedThreadPool(
                        runnable -> {
                            Thread thread = new Thread(runnable, "lbkit-runtime-api");
                            thread.setDaemon(true);
                            return thread;
                        });
    }

    /** Binds the socket the line describes and starts answering. */
    public static RuntimeApi start(StatsSocket socket, RunningProxies lbkit) {
        Path unixPath = null;
        try {
            ServerSocketChannel channel;
            SocketAddress address;
            if (socket.isUnix()) {
                unixPath = Path.of(socket.path());
                Files.deleteIfExists(unixPath);
                channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                address = UnixDomainSocketAddress.of(unixPath);
            } else {
                channel = ServerSocketChannel.open();
                address = new InetSocketAddress(socket.host(), socket.port());
            }
            channel.bind(address);
            RuntimeApi api =
                    new RuntimeApi(channel, Commands.Level.parse(socket.level()), lbkit, unixPath);
            api.workers.execute(api::acceptLoop);
            return api;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot open stats socket '"
                            + socket.address()
                            + "' ("
                            + socket.where()
                            + "): "
                            + e.getMessage()
                            + ". Free the address or change the 'stats socket' line.",
                    e);
        }
    }

    /**
     * Runs one runtime API command at admin level and returns its answer: the statistics page's
     * admin actions go through here, so they act exactly as the same command on the socket.
     */
    public static String runAsAdmin(RunningProxies lbkit, String command) {
        return new Commands(lbkit, Commands.Level.ADMIN).run(command);
    }

    /** The bound address (with the real port when the line asked for port 0). */
    public SocketAddress address() {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void acceptLoop() {
        while (channel.isOpen()) {
            try {
                SocketChannel client = channel.accept();
                workers.execute(() -> serve(client));
            } catch (IOException e) {
                if (channel.isOpen()) {
                    LOG.warn("runtime API accept failed", e);
                }
                return;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            HaproxyLine runAs = lbkit.config().line();
            String line = readLine(Channels.newInputStream(client), maxLine(runAs));
            String answer =
                    line == null ? tooLong(runAs) : new Commands(lbkit, level).runLine(line);
            ByteBuffer bytes = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                client.write(bytes);
            }
            if (line == null) {
                discardTheRest(client);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("runtime API connection failed", e);
        }
    }

    /**
     * After refusing a too-long line: ends lbkit's side, then reads and drops what the client still
     * sends (for up to a second), so that closing does not reset the connection, which could take
     * the answer with it.
     */
    private static void discardTheRest(SocketChannel client) throws IOException {
        client.shutdownOutput();
        client.configureBlocking(false);
        ByteBuffer sink = ByteBuffer.allocate(8192);
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            sink.clear();
            int read = client.read(sink);
            if (read < 0) {
                return;
            }
            if (read == 0) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * The command line, or null when it is longer than {@code max} bytes (then the rest is not
     * read).
     */
    private static String readLine(InputStream in, int max) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (line.size() >= max) {
                return null;
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // already closed
        }
        workers.shutdownNow();
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                // leave it; the next start deletes it
            }
        }
    }
}
