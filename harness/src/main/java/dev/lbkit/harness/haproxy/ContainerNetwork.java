package dev.lbkit.harness.haproxy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a HAProxy container reaches the test's ports and replicas.
 *
 * <ul>
 *   <li>{@link #HOST}: host networking ({@code --network host}); the config runs as written, its
 *       {@code bind 127.0.0.1:PORT} lines listen on this machine. What Linux with a native Docker
 *       gives, and the only mode CI runs.
 *   <li>{@link #PUBLISHED}: Docker's default network with published ports, for Docker Desktop
 *       (macOS, Windows), which has no host networking by default. HAProxy binds {@code
 *       0.0.0.0:PORT} inside the container, each port is published on the host's {@code
 *       127.0.0.1:PORT}, and the servers on this machine's loopback are reached as {@code
 *       host.docker.internal} ({@code --add-host host.docker.internal:host-gateway}, which Linux
 *       needs and Docker Desktop has anyway). Not exercised in CI: the machines the kit is tested
 *       on keep all traffic on 127.0.0.0/8 and have no bridge network. Client addresses arrive as
 *       the gateway's, so {@code balance source} cannot be compared this way until the PROXY
 *       protocol carries them (issue #16).
 * </ul>
 *
 * Chosen with {@code -Dlbkit.haproxy.network=auto|host|published} (env {@code
 * LBKIT_HAPROXY_NETWORK}); {@code auto} takes host networking unless the JVM runs outside Linux or
 * Docker is Docker Desktop.
 */
public enum ContainerNetwork {
    HOST,
    PUBLISHED;

    public static final String PROPERTY = "lbkit.haproxy.network";
    public static final String ENVIRONMENT = "LBKIT_HAPROXY_NETWORK";

    /** The name containers use for this machine in {@link #PUBLISHED} mode. */
    public static final String HOST_GATEWAY_NAME = "host.docker.internal";

    private static final Pattern BIND_ADDRESS =
            Pattern.compile("^(ipv4@|tcp@|tcp4@)?([^:@/]*):(\\d+(?:-\\d+)?)$");
    private static final Pattern STATS_TCP =
            Pattern.compile("^(ipv4@|tcp@|tcp4@)([^:@/]*):(\\d+)$");
    private static final Pattern SERVER_ADDRESS =
            Pattern.compile("^(127\\.\\d+\\.\\d+\\.\\d+|localhost)(:\\d+)?$");
    private static final Pattern WORD = Pattern.compile("\\S+");

    /** The lower-case name used by {@code -Dlbkit.haproxy.network}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode asked for, or for {@code auto} the one {@link #detect} picks from this JVM and
     * Docker's OS.
     */
    public static ContainerNetwork chosen(
            java.util.function.Supplier<String> dockerOperatingSystem) {
        String asked = System.getProperty(PROPERTY, "").strip();
        if (asked.isEmpty() || asked.equalsIgnoreCase("auto")) {
            asked = Optional.ofNullable(System.getenv(ENVIRONMENT)).orElse("").strip();
        }
        if (asked.isEmpty() || asked.equalsIgnoreCase("auto")) {
            return detect(System.getProperty("os.name", ""), dockerOperatingSystem.get());
        }
        try {
            return valueOf(asked.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(
                    "-D"
                            + PROPERTY
                            + "="
                            + asked
                            + " is not a container network: use auto, host or published");
        }
    }

    /**
     * Host networking only where it reaches this machine's loopback: a Linux JVM talking to a
     * Docker that is not Docker Desktop (whose containers live in a VM). Everything else publishes
     * ports.
     */
    static ContainerNetwork detect(String jvmOsName, String dockerOperatingSystem) {
        boolean linux = jvmOsName.toLowerCase(Locale.ROOT).startsWith("linux");
        boolean desktop =
                Optional.ofNullable(dockerOperatingSystem)
                        .orElse("")
                        .toLowerCase(Locale.ROOT)
                        .contains("docker desktop");
        return linux && !desktop ? HOST : PUBLISHED;
    }

    /**
     * The config as HAProxy must read it inside a {@link #PUBLISHED} container: every TCP {@code
     * bind} and TCP {@code stats socket} listens on {@code 0.0.0.0} (the port stays), and every
     * {@code server} on this machine's loopback ({@code 127.x.y.z}, {@code localhost}) is reached
     * as {@value #HOST_GATEWAY_NAME}. Everything else is left as written.
     */
    public static String rewriteForPublished(String configText) {
        List<String> out = new ArrayList<>();
        for (String line : configText.split("\n", -1)) {
            String[] words = withoutComment(line).trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("bind")) {
                out.add(replaceWord(line, 1, rewriteBindList(words[1])));
            } else if (words.length >= 3
                    && words[0].equals("stats")
                    && words[1].equals("socket")
                    && STATS_TCP.matcher(words[2]).matches()) {
                Matcher m = STATS_TCP.matcher(words[2]);
                m.matches();
                out.add(replaceWord(line, 2, m.group(1) + "0.0.0.0:" + m.group(3)));
            } else if (words.length >= 3
                    && words[0].equals("server")
                    && SERVER_ADDRESS.matcher(words[2]).matches()) {
                Matcher m = SERVER_ADDRESS.matcher(words[2]);
                m.matches();
                out.add(
                        replaceWord(
                                line,
                                2,
                                HOST_GATEWAY_NAME + Optional.ofNullable(m.group(2)).orElse("")));
            } else {
                out.add(line);
            }
        }
        return String.join("\n", out);
    }

    /**
     * The ports a {@link #PUBLISHED} container publishes, as Docker port bindings {@code
     * 127.0.0.1:PORT:PORT}: every TCP {@code bind} port and TCP {@code stats socket} port, so a
     * client on this machine connects to the same address as with host networking, and nothing
     * listens beyond loopback.
     */
    public static List<String> publishedPortBindings(String configText) {
        Set<Integer> ports = new LinkedHashSet<>();
        BindAddress.allIn(configText).forEach(bind -> ports.add(bind.port()));
        for (String line : configText.split("\n", -1)) {
            String[] words = withoutComment(line).trim().split("\\s+");
            if (words.length >= 3 && words[0].equals("stats") && words[1].equals("socket")) {
                Matcher m = STATS_TCP.matcher(words[2]);
                if (m.matches()) {
                    ports.add(Integer.parseInt(m.group(3)));
                }
            }
        }
        return ports.stream().map(port -> "127.0.0.1:" + port + ":" + port).toList();
    }

    private static String rewriteBindList(String addresses) {
        List<String> rewritten = new ArrayList<>();
        for (String address : addresses.split(",")) {
            Matcher m = BIND_ADDRESS.matcher(address);
            rewritten.add(
                    m.matches()
                            ? Optional.ofNullable(m.group(1)).orElse("") + "0.0.0.0:" + m.group(3)
                            : address);
        }
        return String.join(",", rewritten);
    }

    private static String replaceWord(String line, int n, String replacement) {
        Matcher m = WORD.matcher(line);
        int i = 0;
        while (m.find()) {
            if (i++ == n) {
                return line.substring(0, m.start()) + replacement + line.substring(m.end());
            }
        }
        return line;
    }

    private static String withoutComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }
}
