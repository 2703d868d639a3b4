package dev.lbkit.balancer.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A health endpoint that passes {@code passes} checks, then fails {@code failures}, and again,
 * forever: with {@code rise} = passes and {@code fall} = failures, every full run of either moves
 * the server UP or DOWN, so the checker changes state as fast as its {@code inter} allows, with no
 * test thread flipping anything. Failing is a 503, as a real server shedding load says it.
 */
public final class FlappingHealth implements HttpHandler {
    private final int passes;
    private final int failures;
    private final AtomicLong checks = new AtomicLong();

    public FlappingHealth(int passes, int failures) {
        this.passes = passes;
        this.failures = failures;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long n = checks.getAndIncrement();
        boolean passing = n % (passes + failures) < passes;
        exchange.sendResponseHeaders(passing ? 200 : 503, -1);
        exchange.close();
    }

    /** Checks answered so far. */
    public long checks() {
        return checks.get();
    }
}
