package dev.lbkit.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.HttpCheck;
import dev.lbkit.balancer.config.ProxySection;
import dev.lbkit.balancer.proxy.TestConfigs;
import dev.lbkit.balancer.proxy.TestRoundRobin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Active checks against real sockets on 127.0.0.1. */
class HealthChecksTest {
    private HealthChecks checks;
    private final java.util.List<AutoCloseable> closeAfter = new java.util.ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (checks != null) {
            checks.close();
        }
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    private Backend startChecks(ProxySection section) {
        Backend backend = new Backend(section, (s, servers) -> new TestRoundRobin(servers));
        checks = new HealthChecks(List.of(backend));
        checks.start();
        return backend;
    }

    @Test
    void anUnreachableServerIsDownWithinAboutOneInterval() throws Exception {
        int dead = deadPort();
        ServerSocket live = listening();
        Backend backend =
                startChecks(
                        TestConfigs.listen("web")
                                .server(TestConfigs.checked("live", live.getLocalPort(), 400, 2, 3))
                                .server(TestConfigs.checked("dead", dead, 400, 2, 3))
                                .section());
        Server deadServer = backend.server("dead").orElseThrow();
        long start = System.nanoTime();
        assertThat(eventually(() -> !running(backend, deadServer), 2000))
                .as("one failed check at startup marks the server DOWN")
                .isTrue();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMs)
                .as("DOWN within about one interval (400 ms), not fall intervals")
                .isLessThan(700);
        assertThat(running(backend, backend.server("live").orElseThrow()))
                .as("the live server stays UP")
                .isTrue();
        assertThat(checks.of(deadServer).orElseThrow().lastResult()).isEqualTo("L4CON");
    }

    @Test
    void aServerGoesDownAfterFallFailuresAndUpAfterRisePasses() throws Exception {
        ServerSocket live = listening();
        int port = live.getLocalPort();
        Backend backend =
                startChecks(
                        TestConfigs.listen("web")
                                .server(TestConfigs.checked("s1", port, 150, 2, 3))
                                .section());
        Server server = backend.server("s1").orElseThrow();
        assertThat(eventually(() -> checks.of(server).orElseThrow().status().equals("UP"), 2000))
                .as("a passing check brings health to the top")
                .isTrue();

        live.close();
        long downStart = System.nanoTime();
        assertThat(eventually(() -> !running(backend, server), 3000))
                .as("DOWN after fall failures")
                .isTrue();
        long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downStart);
        assertThat(downMs)
                .as("fall=3 failures at 150 ms take more than two intervals")
                .isGreaterThan(250);
        assertThat(checks.of(server).orElseThrow().downTransitions()).isEqualTo(1);

        ServerSocket again = new ServerSocket();
        again.setReuseAddress(true);
        again.bind(new InetSocketAddress("127.0.0.1", port));
        closeAfter.add(again);
        assertThat(eventually(() -> running(backend, server), 3000))
                .as("UP again after rise passes")
                .isTrue();
        assertThat(checks.of(server).orElseThrow().status()).isEqualTo("UP");
    }

    @Test
    void httpCheckPassesOn2xxAnd3xxAndFailsOtherwise() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        AtomicInteger redirectsServed = new AtomicInteger();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        http.createContext(
                "/health",
                exchange -> {
                    int answer = status.get();
                    if (answer == 302) {
                        redirectsServed.incrementAndGet();
                    }
                    exchange.sendResponseHeaders(answer, -1);
                    exchange.close();
                });
        http.start();
        closeAfter.add(() -> http.stop(0));
        Backend backend =
                startChecks(
                        TestConfigs.listen("web")
                                .httpCheck(new HttpCheck("GET", "/health", "HTTP/1.0"))
                                .server(
                                        TestConfigs.checked(
                                                "s1", http.getAddress().getPort(), 150, 2, 2))
                                .section());
        Server server = backend.server("s1").orElseThrow();
        assertThat(
                        eventually(
                                () -> "L7OK".equals(checks.of(server).orElseThrow().lastResult()),
                                2000))
                .isTrue();
        status.set(302);
        // fall = 2: three checks answered 302 would have taken the server DOWN if 3xx failed.
        assertThat(eventually(() -> redirectsServed.get() >= 3, 3000))
                .as("the check ran at least fall + 1 = 3 times against the 302 answer")
                .isTrue();
        assertThat(running(backend, server))
                .as("3xx passes: still UP after three checks answered 302")
                .isTrue();
        assertThat(checks.of(server).orElseThrow().lastResult())
                .as("the last check (a 302) passed at layer 7")
                .isEqualTo("L7OK");
        status.set(503);
        assertThat(eventually(() -> !running(backend, server), 2000))
                .as("5xx fails the check")
                .isTrue();
        assertThat(checks.of(server).orElseThrow().lastResult()).isEqualTo("L7STS");
    }

    /** As HAProxy 2.6 to 3.4 do after 'set server ... health stopping|down' (measured). */
    @Test
    void checksGoOnFromAForcedHealth() throws Exception {
        ServerSocket live = listening();
        Backend backend =
                startChecks(
                        TestConfigs.listen("web")
                                .server(TestConfigs.checked("s1", live.getLocalPort(), 100, 2, 3))
                                .section());
        Server server = backend.server("s1").orElseThrow();
        assertThat(eventually(() -> checks.of(server).orElseThrow().status().equals("UP"), 2000))
                .isTrue();
        backend.forceHealth(server, Backend.Health.STOPPING);
        assertThat(server.usable()).isFalse();
        assertThat(eventually(() -> server.usable(), 1000))
                .as("the next passing check ends the stopping state")
                .isTrue();
        backend.forceHealth(server, Backend.Health.DOWN);
        assertThat(checks.of(server).orElseThrow().status()).isEqualTo("DOWN");
        assertThat(eventually(() -> checks.of(server).orElseThrow().status().equals("UP"), 1500))
                .as("rise passing checks bring a forced DOWN back")
                .isTrue();
        assertThat(checks.of(server).orElseThrow().downTransitions()).isEqualTo(1);
    }

    @Test
    void checksPauseInMaintenanceWhichEndsAtRise() throws Exception {
        ServerSocket live = listening();
        Backend backend =
                startChecks(
                        TestConfigs.listen("web")
                                .server(TestConfigs.checked("s1", live.getLocalPort(), 50, 2, 3))
                                .section());
        Server server = backend.server("s1").orElseThrow();
        assertThat(eventually(() -> checks.of(server).orElseThrow().status().equals("UP"), 1000))
                .isTrue();
        backend.forceHealth(server, Backend.Health.DOWN);
        backend.setAdminState(server, true, false);
        Thread.sleep(300);
        assertThat(checks.of(server).orElseThrow().status())
                .as("no passing check ran in maintenance (six intervals): still at health 0")
                .isEqualTo("DOWN");
        backend.setAdminState(server, false, false);
        assertThat(running(backend, server))
                .as("leaving maintenance makes the server UP at health rise")
                .isTrue();
        assertThat(checks.of(server).orElseThrow().status())
                .as("at rise, or at the top if a check passed since")
                .isIn("UP 1/3", "UP");
        assertThat(eventually(() -> checks.of(server).orElseThrow().status().equals("UP"), 1000))
                .as("then checks go on from rise")
                .isTrue();
    }

    private static boolean running(Backend backend, Server server) {
        synchronized (backend.lock()) {
            return server.running();
        }
    }

    private static boolean eventually(BooleanSupplier condition, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    private ServerSocket listening() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress("127.0.0.1", 0), 50);
        closeAfter.add(socket);
        Thread acceptor =
                new Thread(
                        () -> {
                            while (!socket.isClosed()) {
                                try {
                                    socket.accept().close();
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        });
        acceptor.setDaemon(true);
        acceptor.start();
        return socket;
    }

    private static int deadPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
