package dev.lbkit.harness.haproxy;

import dev.lbkit.backends.Replicas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The article's configs, made runnable on this machine by changing addresses only: {@code bind
 * *:80} becomes {@code bind 127.0.0.1:<free port>} and {@code server x appN:500N} points at replica
 * N. Every other byte stays as the article wrote it.
 */
final class ArticleConfigs {

    private static final Pattern BIND = Pattern.compile("^(\\s*bind\\s+)\\S+");
    private static final Pattern SERVER =
            Pattern.compile("^(\\s*server\\s+\\S+\\s+)app(\\d+):\\d+");

    private ArticleConfigs() {}

    static String read(String resource) {
        try (InputStream in = ArticleConfigs.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "test resource " + resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        }
    }

    static String localize(String configText, int frontendPort, Replicas replicas) {
        StringBuilder out = new StringBuilder();
        for (String line : configText.split("\n", -1)) {
            Matcher bind = BIND.matcher(line);
            Matcher server = SERVER.matcher(line);
            if (bind.find()) {
                line = bind.replaceFirst("$1" + "127.0.0.1:" + frontendPort);
            } else if (server.find()) {
                String address = replicas.get(Integer.parseInt(server.group(2))).address();
                line = server.replaceFirst("$1" + Matcher.quoteReplacement(address));
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    /** A port nobody listens on right now on 127.0.0.1 (the OS picks it). */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException noPort) {
            throw new UncheckedIOException(noPort);
        }
    }
}
