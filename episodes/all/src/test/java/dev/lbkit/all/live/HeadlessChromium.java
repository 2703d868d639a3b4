package dev.lbkit.all.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * A real headless Chromium driven over the DevTools protocol (a WebSocket on 127.0.0.1, through
 * OkHttp): open a page, evaluate JavaScript in it (to click a control or read what it shows), take
 * a screenshot. No WebDriver, no extra library; the browser is Debian's {@code chromium}.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final Path profile;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ZERO).build();
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending =
            new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private String session;

    private HeadlessChromium(Process process, Path profile, String browserUrl) {
        this.process = process;
        this.profile = profile;
        this.socket =
                http.newWebSocket(
                        new Request.Builder().url(browserUrl).build(),
                        new WebSocketListener() {
                            @Override
                            @SuppressWarnings("unchecked")
                            public void onMessage(WebSocket webSocket, String text) {
                                Map<String, Object> message =
                                        (Map<String, Object>) MiniJson.parse(text);
                                Object id = message.get("id");
                                if (id instanceof Double d) {
                                    CompletableFuture<Map<String, Object>> waiting =
                                            pending.remove(d.intValue());
                                    if (waiting != null) {
                                        waiting.complete(message);
                                    }
                                }
                            }

                            @Override
                            public void onFailure(
                                    WebSocket webSocket, Throwable t, Response response) {
                                pending.values().forEach(f -> f.completeExceptionally(t));
                            }
                        });
    }

    /**
     * Chromium on this machine: {@code -Dlbkit.chromium=PATH}, else chromium, chromium-browser or
     * google-chrome on the PATH.
     */
    static Optional<Path> find() {
        String chosen = System.getProperty("lbkit.chromium");
        if (chosen != null && !chosen.isBlank()) {
            return Optional.of(Path.of(chosen)).filter(Files::isExecutable);
        }
        for (String dir :
                System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts {@code binary} headless with a fresh profile and a page {@code width} x {@code height}
     * CSS pixels.
     */
    static HeadlessChromium start(Path binary, int width, int height)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("lbkit-chromium-");
        Process process =
                new ProcessBuilder(
                                binary.toString(),
                                "--headless=new",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-dev-shm-usage",
                                "--no-first-run",
                                "--no-default-browser-check",
                                "--remote-debugging-address=127.0.0.1",
                                "--remote-debugging-port=0",
                                "--user-data-dir=" + profile,
                                "--window-size=" + width + "," + height,
                                "about:blank")
                        .redirectErrorStream(true)
                        .start();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader lines =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String line = lines.readLine();
                                        line != null;
                                        line = lines.readLine()) {
                                    Matcher m = LISTENING.matcher(line);
                                    if (m.find()) {
                                        url.complete(m.group(1));
                                    }
                                }
                            } catch (IOException ignored) {
                                // the browser is gone; start() reports it if it never said where it
                                // listens
                            }
                            url.completeExceptionally(
                                    new IOException("chromium exited without a DevTools address"));
                        },
                        "chromium-output");
        reader.setDaemon(true);
        reader.start();
        String browserUrl;
        try {
            browserUrl = url.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException(
                    "chromium did not start its DevTools endpoint within 60 s: " + e.getMessage(),
                    e);
        }
        HeadlessChromium chromium = new HeadlessChromium(process, profile, browserUrl);
        String target =
                (String)
                        chromium.call(null, "Target.createTarget", Map.of("url", "about:blank"))
                                .get("targetId");
        chromium.session =
                (String)
                        chromium.call(
                                        null,
                                        "Target.attachToTarget",
                                        Map.of("targetId", target, "flatten", true))
                                .get("sessionId");
        chromium.page("Page.enable", Map.of());
        chromium.page(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
        return chromium;
    }

    /** Opens {@code url} in the page. */
    void open(String url) {
        page("Page.navigate", Map.of("url", url));
    }

    /**
     * Evaluates {@code expression} in the page and returns its value (strings, numbers as doubles,
     * booleans).
     */
    @SuppressWarnings("unchecked")
    Object eval(String expression) {
        Map<String, Object> result =
                page(
                        "Runtime.evaluate",
                        Map.of(
                                "expression",
                                expression,
                                "returnByValue",
                                true,
                                "awaitPromise",
                                true));
        if (result.containsKey("exceptionDetails")) {
            throw new IllegalStateException(
                    "the page threw on '" + expression + "': " + result.get("exceptionDetails"));
        }
        return ((Map<String, Object>) result.get("result")).get("value");
    }

    /**
     * Evaluates {@code expression} until {@code done} accepts its value; fails after {@code
     * timeout} with the last value.
     */
    Object waitFor(String expression, Predicate<Object> done, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = eval(expression);
                if (done.test(last)) {
                    return last;
                }
            } catch (IllegalStateException notYet) {
                last = notYet.getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "the page never satisfied the wait on '"
                        + expression
                        + "' within "
                        + timeout
                        + "; last value: "
                        + last);
    }

    /** Saves a PNG of the whole page at {@code file}. */
    void screenshot(Path file) throws IOException {
        Map<String, Object> result =
                page(
                        "Page.captureScreenshot",
                        Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode((String) result.get("data")));
    }

    private Map<String, Object> page(String method, Map<String, Object> params) {
        return call(session, method, params);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> call(String sessionId, String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("method", method);
        message.put("params", params);
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        socket.send(Json.of(message));
        Map<String, Object> reply;
        try {
            reply = answer.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("chromium did not answer " + method + ": " + e, e);
        }
        if (reply.containsKey("error")) {
            throw new IllegalStateException(
                    "chromium refused " + method + ": " + reply.get("error"));
        }
        return (Map<String, Object>) reply.get("result");
    }

    @Override
    public void close() throws IOException {
        socket.close(1000, "done");
        // Chromium's helper processes (network, GPU) outlive the browser for a moment and keep
        // writing into the profile; they are ours to end too.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        deleteProfile();
    }

    /** Deletes the profile; a file a helper process removed meanwhile is simply gone. */
    private void deleteProfile() throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                return;
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                    throw e;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                return;
            }
        }
    }
}
