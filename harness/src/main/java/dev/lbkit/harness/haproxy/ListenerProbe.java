package dev.lbkit.harness.haproxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits until every listener accepts a TCP connection, failing fast when HAProxy exits.
 *
 * <p>Connecting is the only readiness signal that works for both kinds: a host-networked container
 * has no mapped ports for Testcontainers to watch, and {@code haproxy -db} without master-worker
 * mode prints no "Loading success" line.
 */
final class ListenerProbe {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(200);
    private static final Duration PAUSE = Duration.ofMillis(25);

    private ListenerProbe() {}

    /**
     * Fails when something already answers on a listener: HAProxy may still bind it (it sets
     * SO_REUSEPORT), so probing would mistake the other process for a ready HAProxy.
     */
    static void requireFree(List<InetSocketAddress> listeners) {
        for (InetSocketAddress listener : listeners) {
            if (accepts(listener)) {
                throw new HaproxyStartException(
                        text(listener)
                                + " already accepts connections: another process "
                                + "listens there. Bind HAProxy to a free port (tests: a fresh free port each run).");
            }
        }
    }

    static void awaitListening(
            List<InetSocketAddress> listeners,
            Duration timeout,
            BooleanSupplier running,
            Supplier<String> logs,
            String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (InetSocketAddress listener : listeners) {
            while (!accepts(listener)) {
                if (!running.getAsBoolean()) {
                    throw new HaproxyStartException(
                            what
                                    + " exited before "
                                    + text(listener)
                                    + " was listening. Its output:\n"
                                    + logs.get());
                }
                if (System.nanoTime() > deadline) {
                    throw new HaproxyStartException(
                            what
                                    + " did not listen on "
                                    + text(listener)
                                    + " within "
                                    + timeout.toSeconds()
                                    + " s. Is the port taken by another process? Its output:\n"
                                    + logs.get());
                }
                pause();
            }
        }
    }

    private static boolean accepts(InetSocketAddress listener) {
        try (Socket socket = new Socket()) {
            socket.connect(listener, (int) CONNECT_TIMEOUT.toMillis());
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new HaproxyStartException(
                    "interrupted while waiting for HAProxy to listen", interrupted);
        }
    }

    private static String text(InetSocketAddress listener) {
        return listener.getHostString() + ":" + listener.getPort();
    }
}
