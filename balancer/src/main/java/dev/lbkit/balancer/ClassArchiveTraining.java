package dev.lbkit.balancer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A short serving run whose only job is to load the classes that serving loads, so that the JVM can
 * write them to a class archive at exit ({@code -XX:ArchiveClassesAtExit}, which {@code ./lbkit}
 * passes once per build). Later runs map that archive ({@code -XX:SharedArchiveFile}) instead of
 * reading and parsing those classes from the jars again: they start sooner and use less memory
 * (docs/benchmarks.md, "Class archive").
 *
 * <p>It serves the way {@code ./lbkit -f} does: {@link Main} reads a config written here (one
 * frontend, a backend for each common {@code balance} kind), and requests go through it over real
 * sockets on 127.0.0.1 to a small server of its own, on keep-alive connections and with {@code
 * Connection: close}. Exit status 0 when every request was answered with 200, 1 otherwise.
 */
public final class ClassArchiveTraining {
    private static final int KEEP_ALIVE_REQUESTS = 400;
    private static final int CLOSED_REQUESTS = 50;
    private static final byte[] BODY = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);

    private ClassArchiveTraining() {}

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 64, loopback)) {
            Thread backend = new Thread(() -> serve(server), "training-server");
            backend.setDaemon(true);
            backend.start();
            int port = freePort(loopback);
            Path config = Files.createTempFile("lbkit-training", ".cfg");
            try {
                Files.writeString(config, config(port, server.getLocalPort()));
                PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
                int status = Main.run(new String[] {"-q", "-f", config.toString()}, quiet, quiet);
                if (status != Main.SERVING) {
                    System.err.println(
                            "lbkit training: the balancer did not start (" + status + ")");
                    System.exit(1);
                }
                int answered = 0;
                try (Socket client = new Socket(loopback, port)) {
                    client.setTcpNoDelay(true);
                    for (int i = 0; i < KEEP_ALIVE_REQUESTS; i++) {
                        answered += exchange(client, "/item/" + i, false) ? 1 : 0;
                    }
                }
                for (int i = 0; i < CLOSED_REQUESTS; i++) {
                    try (Socket client = new Socket(loopback, port)) {
                        answered += exchange(client, "/", true) ? 1 : 0;
                    }
                }
                int expected = KEEP_ALIVE_REQUESTS + CLOSED_REQUESTS;
                if (answered != expected) {
                    System.err.printf(
                            Locale.ROOT,
                            "lbkit training: %d of %d requests answered with 200%n",
                            answered,
                            expected);
                    System.exit(1);
                }
            } finally {
                Files.deleteIfExists(config);
            }
        }
        System.exit(0);
    }

    static String config(int frontendPort, int serverPort) {
        StringBuilder text =
                new StringBuilder(
                        """
                        global
                            maxconn 256
                        defaults
                            mode http
                            timeout connect 5s
                            timeout client 30s
                            timeout server 30s
                        frontend fe
                            bind 127.0.0.1:%d
                            default_backend rr
                        """
                                .formatted(frontendPort));
        String[][] backends = {
            {"rr", "roundrobin"},
            {"sr", "static-rr"},
            {"lc", "leastconn"},
            {"src", "source"},
            {"uri", "uri"},
            {"rnd", "random(2)"},
            {"first", "first"}
        };
        for (String[] backend : backends) {
            text.append("backend ")
                    .append(backend[0])
                    .append("\n    balance ")
                    .append(backend[1])
                    .append('\n');
            for (int s = 1; s <= 3; s++) {
                text.append("    server s")
                        .append(s)
                        .append(" 127.0.0.1:")
                        .append(serverPort)
                        .append(" weight ")
                        .append(s)
                        .append('\n');
            }
        }
        return text.toString();
    }

    /** One request on {@code client}; true when a 200 with the whole body came back. */
    private static boolean exchange(Socket client, String path, boolean close) throws IOException {
        String request =
                "GET "
                        + path
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: lbkit-training\r\n"
                        + (close ? "Connection: close\r\n" : "")
                        + "\r\n";
        client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        InputStream in = client.getInputStream();
        String head = readHead(in);
        int length = contentLength(head);
        if (length < 0 || in.readNBytes(length).length != length) {
            return false;
        }
        return head.startsWith("HTTP/1.1 200");
    }

    /** The small server: every request gets 200 and 1 KB, kept alive unless asked to close. */
    private static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                Thread worker = new Thread(() -> answer(connection), "training-server-connection");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void answer(Socket connection) {
        try (connection) {
            connection.setTcpNoDelay(true);
            InputStream in = connection.getInputStream();
            OutputStream out = connection.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head.isEmpty()) {
                    return;
                }
                boolean close = head.toLowerCase(Locale.ROOT).contains("connection: close");
                byte[] answerHead =
                        ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                                        + BODY.length
                                        + (close ? "\r\nConnection: close" : "")
                                        + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII);
                byte[] answer = Arrays.copyOf(answerHead, answerHead.length + BODY.length);
                System.arraycopy(BODY, 0, answer, answerHead.length, BODY.length);
                out.write(answer); // one write: no wait on Nagle's algorithm between head and body
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException gone) {
            // the balancer closed the connection: nothing more to answer
        }
    }

    /** Bytes up to and including the blank line, as text; empty at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            int n = head.length();
            if (n >= 4 && head.charAt(n - 1) == '\n' && head.indexOf("\r\n\r\n", n - 4) >= 0) {
                return head.toString();
            }
        }
        return "";
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return -1;
    }

    private static int freePort(InetAddress loopback) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, loopback)) {
            return probe.getLocalPort();
        }
    }
}
