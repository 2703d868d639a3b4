package dev.lbkit.all.live;

import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * {@code ./lbkit demo <episode> --web}: the episode's replicas, a real HAProxy and lbkit side by
 * side, and a page on 127.0.0.1 where the learner sends traffic through both, watches each request
 * land and the distributions fill in, and changes weights, server states, replica delays and the
 * rate, every change applied to both balancers through their runtime APIs. The page is plain HTML,
 * CSS and JavaScript from {@code src/main/resources/live}; events reach it as server-sent events.
 */
public final class LiveView implements AutoCloseable {
    private static final String USAGE =
            """
            usage: ./lbkit demo <episode> --web [--port P] [--rate R]
              <episode>   1-6 or roundrobin, leastconn, source-hash, uri-hash, random, weighted
              --port P    the page's port on 127.0.0.1 (default 0: any free port)
              --rate R    requests per second at the start (default: the episode's, 1 or 2; 0 = paused)""";

    private final LiveSession session;
    private final Javalin web;

    private LiveView(LiveSession session, Javalin web) {
        this.session = session;
        this.web = web;
    }

    public static void main(String[] args) throws Exception {
        String episodeName = null;
        int port = 0;
        Double rate = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--web" -> {}
                    case "--port" ->
                            port = (int) number(value(args, ++i, "--port"), "--port", 0, 65_535);
                    case "--rate" -> rate = number(value(args, ++i, "--rate"), "--rate", 0, 200);
                    default -> {
                        if (episodeName != null || args[i].startsWith("-")) {
                            throw new IllegalArgumentException(
                                    "unexpected argument '" + args[i] + "'");
                        }
                        episodeName = args[i];
                    }
                }
            }
            if (episodeName == null) {
                throw new IllegalArgumentException("which episode?");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("lbkit: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        LiveEpisode episode;
        try {
            episode = LiveEpisode.named(episodeName);
        } catch (IllegalArgumentException e) {
            System.err.println("lbkit: " + e.getMessage());
            System.exit(2);
            return;
        }
        HaproxyLocator.Lookup lookup = HaproxyLocator.find();
        SideBySide.HaproxyStarter haproxy =
                lookup.haproxy().map(SideBySide.HaproxyStarter::of).orElse(null);
        System.out.println("== " + episode.title() + " — live view");
        System.out.println(
                haproxy == null
                        ? "No HAProxy on this machine ("
                                + lookup.missing()
                                + "): the page shows lbkit alone."
                        : "Side by side with "
                                + haproxy.describe()
                                + "; lbkit balances as HAProxy "
                                + haproxy.line().text());
        LiveView view =
                start(
                        episode,
                        haproxy,
                        UnaryOperator.identity(),
                        port,
                        rate == null ? episode.rate() : rate);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    view.close();
                                    stopped.countDown();
                                }));
        System.out.println();
        System.out.println(
                "Open "
                        + view.url()
                        + " in a browser. Ctrl-C stops the page, lbkit, HAProxy and the replicas.");
        stopped.await();
    }

    private static double number(String text, String flag, double min, double max) {
        try {
            double value = Double.parseDouble(text.strip());
            if (value >= min
                    && value <= max
                    && (!flag.equals("--port") || value == Math.rint(value))) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException(
                flag
                        + " must be a "
                        + (flag.equals("--port") ? "whole " : "")
                        + "number from "
                        + (long) min
                        + " to "
                        + (long) max
                        + ", got '"
                        + text
                        + "'");
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    /**
     * Starts the episode and its page on 127.0.0.1:{@code port} (0: any free port). {@code
     * lbkitChange} rewrites lbkit's config (identity, except in the negative control); {@code rate}
     * is requests per second.
     */
    static LiveView start(
            LiveEpisode episode,
            SideBySide.HaproxyStarter haproxy,
            UnaryOperator<String> lbkitChange,
            int port,
            double rate)
            throws Exception {
        LiveSession session = LiveSession.start(episode, haproxy, lbkitChange, rate);
        try {
            return new LiveView(session, web(session, port));
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static Javalin web(LiveSession session, int port) {
        return Javalin.create(
                        cfg -> {
                            cfg.startup.showJavalinBanner = false;
                            cfg.jetty.host = "127.0.0.1";
                            cfg.jetty.port = port;
                            cfg.staticFiles.add(
                                    files -> {
                                        files.hostedPath = "/";
                                        files.directory = "/live";
                                        files.location = Location.CLASSPATH;
                                    });
                            cfg.routes.sse(
                                    "/events",
                                    client -> {
                                        client.keepAlive();
                                        Consumer<LiveSession.Event> send =
                                                event -> {
                                                    if (client.terminated()) {
                                                        throw new IllegalStateException(
                                                                "the page has gone"); // LiveSession
                                                        // then drops
                                                        // it
                                                    }
                                                    client.sendEvent(event.name(), event.json());
                                                };
                                        client.onClose(() -> session.unsubscribe(send));
                                        session.subscribe(send);
                                    });
                            // Only this page may act: another site open in the same browser could
                            // post here too.
                            cfg.routes.before(
                                    "/api/*",
                                    ctx -> {
                                        String origin = ctx.header("Origin");
                                        if (origin != null
                                                && !origin.equals("http://" + ctx.host())) {
                                            throw new io.javalin.http.ForbiddenResponse(
                                                    "the live view takes controls from its own page only");
                                        }
                                    });
                            cfg.routes.post(
                                    "/api/rate",
                                    ctx ->
                                            answer(
                                                    ctx,
                                                    () -> session.setRate(number(ctx, "value"))));
                            cfg.routes.post(
                                    "/api/send",
                                    ctx ->
                                            answer(
                                                    ctx,
                                                    () ->
                                                            session.burst(
                                                                    (int) number(ctx, "count"))));
                            cfg.routes.post(
                                    "/api/weight",
                                    ctx ->
                                            answer(
                                                    ctx,
                                                    () ->
                                                            session.setWeight(
                                                                    ctx.formParam("server"),
                                                                    ctx.formParam("weight"))));
                            cfg.routes.post(
                                    "/api/state",
                                    ctx ->
                                            answer(
                                                    ctx,
                                                    () ->
                                                            session.setState(
                                                                    ctx.formParam("server"),
                                                                    ctx.formParam("state"))));
                            cfg.routes.post(
                                    "/api/delay",
                                    ctx ->
                                            answer(
                                                    ctx,
                                                    () ->
                                                            session.setDelay(
                                                                    ctx.formParam("server"),
                                                                    (long) number(ctx, "ms"))));
                            cfg.routes.post(
                                    "/api/command",
                                    ctx ->
                                            answer(
                                                    ctx,
                                                    () ->
                                                            session.runtimeCommand(
                                                                    ctx.formParam("command"))));
                            cfg.routes.post("/api/reset", ctx -> answer(ctx, session::reset));
                        })
                .start();
    }

    private static double number(Context ctx, String name) {
        String value = ctx.formParam(name);
        try {
            return Double.parseDouble(value == null ? "" : value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'");
        }
    }

    /**
     * Runs a control and answers its result as JSON, or 400 with the reason when the input is
     * wrong.
     */
    private static void answer(
            Context ctx, java.util.function.Supplier<Map<String, Object>> control) {
        try {
            ctx.contentType("application/json").result(Json.of(control.get()));
        } catch (IllegalArgumentException e) {
            ctx.status(400)
                    .contentType("application/json")
                    .result(Json.of(Map.of("error", e.getMessage())));
        }
    }

    /** The page's address, e.g. {@code http://127.0.0.1:41234/}. */
    public String url() {
        return "http://127.0.0.1:" + web.port() + "/";
    }

    @Override
    public void close() {
        session.close();
        web.stop();
    }
}
