package dev.lbkit.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.harness.Comparison;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.Parity;
import dev.lbkit.harness.Report;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.Traffic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code use_backend} with ACLs side by side: one frontend routes by path, host, another header,
 * method and client address to nine backends, each balancing its own servers round robin, and every
 * request must reach the same server (so the same backend, and the same turn of its rotation) on
 * both sides. ({@code balance roundrobin} is written out: from HAProxy 3.4 on, the default is
 * random.)
 */
class RoutingParityTest {
    private static final int REQUESTS = 700;

    static final String CONFIG =
            """
            global
                nbthread 1

            defaults
                mode http
                balance roundrobin
                timeout connect 5s
                timeout client 30s
                timeout server 30s

            frontend fe
                bind 127.0.0.1:8080
                acl is_api path_beg /api/
                acl is_static path_end .css .js .png
                acl static_reg path_reg ^/assets/[a-z]+/
                acl host_admin hdr(host) -i admin.example.com
                acl host_shop hdr_beg(host) -i shop.
                acl host_org hdr_end(host) .example.org
                acl internal hdr_dom(host) -i internal
                acl writes method POST PUT
                acl exact path /health
                acl local src 127.0.0.0/8 ::1
                acl has_key hdr(X-Key) -m found
                acl key_sub hdr_sub(X-Key) -i gold
                use_backend b_admin if host_admin || { hdr(X-Admin) -i yes }
                use_backend b_api if is_api !writes
                use_backend b_write if is_api writes
                use_backend b_static if is_static or static_reg
                use_backend b_shop if host_shop
                use_backend b_org if host_org !exact
                use_backend b_internal if internal
                use_backend b_health if exact local
                use_backend b_gold if key_sub
                use_backend b_key unless !has_key
                use_backend b_never if
                use_backend b_never if { method DELETE } FALSE
                default_backend b_default

            backend b_admin
                server admin1 127.0.0.1:9001
            backend b_api
                server api1 127.0.0.1:9002 weight 1
                server api2 127.0.0.1:9003 weight 2
                server api3 127.0.0.1:9004 weight 1
            backend b_write
                server write1 127.0.0.1:9005
                server write2 127.0.0.1:9006
            backend b_static
                server static1 127.0.0.1:9007
                server static2 127.0.0.1:9008
            backend b_shop
                server shop1 127.0.0.1:9009
            backend b_org
                server org1 127.0.0.1:9010
                server org2 127.0.0.1:9011
            backend b_internal
                server internal1 127.0.0.1:9012
            backend b_health
                server health1 127.0.0.1:9013
            backend b_gold
                server gold1 127.0.0.1:9014
            backend b_key
                server key1 127.0.0.1:9015
                server key2 127.0.0.1:9016
            backend b_never
                server never1 127.0.0.1:9017
            backend b_default
                balance roundrobin
                server default1 127.0.0.1:9018
                server default2 127.0.0.1:9019
                server default3 127.0.0.1:9020
            """;

    @Test
    void everyRequestReachesTheSameBackendAndServerAsOnHaproxy() throws Exception {
        Comparison c = run("use_backend with ACLs", UnaryOperator.identity());
        Parity.assertIdentical(c);
        Map<String, Integer> spread = c.haproxy().distribution();
        assertThat(spread.keySet())
                .as(
                        "the traffic reaches every backend but b_never, so every rule decided some"
                                + " requests")
                .containsAll(
                        List.of(
                                "admin1",
                                "api1",
                                "api2",
                                "api3",
                                "write1",
                                "static1",
                                "shop1",
                                "org1",
                                "internal1",
                                "health1",
                                "gold1",
                                "key1",
                                "default1",
                                "default2",
                                "default3"))
                .doesNotContain("never1");
    }

    @Test
    @Tag(NegativeControl.TAG)
    void theSameComparisonRejectsACaseSensitiveHostMatch() throws Exception {
        Comparison c =
                run(
                        "NEGATIVE CONTROL use_backend, lbkit's host ACL without -i",
                        NegativeControl.replace(
                                "acl host_admin hdr\\(host\\) -i", "acl host_admin hdr(host)"));
        NegativeControl.record(
                "routing-host-acl-without-i",
                "per-request comparison of use_backend routing",
                "the admin host ACL without -i",
                c.verdict());
        assertThat(c.identical()).as("the comparison sees the case-sensitive match").isFalse();
    }

    private static Comparison run(String title, UnaryOperator<String> mistake) throws Exception {
        Traffic traffic = traffic(Long.getLong("lbkit.seed", 20261130L));
        Comparison c;
        try (SideBySide sides =
                SideBySide.startNegativeControl(
                        title, CONFIG, Parity.haproxy(), SideBySide.Options.exactRun(), mistake)) {
            c = sides.run(title + " — " + traffic.name(), traffic);
        }
        Report.write(Parity.slugOf(c.title()), c, List.of());
        System.out.println("[lbkit] " + c.summary() + "  (HAProxy: " + c.haproxy().side() + ")");
        return c;
    }

    /** Seeded requests mixing paths, hosts, methods and the X-Admin / X-Key headers. */
    static Traffic traffic(long seed) {
        Random random = new Random(seed);
        String[] paths = {
            "/",
            "/api/users",
            "/api/",
            "/apix",
            "/API/users",
            "/assets/css/site.css",
            "/x.js",
            "/img/a.png?v=1",
            "/health",
            "/health?full=1",
            "/Assets/abc/",
            "/assets/abc/def",
            "/assets/1/x",
            "/api/v1/x.png",
            "/a/b",
            "/data",
            "/css",
            "/shop/cart"
        };
        String[] hosts = {
            null,
            "admin.example.com",
            "ADMIN.example.com",
            "admin.example.com:8080",
            "shop.example.com",
            "SHOP.example.org:8080",
            "www.example.org",
            "www.example.org.",
            "internal",
            "a.internal.corp",
            "internalx.corp",
            "www.example.com"
        };
        String[] methods = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
        List<Traffic.Request> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            List<String> headers = new ArrayList<>();
            String host = hosts[random.nextInt(hosts.length)];
            if (host != null) {
                headers.add("Host: " + host);
            }
            int extra = random.nextInt(12);
            if (extra == 0) {
                headers.add("X-Admin: " + (random.nextBoolean() ? "yes" : "YES"));
            } else if (extra == 1) {
                headers.add("X-Admin: no");
            } else if (extra < 4) {
                headers.add("X-Key: " + (random.nextBoolean() ? "k" + i : "Gold-" + i));
            } else if (extra == 4) {
                headers.add("X-Key:");
            }
            requests.add(
                    Traffic.Request.of(
                            methods[random.nextInt(methods.length)],
                            paths[random.nextInt(paths.length)],
                            headers));
        }
        return new Traffic(
                REQUESTS + " requests: paths, hosts, methods, X-Admin and X-Key mixed",
                requests,
                List.of(),
                false);
    }
}
