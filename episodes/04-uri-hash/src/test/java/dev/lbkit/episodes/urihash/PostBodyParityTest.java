package dev.lbkit.episodes.urihash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.backends.FlaskReplica;
import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.LoadBalancer;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Picks;
import dev.lbkit.harness.RawHttpClient;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.SingleBackendConfig;
import dev.lbkit.harness.Traffic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code balance url_param uid check_post} side by side with POST bodies: when the query string has
 * no {@code uid}, HAProxy waits for a POST's body and looks there; the key, or the round-robin walk
 * when there is none, must be the same on both sides for every request. The traffic mixes form
 * bodies, the parameter in the query and the body at once, chunked bodies sent in pieces, values
 * with bytes that are not URL-encoded, PUTs and lower-case {@code post}, bodies around the size
 * HAProxy holds, and a server DOWN then UP. Each server answers the length and SHA-256 of the body
 * it received, which must be the body sent.
 */
class PostBodyParityTest {
    private static final int REQUESTS = 300;
    private static final long SEED = Long.getLong("lbkit.seed", 20261130L);
    private static final String FORM = "Content-Type: application/x-www-form-urlencoded";

    /** One request as sent: head lines, body pieces (null: no body), chunked or not. */
    record PostRequest(
            String method,
            String target,
            List<String> headers,
            List<byte[]> pieces,
            boolean chunked,
            String kind) {
        byte[] body() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            pieces.forEach(all::writeBytes);
            return all.toByteArray();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "balance url_param uid check_post",
                "balance url_param uid\n    hash-type consistent"
            })
    void everyPostGoesToTheSameServerAsOnHaproxy(String balance) throws Exception {
        Comparison c = run(balance, false);
        Parity.assertIdentical(c);
        assertThat(c.matching()).as("every request was served by a server").isEqualTo(REQUESTS);
        assertThat(c.haproxy().distribution()).as("all four servers took requests").hasSize(4);
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsAnLbkitThatIgnoresTheBody() throws Exception {
        Comparison c = run("balance url_param uid check_post", true);
        NegativeControl.record(
                "episode-04-url-param-post-body-ignored",
                "exact per-request comparison of url_param with POST bodies (episode 04)",
                "lbkit's algorithm never sees the body (check_post ignored)",
                c.verdict());
        assertThat(c.identical())
                .as(
                        "the comparison rejects an lbkit that ignores bodies:%n%s",
                        c.explainDifference())
                .isFalse();
        assertThat(c.total() - c.matching())
                .as("many requests land elsewhere")
                .isGreaterThan(REQUESTS / 5);
    }

    private static Comparison run(String balance, boolean ignoreBody) throws Exception {
        String config =
                "global\n    nbthread 1\n\n"
                        + SingleBackendConfig.of(balance, List.of(3, 1, 2, 5)).text();
        List<PostRequest> requests = traffic();
        String title =
                (ignoreBody ? "NEGATIVE CONTROL lbkit ignores the body, " : "")
                        + balance.replace("\n    ", ", ")
                        + " — "
                        + REQUESTS
                        + " requests with bodies, s4 DOWN for #120-#199";
        SideBySide.LbkitStarter starter =
                ignoreBody
                        ? parsed ->
                                Lbkit.start(
                                        parsed,
                                        (section, servers) ->
                                                new BodyBlind(
                                                        Algorithms.create(
                                                                section, servers, parsed.line())))
                        : Lbkit::start;
        try (SideBySide sides =
                SideBySide.startWith(
                        title,
                        config,
                        Parity.haproxy(),
                        SideBySide.Options.exactRun(),
                        UnaryOperator.identity(),
                        starter)) {
            CompletableFutureHolder onHaproxy =
                    new CompletableFutureHolder(sides, sides.haproxy(), requests);
            Picks lbkit = drive(sides, sides.lbkit(), requests);
            Picks haproxy = onHaproxy.join();
            Traffic described =
                    Traffic.of(
                            title,
                            requests.size(),
                            i ->
                                    Traffic.Request.of(
                                            requests.get(i).method(),
                                            requests.get(i).target(),
                                            requests.get(i).headers()));
            return Parity.reported(new Comparison(title, config, described, haproxy, lbkit));
        }
    }

    /** Drives HAProxy's side on another thread while lbkit's runs on this one. */
    private static final class CompletableFutureHolder {
        private final java.util.concurrent.CompletableFuture<Picks> future;

        CompletableFutureHolder(
                SideBySide sides, SideBySide.Endpoint side, List<PostRequest> requests) {
            future =
                    java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> drive(sides, side, requests));
        }

        Picks join() {
            return future.join();
        }
    }

    /**
     * Sends every request on a new connection and records the server that answered; a body the
     * server did not receive byte for byte is recorded as such, so the comparison fails on it.
     */
    private static Picks drive(
            SideBySide sides, SideBySide.Endpoint side, List<PostRequest> requests) {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (i == 120) {
                RuntimeApiClient.admin(side.statsPort(), "disable server be/s4");
            }
            if (i == 200) {
                RuntimeApiClient.admin(side.statsPort(), "enable server be/s4");
            }
            PostRequest request = requests.get(i);
            try {
                RawHttpClient.Response response = send(side.port(), request);
                String server = sides.answeredBy(response);
                // The replicas' receipt route takes POSTs only (a PUT or "post" gets their 404).
                if (request.method().equals("POST") && request.pieces() != null) {
                    String expected = FlaskReplica.bodyReceipt(request.body());
                    if (!expected.equals(response.body())) {
                        server +=
                                " (body received: " + response.body() + ", sent: " + expected + ")";
                    }
                }
                answers.add(server);
            } catch (IOException e) {
                answers.add("error: " + e.getMessage());
            }
        }
        return new Picks(side.side(), answers);
    }

    private static RawHttpClient.Response send(int port, PostRequest request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder();
            head.append(request.method())
                    .append(' ')
                    .append(request.target())
                    .append(" HTTP/1.1\r\n");
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
            for (String header : request.headers()) {
                head.append(header).append("\r\n");
            }
            if (request.pieces() != null) {
                head.append(
                        request.chunked()
                                ? "Transfer-Encoding: chunked\r\n"
                                : "Content-Length: " + request.body().length + "\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (request.pieces() != null) {
                for (byte[] piece : request.pieces()) {
                    if (request.chunked()) {
                        out.write(
                                (Integer.toHexString(piece.length) + "\r\n")
                                        .getBytes(StandardCharsets.ISO_8859_1));
                        out.write(piece);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    } else {
                        out.write(piece);
                    }
                    out.flush();
                    if (request.pieces().size() > 1) {
                        pause(30);
                    }
                }
                if (request.chunked()) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            }
            return readAnswer(socket.getInputStream());
        }
    }

    private static RawHttpClient.Response readAnswer(InputStream in) throws IOException {
        byte[] all = in.readAllBytes(); // Connection: close, so the answer ends with the stream
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete answer head: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new RawHttpClient.Response(
                Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@link #REQUESTS} seeded requests. Keys come from a small pool so they repeat; the kinds: the
     * parameter in a form body (first, or after other fields), in the query and the body at once
     * (the query wins), nowhere (round robin), an empty value, a chunked body cut inside the
     * parameter, values holding a space, '/', ',' or '"' (inside or first), a body of about the
     * size HAProxy holds with the parameter at its very end, a 30 kB body with it first, a JSON
     * content type, a PUT, a lower-case {@code post}, and a POST with no body.
     */
    static List<PostRequest> traffic() {
        Random random = new Random(SEED);
        String[] odd = {" ", "/", ",", "\"", "@", ":", "%2F", "~", "*"};
        List<PostRequest> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String key =
                    random.nextBoolean()
                            ? "user" + random.nextInt(30)
                            : Long.toHexString(random.nextLong());
            String other = "n=" + i;
            int kind = random.nextInt(16);
            String path = FlaskReplica.BODY_PATH;
            PostRequest request =
                    switch (kind) {
                        case 0, 1, 2 ->
                                form("POST", path, "uid=" + key + "&" + other, "form first");
                        case 3, 4 ->
                                form("POST", path, other + "&a=1&uid=" + key, "form after others");
                        case 5 ->
                                form(
                                        "POST",
                                        path + "?uid=" + key,
                                        "uid=other" + i,
                                        "query and body");
                        case 6 -> form("POST", path, other + "&xuid=" + key, "no uid");
                        case 7 -> form("POST", path, "uid=&" + other, "empty value");
                        case 8 -> {
                            String body = other + "&uid=" + key + "&z=1";
                            int cut = body.indexOf("uid=") + 1 + random.nextInt(5);
                            yield new PostRequest(
                                    "POST",
                                    path,
                                    List.of(FORM),
                                    List.of(
                                            bytes(body.substring(0, cut)),
                                            bytes(body.substring(cut))),
                                    true,
                                    "chunked in two");
                        }
                        case 9 -> {
                            String mark = odd[random.nextInt(odd.length)];
                            String value = random.nextBoolean() ? mark + key : key + mark + "x";
                            yield form(
                                    "POST",
                                    path,
                                    "uid=" + value + "&" + other,
                                    "odd byte in value");
                        }
                        case 10 -> {
                            int size = 15_120 + random.nextInt(60);
                            String tail = "&uid=" + key;
                            String body = "p=" + "x".repeat(size - 2 - tail.length()) + tail;
                            yield form("POST", path, body, "about the size held, uid last");
                        }
                        case 11 ->
                                form(
                                        "POST",
                                        path,
                                        "uid=" + key + "&p=" + "y".repeat(30_000),
                                        "30 kB, uid first");
                        case 12 ->
                                new PostRequest(
                                        "POST",
                                        path,
                                        List.of("Content-Type: application/json"),
                                        List.of(bytes("uid=" + key)),
                                        false,
                                        "json content type");
                        case 13 ->
                                random.nextBoolean()
                                        ? form("PUT", path, "uid=" + key, "PUT")
                                        : form("post", path, "uid=" + key, "lower-case post");
                        case 14 -> new PostRequest("POST", path, List.of(), null, false, "no body");
                        default ->
                                new PostRequest(
                                        "GET", "/?uid=" + key, List.of(), null, false, "GET");
                    };
            requests.add(request);
        }
        return requests;
    }

    private static PostRequest form(String method, String target, String body, String kind) {
        return new PostRequest(method, target, List.of(FORM), List.of(bytes(body)), false, kind);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The negative control's lbkit: the backend's own algorithm, given every request without its
     * body, as if {@code check_post} were ignored.
     */
    private record BodyBlind(LoadBalancer algorithm) implements LoadBalancer {
        @Override
        public Server pick(RequestInfo request, Server avoid) {
            return algorithm.pick(request.withPostBody(null), avoid);
        }

        @Override
        public Server pick(RequestInfo request, Server avoid, long nowMillis) {
            return algorithm.pick(request.withPostBody(null), avoid, nowMillis);
        }

        @Override
        public void serverUp(Server server) {
            algorithm.serverUp(server);
        }

        @Override
        public void serverDown(Server server) {
            algorithm.serverDown(server);
        }

        @Override
        public void weightChanged(Server server, int oldUweight) {
            algorithm.weightChanged(server, oldUweight);
        }

        @Override
        public void taken(Server server) {
            algorithm.taken(server);
        }

        @Override
        public void taken(Server server, long nowMillis) {
            algorithm.taken(server, nowMillis);
        }

        @Override
        public void released(Server server) {
            algorithm.released(server);
        }

        @Override
        public boolean staticWeights() {
            return algorithm.staticWeights();
        }
    }
}
