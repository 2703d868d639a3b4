package dev.lbkit.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.config.AclTest;
import io.javalin.config.JavalinConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * The frontend's own pages reach Javalin through {@link InsertedHandler}; Javalin 7 builds its
 * servlet's settings on the first request without a lock, so the first pass must be made alone.
 */
class InsertedHandlerTest {

    @Test
    void theFirstRequestForAnOwnPageReachesJavalinAlone() throws Exception {
        AtomicBoolean firstInside = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger enteredBesideTheFirst = new AtomicInteger();
        // Stands where Javalin's servlet stands; its first call takes long enough for the others
        // to arrive.
        Handler javalin =
                new Handler.Abstract() {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback)
                            throws Exception {
                        if (calls.getAndIncrement() == 0) {
                            firstInside.set(true);
                            Thread.sleep(400);
                            firstInside.set(false);
                        } else if (firstInside.get()) {
                            enteredBesideTheFirst.incrementAndGet();
                        }
                        response.setStatus(200);
                        Content.Sink.write(response, true, "page", callback);
                        return true;
                    }
                };
        Handler proxy =
                new Handler.Abstract() {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) {
                        Response.writeError(request, response, callback, 502);
                        return true;
                    }
                };
        OwnPages everything =
                new OwnPages() {
                    @Override
                    public boolean claims(AclTest.Facts request) {
                        return true;
                    }

                    @Override
                    public void addRoutes(JavalinConfig config) {}
                };
        InsertedHandler inserted = new InsertedHandler(proxy, everything, new FrontendStats());
        inserted.setHandler(javalin);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(inserted);
        server.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest page =
                    HttpRequest.newBuilder(
                                    URI.create(
                                            "http://127.0.0.1:"
                                                    + connector.getLocalPort()
                                                    + "/stats"))
                            .timeout(Duration.ofSeconds(10))
                            .build();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(
                        client.sendAsync(
                                page, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
            }
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                assertThat(answer.join().statusCode()).as("the page is served").isEqualTo(200);
            }
            assertThat(calls).as("all four reached the page").hasValue(4);
            assertThat(enteredBesideTheFirst)
                    .as("requests that reached Javalin while its first request was inside")
                    .hasValue(0);
        } finally {
            server.stop();
        }
    }
}
