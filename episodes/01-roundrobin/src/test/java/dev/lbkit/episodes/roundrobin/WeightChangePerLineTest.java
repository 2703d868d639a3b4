package dev.lbkit.episodes.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Backend;
import dev.lbkit.balancer.algorithm.Algorithms;
import dev.lbkit.balancer.algorithm.RequestInfo;
import dev.lbkit.balancer.algorithm.Server;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.balancer.config.ProxySection;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Roundrobin's weight change on a running server, per HAProxy line: the sequences below were
 * observed on HAProxy 2.6.12, 3.0.11, 3.2.26 and 3.4.7 (docs/versions.md); 2.6 and 3.0 agree with
 * each other, and so do 3.2 and 3.4.
 */
class WeightChangePerLineTest {
    private static final RequestInfo REQUEST =
            RequestInfo.of(InetAddress.getLoopbackAddress(), "/");

    private static boolean since32(HaproxyLine line) {
        return line.compareTo(HaproxyLine.V3_2) >= 0;
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void weightChangeBeforeAnyRequest(HaproxyLine line) throws Exception {
        Backend backend = backend(line, 2, 1, 3);
        weight(backend, "s2", 4);
        String expected =
                since32(line)
                        // 3.2: s2 placed as if it came UP, at 96 + (144 + 96 - 96) / 64 = 98; init
                        // serves s3, s1 first
                        ? "s3 s1 s2 s3 s2 s1 s3 s2 s2 s3 s1 s2 s3 s2 s1 s3 s2 s2 s3 s1 s2 s3 s2 s1"
                        // 2.6: s2, still in init, is re-keyed as the heaviest server and served at
                        // once
                        : "s2 s3 s2 s1 s3 s2 s2 s3 s1 s2 s3 s2 s1 s3 s2 s2 s3 s1 s2 s3 s2 s1 s3 s2";
        assertThat(sequential(backend, 24))
                .as("2/1/3, set s2 weight 4 first, HAProxy " + line.text())
                .isEqualTo(List.of(expected.split(" ")));
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void weightChangeInTheMiddleOfAWindow(HaproxyLine line) throws Exception {
        Backend backend = backend(line, 1, 1, 1, 1);
        assertThat(sequential(backend, 2)).containsExactly("s1", "s2");
        weight(backend, "s4", 3);
        String expected =
                since32(line)
                        ? "s3 s4 s1 s4 s2 s4 s3 s4 s1 s4 s2 s4 s3 s4 s1 s4 s2 s4 s3 s4 s1 s4 s2 s4 s3 s4 s1 s4 s2 s4"
                        : "s4 s3 s4 s1 s2 s4 s4 s3 s4 s1 s2 s4 s4 s3 s4 s1 s2 s4 s4 s3 s4 s1 s2 s4 s4 s3 s4 s1 s2 s4";
        assertThat(sequential(backend, 30))
                .as("1/1/1/1, set s4 weight 3 after 2, HAProxy " + line.text())
                .isEqualTo(List.of(expected.split(" ")));
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(HaproxyLine.class)
    void sixWeightChangesIncludingToZeroAndBack(HaproxyLine line) throws Exception {
        // Measured on each line: 2/1/3 and six commands, each line run twice.
        Backend backend = backend(line, 2, 1, 3);
        List<String> seen = new ArrayList<>(sequential(backend, 4));
        Object[] steps = {
            "s1", 4, 9, "s3", 1, 7, "s2", 5, 13, "s1", 1, 10, "s2", 0, 8, "s2", 2, 12
        };
        for (int i = 0; i < steps.length; i += 3) {
            weight(backend, (String) steps[i], (Integer) steps[i + 1]);
            seen.add("|");
            seen.addAll(sequential(backend, (Integer) steps[i + 2]));
        }
        String expected =
                since32(line)
                        ? "s3 s1 s3 s2 | s3 s1 s3 s1 s1 s3 s2 s1 s3 | s1 s1 s1 s1 s2 s3 s1 | s1 s2 s2 s1 s2 s1 s3 s2 s1 s2 s1 s2 s2"
                                + " | s2 s2 s3 s1 s2 s2 s2 s2 s2 s3 | s1 s3 s1 s3 s1 s3 s1 s3 | s1 s3 s2 s1 s2 s3 s2 s1 s2 s3 s2 s1"
                        : "s3 s1 s3 s2 | s3 s1 s3 s1 s3 s2 s1 s1 s3 | s1 s1 s1 s2 s1 s3 s1 | s1 s2 s2 s1 s3 s2 s1 s2 s1 s2 s1 s2 s2"
                                + " | s3 s2 s2 s2 s2 s1 s2 s3 s2 s2 | s1 s3 s1 s3 s1 s3 s1 s3 | s1 s3 s2 s1 s2 s3 s2 s1 s2 s3 s2 s1";
        assertThat(seen)
                .as("rr_setweight on HAProxy " + line.text())
                .isEqualTo(List.of(expected.split(" ")));
    }

    static Backend backend(HaproxyLine line, int... weights) throws Exception {
        StringBuilder cfg = new StringBuilder("backend b\n    balance roundrobin\n");
        for (int i = 0; i < weights.length; i++) {
            cfg.append("    server s")
                    .append(i + 1)
                    .append(" 127.0.0.1:")
                    .append(19001 + i)
                    .append(" weight ")
                    .append(weights[i])
                    .append('\n');
        }
        ProxySection section =
                ConfigParser.parse(cfg.toString(), "test.cfg", line).backend("b").orElseThrow();
        return new Backend(section, (be, servers) -> Algorithms.create(be, servers, line));
    }

    static void weight(Backend backend, String name, int weight) {
        backend.setWeight(backend.server(name).orElseThrow(), weight);
    }

    static List<String> sequential(Backend backend, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Server server = backend.pickAndTake(REQUEST, null);
            names.add(server == null ? "-" : server.name());
            if (server != null) {
                backend.release(server);
            }
        }
        return names;
    }
}
