package dev.lbkit.episodes.leastconn;

import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.Algorithm;
import dev.lbkit.harness.TestBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The demo's timetable ({@code ./lbkit demo leastconn}) replayed on lbkit's leastconn alone, with
 * no sockets: a request every {@value #GAP_MS} ms, server1 and server3 hold theirs {@code slowMs},
 * server2 answers at once. Each request ends before a later one is picked if it ends at or before
 * that request's time. {@code LeastConnDemoTimelineTest} checks it gives the demo's 14 picks, and
 * {@link TimelinePicture} draws it.
 */
public final class DemoTimeline {
    /** The demo's gap between two requests. */
    public static final long GAP_MS = 600;

    /** The article's {@code time.sleep(5)} in app1 and app3. */
    public static final long SLOW_MS = 5000;

    /** The demo's number of requests. */
    public static final int REQUESTS = 14;

    /**
     * One request: when it was sent and ended, the server (1-based, as server1..3) and the requests
     * in flight on each server at its pick, before it was counted.
     */
    public record Request(int index, long sentMs, long endMs, int server, int[] inFlightAtPick) {}

    private DemoTimeline() {}

    /**
     * Runs {@code count} requests on the demo's timetable, the slow servers holding theirs {@code
     * slowMs}.
     */
    public static List<Request> replay(int count, long slowMs) {
        TestBackend backend = TestBackend.weights(Algorithm.LEASTCONN, 1, 1, 1);
        record End(long at, Server server) {}
        PriorityQueue<End> inFlight = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long now = i * GAP_MS;
            while (!inFlight.isEmpty() && inFlight.peek().at() <= now) {
                backend.release(inFlight.poll().server()); // answers that ended before this request
            }
            int[] counts = new int[3];
            for (int s = 0; s < 3; s++) {
                counts[s] = backend.server("s" + (s + 1)).served();
            }
            Server server = backend.take();
            if (server.name().equals("s2")) {
                backend.release(server); // app2 answers at once
                requests.add(new Request(i, now, now, 2, counts));
            } else {
                inFlight.add(new End(now + slowMs, server));
                requests.add(new Request(i, now, now + slowMs, server.index() + 1, counts));
            }
        }
        return requests;
    }

    /** Who got each request, as s1..s3. */
    public static List<String> picks(int count, long slowMs) {
        return replay(count, slowMs).stream().map(r -> "s" + r.server()).toList();
    }
}
