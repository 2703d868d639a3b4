package dev.lbkit.harness.haproxy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.lbkit.balancer.config.HaproxyLine;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which HAProxy image a run uses, and getting it: local if it is there, else pulled from the
 * registry Docker is set up with (with a progress line), else, when the pull fails (offline), the
 * locally built {@code local/haproxy:<line>} that .ci/build-haproxy-image.sh and
 * .ci/build-haproxy-versions.sh make.
 *
 * <pre>{@code
 * [lbkit] haproxy:2.6 is not in the local Docker: pulling it (docker pull haproxy:2.6)...
 * [lbkit] pulling haproxy:2.6: 3 of 5 layers, 12.1 of 40.3 MB
 * [lbkit] pulled haproxy:2.6 in 4.2 s
 * }</pre>
 *
 * or, offline:
 *
 * <pre>{@code
 * [lbkit] pull of haproxy:2.6 failed (... connection refused): using the locally built local/haproxy:2.6
 * }</pre>
 */
public final class HaproxyImages {

    /**
     * The HAProxy line the tests meet, e.g. {@code 3.2}: chooses the image {@code haproxy:<line>}.
     */
    public static final String VERSION_PROPERTY = "lbkit.haproxy.version";

    /** How long a pull may take, in seconds (default {@value #DEFAULT_PULL_TIMEOUT_SECONDS}). */
    public static final String PULL_TIMEOUT_PROPERTY = "lbkit.haproxy.pull.timeout";

    /** {@code false} never pulls (only local images are used). */
    public static final String PULL_PROPERTY = "lbkit.haproxy.pull";

    static final long DEFAULT_PULL_TIMEOUT_SECONDS = 300;

    private static final Pattern OFFICIAL =
            Pattern.compile(
                    "^(?:(?:docker\\.io|index\\.docker\\.io|registry-1\\.docker\\.io)/)?(?:library/)?haproxy:(\\d+\\.\\d+)(?:[.\\-].*)?$");
    private static final Pattern DOCKER_MESSAGE =
            Pattern.compile("\\{\"message\":\"((?:[^\"\\\\]|\\\\.)*)\"\\}");
    private static final Map<String, Resolved> RESOLVED = new ConcurrentHashMap<>();

    private HaproxyImages() {}

    /** What a run does with Docker's image store: the two operations the resolution needs. */
    interface Store {
        boolean has(String image);

        /** Pulls {@code image}; throws with Docker's reason when it cannot. */
        void pull(String image, Duration timeout, Consumer<String> progress) throws Exception;
    }

    /**
     * The outcome: the image to run, or why there is none.
     *
     * @param image the image to run (empty when none)
     * @param how "local", "pulled" or "fallback" (the locally built image, after a failed pull)
     * @param missing why there is none (empty when found)
     */
    public record Resolved(Optional<String> image, String how, String missing) {
        static Resolved found(String image, String how) {
            return new Resolved(Optional.of(image), how, "");
        }

        static Resolved none(String why) {
            return new Resolved(Optional.empty(), "", why);
        }
    }

    /**
     * The line asked with {@code -Dlbkit.haproxy.version} (else env LBKIT_HAPROXY_VERSION), default
     * 2.6.
     */
    public static HaproxyLine lineAsked() {
        String asked = System.getProperty(VERSION_PROPERTY, "").strip();
        String source = "-D" + VERSION_PROPERTY;
        if (asked.isEmpty()) {
            asked = Optional.ofNullable(System.getenv(HaproxyLine.ENVIRONMENT)).orElse("").strip();
            source = HaproxyLine.ENVIRONMENT;
        }
        return asked.isEmpty() ? HaproxyLine.DEFAULT : HaproxyLine.requireKnown(asked, source);
    }

    /** The official image of a line, e.g. {@code haproxy:2.6}. */
    public static String official(HaproxyLine line) {
        return "haproxy:" + line.text();
    }

    /** The image lbkit's scripts build offline for a line, e.g. {@code local/haproxy:2.6}. */
    public static String localBuild(HaproxyLine line) {
        return "local/haproxy:" + line.text();
    }

    /**
     * For an official {@code haproxy:X.Y[...]} image, the locally built image of that line; else
     * empty.
     */
    static Optional<String> fallbackFor(String image) {
        Matcher m = OFFICIAL.matcher(image.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        HaproxyLine line = HaproxyLine.ofVersion(m.group(1));
        return line == null ? Optional.empty() : Optional.of(localBuild(line));
    }

    /**
     * Whether a pull may be tried: on unless {@code -Dlbkit.haproxy.pull=false}; never for {@code
     * local/...}.
     */
    static boolean pullAllowed(String image) {
        return !image.startsWith("local/")
                && !"false".equalsIgnoreCase(System.getProperty(PULL_PROPERTY, "true").strip());
    }

    /**
     * {@code image} resolved against the Docker Testcontainers talks to; once per image and JVM.
     */
    public static Resolved resolve(String image) {
        return RESOLVED.computeIfAbsent(
                image, asked -> resolve(asked, dockerStore(), pullTimeout(), System.out::println));
    }

    /** The resolution itself: local, else pulled, else the locally built image of the same line. */
    static Resolved resolve(String image, Store store, Duration timeout, Consumer<String> say) {
        if (store.has(image)) {
            return Resolved.found(image, "local");
        }
        String pullFailure;
        if (pullAllowed(image)) {
            say.accept(
                    "[lbkit] "
                            + image
                            + " is not in the local Docker: pulling it (docker pull "
                            + image
                            + ")...");
            long start = System.nanoTime();
            try {
                store.pull(image, timeout, say);
                if (!store.has(image)) {
                    throw new IllegalStateException(
                            "Docker reported the pull done, but has no " + image);
                }
                say.accept(
                        String.format(
                                Locale.ROOT,
                                "[lbkit] pulled %s in %.1f s",
                                image,
                                (System.nanoTime() - start) / 1e9));
                return Resolved.found(image, "pulled");
            } catch (Exception failed) {
                if (failed instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                pullFailure = "the pull failed: " + oneLine(failed);
            }
        } else {
            pullFailure =
                    image.startsWith("local/")
                            ? "it is built locally, never pulled"
                            : "pulling is off (-D" + PULL_PROPERTY + "=false)";
        }
        Optional<String> fallback = fallbackFor(image);
        if (fallback.isPresent() && store.has(fallback.get())) {
            say.accept(
                    "[lbkit] "
                            + image
                            + " is not available ("
                            + pullFailure
                            + "): using the locally built "
                            + fallback.get());
            return Resolved.found(fallback.get(), "fallback");
        }
        String build =
                fallback.map(
                                local ->
                                        local.equals(localBuild(HaproxyLine.V2_6))
                                                ? ".ci/build-haproxy-image.sh " + local
                                                : ".ci/build-haproxy-versions.sh "
                                                        + local.substring(local.indexOf(':') + 1))
                        .orElse("");
        return Resolved.none(
                "image "
                        + image
                        + " is not in the local Docker and "
                        + pullFailure
                        + fallback.map(
                                        local ->
                                                "; nor is "
                                                        + local
                                                        + " (build it offline with "
                                                        + build
                                                        + ")")
                                .orElse(""));
    }

    private static String oneLine(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message =
                Optional.ofNullable(error.getMessage()).orElse(error.getClass().getSimpleName());
        if (root != error && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += " (" + root.getMessage() + ")";
        }
        Matcher json = DOCKER_MESSAGE.matcher(message);
        if (json.find()) {
            message =
                    json.group(1).replace("\\\"", "\""); // Docker's {"message":"..."} as plain text
        }
        return message.replaceAll("\\s+", " ").strip();
    }

    static Duration pullTimeout() {
        String text = System.getProperty(PULL_TIMEOUT_PROPERTY, "").strip();
        return Duration.ofSeconds(
                text.isEmpty() ? DEFAULT_PULL_TIMEOUT_SECONDS : Long.parseLong(text));
    }

    /** The store of the Docker that Testcontainers uses (DOCKER_HOST and the like). */
    static Store dockerStore() {
        return new Store() {
            @Override
            public boolean has(String image) {
                try {
                    client().inspectImageCmd(image).exec();
                    return true;
                } catch (RuntimeException notLocal) {
                    return false;
                }
            }

            @Override
            public void pull(String image, Duration timeout, Consumer<String> progress)
                    throws Exception {
                PullProgress callback = new PullProgress(image, progress);
                org.testcontainers.utility.DockerImageName name =
                        org.testcontainers.utility.DockerImageName.parse(image);
                client().pullImageCmd(name.getUnversionedPart())
                        .withTag(name.getVersionPart())
                        .exec(callback);
                try {
                    if (!callback.awaitCompletion(timeout.toSeconds(), TimeUnit.SECONDS)) {
                        throw new IllegalStateException(
                                "no answer within "
                                        + timeout.toSeconds()
                                        + " s (-D"
                                        + PULL_TIMEOUT_PROPERTY
                                        + "=SECONDS)");
                    }
                } finally {
                    callback.close();
                }
                if (callback.error.get() != null) {
                    throw new IllegalStateException(callback.error.get());
                }
            }

            private DockerClient client() {
                return org.testcontainers.DockerClientFactory.instance().client();
            }
        };
    }

    /** Prints a progress line every two seconds: layers done and megabytes downloaded. */
    static final class PullProgress extends ResultCallback.Adapter<PullResponseItem> {
        private static final long EVERY_NANOS = 2_000_000_000L;
        private final String image;
        private final Consumer<String> say;
        private final Map<String, long[]> layers = new ConcurrentHashMap<>();
        private final Map<String, Boolean> done = new ConcurrentHashMap<>();
        final AtomicReference<String> error = new AtomicReference<>();
        private long lastPrinted = System.nanoTime();

        PullProgress(String image, Consumer<String> say) {
            this.image = image;
            this.say = say;
        }

        @Override
        public void onNext(PullResponseItem item) {
            if (item.getErrorDetail() != null || item.getError() != null) {
                error.compareAndSet(
                        null,
                        item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                                ? item.getErrorDetail().getMessage()
                                : item.getError());
                return;
            }
            String id = item.getId();
            String status = Optional.ofNullable(item.getStatus()).orElse("");
            if (id != null && !id.equals(tagOf(image))) {
                if (item.getProgressDetail() != null
                        && item.getProgressDetail().getTotal() != null
                        && status.startsWith("Downloading")) {
                    layers.put(
                            id,
                            new long[] {
                                item.getProgressDetail().getCurrent(),
                                item.getProgressDetail().getTotal()
                            });
                } else {
                    layers.putIfAbsent(id, new long[] {0, 0});
                }
                if (status.equals("Pull complete")
                        || status.equals("Already exists")
                        || status.equals("Download complete")) {
                    done.put(id, true);
                    long[] size = layers.get(id);
                    size[0] = size[1];
                }
            }
            long now = System.nanoTime();
            if (now - lastPrinted >= EVERY_NANOS) {
                lastPrinted = now;
                long current = layers.values().stream().mapToLong(l -> l[0]).sum();
                long total = layers.values().stream().mapToLong(l -> l[1]).sum();
                say.accept(
                        String.format(
                                Locale.ROOT,
                                "[lbkit] pulling %s: %d of %d layers, %.1f of %.1f MB",
                                image,
                                done.size(),
                                layers.size(),
                                current / 1e6,
                                total / 1e6));
            }
        }

        @Override
        public void onError(Throwable throwable) {
            error.compareAndSet(null, oneLine(throwable));
            super.onError(throwable);
        }

        private static String tagOf(String image) {
            int colon = image.lastIndexOf(':');
            return colon < 0 ? "latest" : image.substring(colon + 1);
        }
    }
}
