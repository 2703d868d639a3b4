package dev.lbkit.all.live;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.StatisticalPrng;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A running live view: the episode's replicas, a real HAProxy and lbkit side by side ({@link
 * SideBySide}, as the demos start them), and one driver thread that sends every live request to
 * both sides and applies every control between two requests, so both balancers see the same
 * sequence of requests and runtime API commands. What happens goes out as events (name + JSON) to
 * whoever {@link #subscribe}s: the web page, through server-sent events.
 *
 * <p>Ordering: with every replica fast, request n+1 leaves once both sides have answered request n,
 * one request at a time as in the parity tests. With a slow replica, requests overlap: n+1 leaves
 * once both balancers have picked a server for n (its answer came back, lbkit's algorithm reported
 * the pick, or HAProxy's {@code show stat} counted it), so they still reach the two balancers in
 * the same order; what each finds in flight then depends on timing, as in the timed parity tests.
 */
final class LiveSession implements AutoCloseable {
    /** One event for the page: its SSE event name and JSON data. */
    record Event(String name, String json) {}

    /** One side's answer: the server that answered (or the status / error) and how long it took. */
    private record Answer(String server, long millis) {}

    private static final int RECENT_REQUESTS = 60;
    private static final int RECENT_COMMANDS = 30;
    private static final double MAX_RATE = 200;
    private static final int MAX_BURST = 1000;
    private static final long PICK_WAIT_MS = 10_000;

    /** The clients' read timeout: how long a request to either side may take at most. */
    private static final int CALL_TIMEOUT_MS = 60_000;

    private final LiveEpisode episode;
    private final String config;
    private final SideBySide sides;
    private final Lbkit lbkit;
    private final Backend backend;
    private final AlgorithmView view;
    private final String lineText;
    private final Queue<WatchedBalancer.Pick> reportedPicks;
    private final Map<Long, WatchedBalancer.Pick> picksByRequest = new ConcurrentHashMap<>();
    private final BlockingQueue<Runnable> actions = new LinkedBlockingQueue<>();
    private final ExecutorService senders = Executors.newCachedThreadPool(daemon("live-request"));
    private final ExecutorService publisher =
            Executors.newSingleThreadExecutor(daemon("live-events"));
    private final ScheduledExecutorService ticker =
            Executors.newSingleThreadScheduledExecutor(daemon("live-state"));
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
    private final Thread driver;
    private volatile boolean running = true;
    private volatile double rate;
    private final AtomicInteger burst = new AtomicInteger();
    private long nextRequest;

    // Guarded by this: what the page's counters and bars show.
    private final Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    private int same;
    private int answered;
    private final Deque<Map<String, Object>> recentRequests = new ArrayDeque<>();
    private final Deque<Map<String, Object>> recentCommands = new ArrayDeque<>();

    private LiveSession(
            LiveEpisode episode,
            String config,
            SideBySide sides,
            Lbkit lbkit,
            String lineText,
            Queue<WatchedBalancer.Pick> reportedPicks,
            Map<String, Lookahead> lookaheads,
            double rate) {
        this.episode = episode;
        this.config = config;
        this.sides = sides;
        this.lbkit = lbkit;
        this.backend =
                lbkit.backends().stream()
                        .filter(b -> !b.servers().isEmpty())
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "the config has no backend with servers"));
        this.lineText = lineText;
        this.view =
                new AlgorithmView(backend, lbkit.config().line(), lookaheads.get(backend.name()));
        this.reportedPicks = reportedPicks;
        this.rate = rate;
        for (String side : sideNames()) {
            counts.put(side, new LinkedHashMap<>());
        }
        this.driver = new Thread(this::drive, "live-driver");
        this.driver.setDaemon(true);
    }

    /**
     * Starts the episode side by side with {@code haproxy} (null: lbkit alone), lbkit given its
     * config through {@code lbkitChange} (identity, except in the live view's negative control),
     * sending {@code rate} requests per second until told otherwise.
     */
    static LiveSession start(
            LiveEpisode episode,
            SideBySide.HaproxyStarter haproxy,
            UnaryOperator<String> lbkitChange,
            double rate)
            throws Exception {
        String config = episode.config();
        Queue<WatchedBalancer.Pick> picks = new ConcurrentLinkedQueue<>();
        Map<String, Lookahead> lookaheads = new ConcurrentHashMap<>();
        AtomicReference<Lbkit> started = new AtomicReference<>();
        SideBySide.Options options = SideBySide.Options.exactRun();
        for (Map.Entry<Integer, Duration> delay : episode.delays().entrySet()) {
            options = options.withDelay(delay.getKey(), delay.getValue());
        }
        SideBySide sides =
                SideBySide.startWith(
                        episode.title(),
                        config,
                        haproxy,
                        options,
                        lbkitChange,
                        parsed -> {
                            StatisticalPrng prng = StatisticalPrng.forLine(parsed.line());
                            Lbkit lbkit =
                                    Lbkit.start(
                                            parsed,
                                            (section, servers) -> {
                                                Lookahead lookahead =
                                                        AlgorithmView.predictable(
                                                                        section.balance()
                                                                                .algorithm())
                                                                ? new Lookahead()
                                                                : null;
                                                if (lookahead != null) {
                                                    lookaheads.put(section.name(), lookahead);
                                                }
                                                return new WatchedBalancer(
                                                        Algorithms.create(
                                                                section,
                                                                servers,
                                                                parsed.line(),
                                                                prng),
                                                        prng,
                                                        picks,
                                                        servers,
                                                        lookahead);
                                            });
                            started.set(lbkit);
                            return lbkit;
                        });
        try {
            String line =
                    haproxy == null ? started.get().config().line().text() : haproxy.line().text();
            LiveSession session =
                    new LiveSession(
                            episode, config, sides, started.get(), line, picks, lookaheads, rate);
            session.driver.start();
            session.ticker.scheduleWithFixedDelay(
                    session::publishState, 200, 500, TimeUnit.MILLISECONDS);
            return session;
        } catch (RuntimeException | Error e) {
            sides.close();
            throw e;
        }
    }

    private List<String> sideNames() {
        return sides.haproxy() == null ? List.of("lbkit") : List.of("haproxy", "lbkit");
    }

    private SideBySide.Endpoint endpoint(String side) {
        return side.equals("haproxy") ? sides.haproxy() : sides.lbkit();
    }

    /**
     * Receives every event from now on; the first is {@code hello}, with everything the page needs
     * to draw itself.
     */
    void subscribe(Consumer<Event> subscriber) {
        publisher.execute(
                () -> {
                    subscriber.accept(new Event("hello", Json.of(hello())));
                    subscribers.add(subscriber);
                });
    }

    void unsubscribe(Consumer<Event> subscriber) {
        subscribers.remove(subscriber);
    }

    private void publish(String name, String json) {
        Event event = new Event(name, json);
        publisher.execute(
                () -> {
                    for (Consumer<Event> s : subscribers) {
                        try {
                            s.accept(event);
                        } catch (RuntimeException gone) {
                            subscribers.remove(s);
                        }
                    }
                });
    }

    // ---- controls (called from the web server's threads) ----

    /** Requests per second from now on, 0 to pause. */
    Map<String, Object> setRate(double perSecond) {
        if (!(perSecond >= 0 && perSecond <= MAX_RATE)) {
            throw new IllegalArgumentException(
                    "rate must be 0 to "
                            + (int) MAX_RATE
                            + " requests per second, got "
                            + perSecond);
        }
        rate = perSecond;
        actions.add(() -> {});
        publishState();
        return Map.of("rate", perSecond);
    }

    /** Sends {@code count} more requests as fast as the ordering allows, on top of the rate. */
    Map<String, Object> burst(int count) {
        if (count < 1 || count > MAX_BURST) {
            throw new IllegalArgumentException(
                    "send 1 to " + MAX_BURST + " requests at a time, got " + count);
        }
        burst.addAndGet(count);
        actions.add(() -> {});
        return Map.of("queued", count);
    }

    /**
     * Sends one runtime API command to both balancers, between two requests, and returns (and
     * publishes) both answers, each checked: a state change is accepted when the answer is empty.
     */
    Map<String, Object> runtimeCommand(String command) {
        String c = command == null ? "" : command.strip();
        if (c.isEmpty() || c.contains("\n") || c.contains("\r") || c.contains(";")) {
            throw new IllegalArgumentException(
                    "one runtime API command, without ';' or line breaks, e.g. "
                            + "'set server "
                            + backend.name()
                            + "/"
                            + backend.servers().get(0).name()
                            + " weight 2'; got '"
                            + command
                            + "'");
        }
        return onDriver(
                () -> {
                    List<Object> answers = new ArrayList<>();
                    for (String side : sideNames()) {
                        answers.add(ask(side, c));
                    }
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("command", c);
                    result.put("kind", "runtime API");
                    result.put("answers", answers);
                    result.put(
                            "alike",
                            answers.stream()
                                            .map(a -> ((Map<?, ?>) a).get("answer"))
                                            .distinct()
                                            .count()
                                    == 1);
                    record(result);
                    return result;
                });
    }

    /** {@code set server <backend>/<server> weight <value>} on both sides. */
    Map<String, Object> setWeight(String server, String weight) {
        return runtimeCommand(
                "set server "
                        + backend.name()
                        + "/"
                        + knownServer(server)
                        + " weight "
                        + token(weight, "weight"));
    }

    /** {@code set server <backend>/<server> state ready|drain|maint} on both sides. */
    Map<String, Object> setState(String server, String state) {
        return runtimeCommand(
                "set server "
                        + backend.name()
                        + "/"
                        + knownServer(server)
                        + " state "
                        + token(state, "state"));
    }

    /**
     * Makes the replica behind {@code server} answer after {@code millis} (both balancers share the
     * replicas).
     */
    Map<String, Object> setDelay(String server, long millis) {
        int index = sides.serverNames().indexOf(knownServer(server));
        FlaskReplica replica = sides.replicas().get(index);
        return onDriver(
                () -> {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put(
                            "command",
                            "replica "
                                    + replica.name()
                                    + " ("
                                    + server
                                    + ") answers after "
                                    + millis
                                    + " ms");
                    result.put("kind", "replica");
                    String answer;
                    boolean ok;
                    try {
                        replica.setDelay(Duration.ofMillis(millis));
                        answer = "";
                        ok = true;
                    } catch (IllegalArgumentException e) {
                        answer = e.getMessage();
                        ok = false;
                    }
                    result.put(
                            "answers",
                            List.of(
                                    Map.of(
                                            "side",
                                            "replica " + replica.name(),
                                            "answer",
                                            answer,
                                            "ok",
                                            ok)));
                    result.put("alike", true);
                    record(result);
                    return result;
                });
    }

    /**
     * Zeroes the counts, the agreement counter and the request list (the balancers keep their
     * state).
     */
    Map<String, Object> reset() {
        return onDriver(
                () -> {
                    synchronized (this) {
                        counts.values().forEach(Map::clear);
                        same = 0;
                        answered = 0;
                        recentRequests.clear();
                    }
                    publish("reset", "{}");
                    return Map.of("reset", true);
                });
    }

    private String knownServer(String server) {
        if (server == null || !sides.serverNames().contains(server)) {
            throw new IllegalArgumentException(
                    "no server '"
                            + server
                            + "' in backend "
                            + backend.name()
                            + "; the servers are "
                            + sides.serverNames());
        }
        return server;
    }

    /**
     * A value for a command: a word of letters, digits, '%', '.', '-' or '_' (anything else could
     * add a command).
     */
    private static String token(String value, String what) {
        if (value == null || !value.strip().matches("[A-Za-z0-9%._-]{1,32}")) {
            throw new IllegalArgumentException(
                    what + " must be one word of letters, digits or %, got '" + value + "'");
        }
        return value.strip();
    }

    private Map<String, Object> ask(String side, String command) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("side", side.equals("haproxy") ? "HAProxy" : "lbkit");
        String answer;
        boolean ok;
        try {
            answer = RuntimeApiClient.send(endpoint(side).statsPort(), command);
            ok = !RuntimeApiClient.changesState(command) || answer.isBlank();
        } catch (IllegalStateException e) {
            answer = e.getMessage();
            ok = false;
        }
        out.put("answer", answer.strip());
        out.put("ok", ok);
        return out;
    }

    private void record(Map<String, Object> result) {
        String json = Json.of(result);
        synchronized (this) {
            recentCommands.addLast(result);
            while (recentCommands.size() > RECENT_COMMANDS) {
                recentCommands.removeFirst();
            }
        }
        publish("command", json);
        publishState();
    }

    private <T> T onDriver(java.util.concurrent.Callable<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        actions.add(
                () -> {
                    try {
                        result.complete(action.call());
                    } catch (Exception | Error e) {
                        result.completeExceptionally(e);
                    }
                });
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "the live view's driver did not get to the command within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---- the driver ----

    private void drive() {
        long due = System.nanoTime();
        while (running) {
            try {
                Runnable action;
                while ((action = actions.poll()) != null) {
                    action.run();
                }
                if (burst.get() > 0) {
                    burst.decrementAndGet();
                    send();
                    continue;
                }
                double r = rate;
                long now = System.nanoTime();
                if (r > 0 && now >= due) {
                    send();
                    long interval = (long) (1e9 / r);
                    due = Math.max(due + interval, System.nanoTime() - interval);
                    continue;
                }
                long waitNanos =
                        r > 0
                                ? Math.min(due - now, TimeUnit.MILLISECONDS.toNanos(200))
                                : TimeUnit.MILLISECONDS.toNanos(200);
                action = actions.poll(Math.max(waitNanos, 0), TimeUnit.NANOSECONDS);
                if (action != null) {
                    action.run();
                }
                if (r <= 0) {
                    due = System.nanoTime();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("[lbkit live] " + e);
            }
        }
    }

    private void send() {
        long n = nextRequest++;
        Traffic.Request request = episode.request().apply(n);
        List<String> headers = new ArrayList<>(request.headers());
        headers.add(WatchedBalancer.REQUEST_HEADER + ": " + n);
        boolean slow = sides.replicas().stream().anyMatch(r -> !r.delay().isZero());
        long haproxyBefore = slow && sides.haproxy() != null ? haproxyPicks() : -1;
        CompletableFuture<Answer> onHaproxy =
                sides.haproxy() == null
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.supplyAsync(
                                () -> call(sides.haproxy(), request, headers), senders);
        CompletableFuture<Answer> onLbkit =
                CompletableFuture.supplyAsync(() -> call(sides.lbkit(), request, headers), senders);
        onHaproxy.thenAcceptBoth(onLbkit, (h, l) -> answered(n, request, h, l));
        waitUntilPicked(n, onHaproxy, onLbkit, slow, haproxyBefore);
    }

    /**
     * Waits until request n may be followed: with every replica fast, until both sides have
     * answered it (one request at a time, as the parity tests send them, so leastconn and random
     * see nothing in flight on either side); with a slow replica, only until both sides have picked
     * a server, or {@link #PICK_WAIT_MS} at most (a request may wait in a queue). With fast
     * replicas the wait has no shorter bound than the clients' own timeout: a request that stalls
     * for seconds (a loaded machine) must not let the next one overtake it on one side, which would
     * hand the two their servers in the other order there.
     */
    private void waitUntilPicked(
            long n,
            CompletableFuture<Answer> onHaproxy,
            CompletableFuture<Answer> onLbkit,
            boolean slow,
            long haproxyBefore) {
        long deadline =
                System.nanoTime()
                        + TimeUnit.MILLISECONDS.toNanos(
                                slow ? PICK_WAIT_MS : CALL_TIMEOUT_MS + 1000L);
        long nextPoll = 0;
        boolean haproxyPicked = false;
        while (System.nanoTime() < deadline) {
            drainPicks();
            boolean lbkitPicked = onLbkit.isDone() || (slow && picksByRequest.containsKey(n));
            if (!haproxyPicked) {
                haproxyPicked = onHaproxy.isDone();
                if (!haproxyPicked && haproxyBefore >= 0 && System.nanoTime() >= nextPoll) {
                    haproxyPicked = haproxyPicks() > haproxyBefore;
                    nextPoll = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3);
                }
            }
            if (lbkitPicked && haproxyPicked) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(300));
        }
    }

    /** HAProxy's picks so far: the sum of its servers' {@code lbtot}. */
    private long haproxyPicks() {
        long sum = 0;
        for (Map<String, String> row :
                StatRows.servers(
                        RuntimeApiClient.send(sides.haproxy().statsPort(), "show stat"),
                        backend.name())) {
            sum += StatRows.number(row.get("lbtot"));
        }
        return sum;
    }

    private void drainPicks() {
        WatchedBalancer.Pick pick;
        while ((pick = reportedPicks.poll()) != null) {
            if (pick.request() >= 0) {
                picksByRequest.put(pick.request(), pick);
            }
        }
    }

    private Answer call(SideBySide.Endpoint side, Traffic.Request request, List<String> headers) {
        long start = System.nanoTime();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", side.port());
        try (RawHttpClient client = new RawHttpClient(address, request.source(), CALL_TIMEOUT_MS)) {
            RawHttpClient.Response response =
                    client.get(request.target(), "127.0.0.1:" + side.port(), headers, false);
            return new Answer(sides.answeredBy(response), (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            return new Answer("error: " + e.getMessage(), (System.nanoTime() - start) / 1_000_000);
        }
    }

    private void answered(long n, Traffic.Request request, Answer haproxy, Answer lbkitAnswer) {
        drainPicks();
        WatchedBalancer.Pick pick = picksByRequest.remove(n);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("n", n);
        event.put(
                "request",
                request.source() == null
                        ? request.target()
                        : request.source().getHostAddress() + " " + request.target());
        if (haproxy != null) {
            event.put("haproxy", haproxy.server());
            event.put("haproxyMs", haproxy.millis());
        }
        event.put("lbkit", lbkitAnswer.server());
        event.put("lbkitMs", lbkitAnswer.millis());
        event.put("lbkitPick", pick == null ? null : pick.server());
        event.put("algorithm", view.explain(pick));
        String json;
        synchronized (this) {
            answered++;
            boolean alike = haproxy == null || haproxy.server().equals(lbkitAnswer.server());
            if (alike) {
                same++;
            }
            if (haproxy != null) {
                counts.get("haproxy").merge(haproxy.server(), 1, Integer::sum);
            }
            counts.get("lbkit").merge(lbkitAnswer.server(), 1, Integer::sum);
            event.put("same", alike);
            event.put("agreement", agreement());
            event.put("counts", copyOfCounts());
            json = Json.of(event);
            recentRequests.addLast(event);
            while (recentRequests.size() > RECENT_REQUESTS) {
                recentRequests.removeFirst();
            }
        }
        publish("request", json);
    }

    // Guarded by this.
    private Map<String, Object> agreement() {
        return Map.of("same", same, "answered", answered);
    }

    // Guarded by this.
    private Map<String, Object> copyOfCounts() {
        Map<String, Object> copy = new LinkedHashMap<>();
        counts.forEach((side, perServer) -> copy.put(side, new LinkedHashMap<>(perServer)));
        return copy;
    }

    // ---- state ----

    private void publishState() {
        try {
            publish("state", Json.of(state()));
        } catch (RuntimeException e) {
            System.err.println("[lbkit live] state: " + e.getMessage());
        }
    }

    private Map<String, Object> state() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rate", rate);
        out.put("queued", burst.get());
        Map<String, Object> stats = new LinkedHashMap<>();
        for (String side : sideNames()) {
            Map<String, Object> rows = new LinkedHashMap<>();
            try {
                for (Map<String, String> row :
                        StatRows.servers(
                                RuntimeApiClient.send(endpoint(side).statsPort(), "show stat"),
                                backend.name())) {
                    rows.put(
                            row.get("svname"),
                            Map.of(
                                    "status",
                                    row.getOrDefault("status", ""),
                                    "weight",
                                    row.getOrDefault("weight", ""),
                                    "scur",
                                    row.getOrDefault("scur", ""),
                                    "lbtot",
                                    row.getOrDefault("lbtot", "")));
                }
            } catch (RuntimeException e) {
                rows.put("error", e.getMessage());
            }
            stats.put(side, rows);
        }
        out.put("showStat", stats);
        out.put("lbkit", view.state());
        List<Object> replicas = new ArrayList<>();
        for (int i = 0; i < sides.replicas().size(); i++) {
            FlaskReplica replica = sides.replicas().get(i);
            replicas.add(
                    Map.of(
                            "server",
                            sides.serverNames().get(i),
                            "replica",
                            replica.name(),
                            "delayMs",
                            replica.delay().toMillis()));
        }
        out.put("replicas", replicas);
        synchronized (this) {
            out.put("agreement", agreement());
            out.put("counts", copyOfCounts());
        }
        return out;
    }

    private Map<String, Object> hello() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("title", episode.title());
        out.put("episode", episode.folder());
        out.put("config", config);
        out.put("backend", backend.name());
        out.put("algorithm", view.algorithm().keyword());
        out.put("servers", sides.serverNames());
        out.put("line", lineText);
        out.put("haproxy", sides.haproxy() == null ? null : sides.haproxy().side());
        out.put("lbkit", sides.lbkit().side());
        out.put("lbkitConfig", sides.lbkit().config());
        out.put("ring", view.usesRing());
        synchronized (this) {
            out.put("recentRequests", new ArrayList<>(recentRequests));
            out.put("recentCommands", new ArrayList<>(recentCommands));
        }
        out.put("state", state());
        return out;
    }

    @Override
    public void close() {
        running = false;
        driver.interrupt();
        ticker.shutdownNow();
        senders.shutdownNow();
        publisher.shutdownNow();
        sides.close();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
