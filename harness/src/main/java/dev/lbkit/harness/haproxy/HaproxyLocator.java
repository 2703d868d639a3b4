package dev.lbkit.harness.haproxy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;

/**
 * Finds the HAProxy this machine offers, as chosen by {@code -Dlbkit.haproxy} (or env {@code
 * LBKIT_HAPROXY}): {@code auto}, {@code container}, {@code binary} or {@code none}.
 *
 * <p>{@code auto} takes the container when Docker answers and the image ({@code -Dhaproxy.image},
 * else {@code haproxy:<line>} for {@code -Dlbkit.haproxy.version}, default {@value
 * HaproxyContainer#DEFAULT_IMAGE}) is local or can be pulled, or its line's locally built {@code
 * local/haproxy:<line>} is there ({@link HaproxyImages}); else the {@code haproxy} binary on PATH
 * (or in /usr/sbin, /usr/local/sbin), else none. Each kind is looked up once per JVM.
 */
public final class HaproxyLocator {

    public static final String CHOICE_PROPERTY = "lbkit.haproxy";
    public static final String CHOICE_ENV = "LBKIT_HAPROXY";
    public static final String IMAGE_PROPERTY = "haproxy.image";

    private static final List<Path> USUAL_BINARIES =
            List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/local/sbin/haproxy"));
    private static final Map<Haproxy.Kind, Lookup> LOOKUPS = new EnumMap<>(Haproxy.Kind.class);

    /** Which HAProxy the user asked for. */
    public enum Choice {
        AUTO,
        CONTAINER,
        BINARY,
        NONE;

        /** Whether this choice allows the given kind (auto allows both). */
        public boolean allows(Haproxy.Kind kind) {
            return this == AUTO || name().equals(kind.name());
        }
    }

    /**
     * The outcome of looking for one HAProxy: either found, or the reason it is not there.
     *
     * @param haproxy the HAProxy found, its version already read
     * @param missing why none was found (empty when found)
     */
    public record Lookup(Optional<Haproxy> haproxy, String missing) {

        static Lookup found(Haproxy haproxy) {
            return new Lookup(Optional.of(haproxy), "");
        }

        static Lookup missing(String why) {
            return new Lookup(Optional.empty(), why);
        }
    }

    private HaproxyLocator() {}

    /**
     * The choice from {@code -Dlbkit.haproxy}, else {@code LBKIT_HAPROXY}, else auto. The Maven
     * build always passes {@code -Dlbkit.haproxy=auto}, so auto there defers to the environment
     * variable.
     */
    public static Choice choice() {
        String property = System.getProperty(CHOICE_PROPERTY, "").strip();
        String env = Optional.ofNullable(System.getenv(CHOICE_ENV)).orElse("").strip();
        if (!property.isEmpty() && !(property.equalsIgnoreCase("auto") && !env.isEmpty())) {
            return parseChoice(property, "-D" + CHOICE_PROPERTY);
        }
        return env.isEmpty() ? Choice.AUTO : parseChoice(env, CHOICE_ENV);
    }

    /** Reads a choice, failing with the allowed values when it is none of them. */
    public static Choice parseChoice(String text, String source) {
        try {
            return Choice.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(
                    source
                            + "="
                            + text
                            + " is not a HAProxy choice: use auto, container, binary or none");
        }
    }

    /**
     * The image for the container kind: {@code -Dhaproxy.image}, else the official image of the
     * line {@code -Dlbkit.haproxy.version} asks ({@code haproxy:3.2}), default {@value
     * HaproxyContainer#DEFAULT_IMAGE}.
     */
    public static String image() {
        String image = System.getProperty(IMAGE_PROPERTY, "").strip();
        return image.isEmpty() ? HaproxyImages.official(HaproxyImages.lineAsked()) : image;
    }

    /** The HAProxy the current {@link #choice()} selects, or why there is none. */
    public static Lookup find() {
        Choice choice = choice();
        return switch (choice) {
            case NONE -> Lookup.missing(CHOICE_PROPERTY + "=none turns HAProxy off");
            case CONTAINER -> find(Haproxy.Kind.CONTAINER);
            case BINARY -> find(Haproxy.Kind.BINARY);
            case AUTO -> {
                Lookup container = find(Haproxy.Kind.CONTAINER);
                if (container.haproxy().isPresent()) {
                    yield container;
                }
                Lookup binary = find(Haproxy.Kind.BINARY);
                yield binary.haproxy().isPresent()
                        ? binary
                        : Lookup.missing(
                                "no container ("
                                        + container.missing()
                                        + ") and no binary ("
                                        + binary.missing()
                                        + ")");
            }
        };
    }

    /**
     * The binary when this machine has one and the choice is auto (it starts in milliseconds, for
     * tests that start or check HAProxy many times), else what {@link #find()} finds: a machine
     * with Docker and no binary runs those tests against the container.
     */
    public static Lookup findPreferringBinary() {
        if (choice() == Choice.AUTO) {
            Lookup binary = find(Haproxy.Kind.BINARY);
            if (binary.haproxy().isPresent()) {
                return binary;
            }
        }
        return find();
    }

    /** That kind of HAProxy, with its version read, or why it is not available here. */
    public static synchronized Lookup find(Haproxy.Kind kind) {
        return LOOKUPS.computeIfAbsent(
                kind, k -> k == Haproxy.Kind.CONTAINER ? lookForContainer() : lookForBinary());
    }

    private static Lookup lookForContainer() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return Lookup.missing(
                    "Docker does not answer" + DockerEnvironment.whyTestcontainersMayNotReachIt());
        }
        HaproxyImages.Resolved resolved = HaproxyImages.resolve(image());
        if (resolved.image().isEmpty()) {
            return Lookup.missing(
                    resolved.missing()
                            + " (docker pull "
                            + image()
                            + " where a registry answers, or set -D"
                            + IMAGE_PROPERTY
                            + "=...)");
        }
        return withVersion(Haproxy.container(resolved.image().get()));
    }

    private static Lookup lookForBinary() {
        Optional<Path> binary = binaryOnThisMachine();
        return binary.isEmpty()
                ? Lookup.missing("no haproxy on PATH, in /usr/sbin or /usr/local/sbin")
                : withVersion(Haproxy.binary(binary.get()));
    }

    private static Lookup withVersion(Haproxy haproxy) {
        try {
            haproxy.version();
            return Lookup.found(haproxy);
        } catch (RuntimeException broken) {
            return Lookup.missing(
                    haproxy.kind().id()
                            + " "
                            + haproxy.where()
                            + " cannot report its version: "
                            + broken.getMessage());
        }
    }

    /** The first executable {@code haproxy} on PATH, then the usual sbin places. */
    public static Optional<Path> binaryOnThisMachine() {
        List<Path> candidates = new ArrayList<>();
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isBlank()) {
                candidates.add(Path.of(directory, "haproxy"));
            }
        }
        candidates.addAll(USUAL_BINARIES);
        return candidates.stream()
                .filter(Files::isRegularFile)
                .filter(Files::isExecutable)
                .findFirst();
    }
}
