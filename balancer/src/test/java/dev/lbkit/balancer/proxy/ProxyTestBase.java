package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.algorithm.Server;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * What the data-path tests share: a running lbkit, real servers to close after each test, slot
 * checks.
 */
abstract class ProxyTestBase {
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    protected Lbkit lbkit;

    @AfterEach
    void closeAll() throws Exception {
        if (lbkit != null) {
            lbkit.close();
        }
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    /** Closes {@code resource} after the test, after lbkit. */
    protected <T extends AutoCloseable> T closeAfter(T resource) {
        closeAfter.add(resource);
        return resource;
    }

    protected FakeServer server(FakeServer.SocketAction action) throws IOException {
        return closeAfter(new FakeServer(action));
    }

    /**
     * A server that answers every request on a connection with {@code answer}, keeping the
     * connection.
     */
    protected FakeServer keepAliveServer(String answer) throws IOException {
        return server(
                socket -> {
                    OutputStream out = socket.getOutputStream();
                    while (!FakeServer.readRequestHead(socket).isEmpty()) {
                        out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                });
    }

    /**
     * Starts lbkit with one frontend, {@code name}, in front of {@code server} (as s1); returns the
     * frontend's port.
     */
    protected int startInFrontOf(String name, FakeServer server) {
        lbkit =
                Lbkit.start(
                        TestConfigs.listen(name)
                                .server(TestConfigs.server("s1", server.port()))
                                .config());
        return lbkit.frontends().get(0).ports().get(0);
    }

    protected Backend theBackend() {
        return lbkit.backends().get(0);
    }

    /**
     * Waits (up to 5 s) until no server holds a request: every taken slot was released exactly
     * once.
     */
    protected void assertNothingInFlight() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int served;
        do {
            synchronized (theBackend().lock()) {
                served = theBackend().servers().stream().mapToInt(Server::served).sum();
            }
            if (served == 0) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertThat(served).as("every taken slot is released exactly once").isZero();
    }

    protected static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
