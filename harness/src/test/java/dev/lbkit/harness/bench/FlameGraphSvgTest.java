package dev.lbkit.harness.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlameGraphSvgTest {
    private static final List<String> PROFILE =
            List.of(
                    "java/lang/Thread.run;dev/lbkit/balancer/proxy/UpstreamLoop.run;read_[k] 30",
                    "java/lang/Thread.run;dev/lbkit/balancer/proxy/UpstreamLoop.run 10",
                    "java/lang/Thread.run;org/eclipse/jetty/io/ManagedSelector.run 60",
                    "not a stack line",
                    "");

    @Test
    void stacksMergeIntoOneTreeWithTheirSampleCounts() {
        FlameGraphSvg.Node root = FlameGraphSvg.parse(PROFILE);
        FlameGraphSvg.Node run = root.children.get("java/lang/Thread.run");
        assertThat(root.samples).as("every sample, the malformed lines skipped").isEqualTo(100);
        assertThat(run.children.get("dev/lbkit/balancer/proxy/UpstreamLoop.run").samples)
                .as("a frame counts its own samples and its callees'")
                .isEqualTo(40);
        assertThat(FlameGraphSvg.depth(root)).as("all, run, loop, read").isEqualTo(4);
    }

    @Test
    void eachFrameIsABoxAsWideAsItsShare() {
        String svg = FlameGraphSvg.render(FlameGraphSvg.parse(PROFILE), "a test");
        assertThat(svg)
                .startsWith("<?xml")
                .contains("a test")
                .contains("ManagedSelector.run (60 samples, 60.00%)")
                .contains("read_[k] (30 samples, 30.00%)")
                .endsWith("</svg>\n");
        assertThat(svg.split("<rect ", -1))
                .as("a background and five frames: all, run, loop, read, selector")
                .hasSize(1 + 1 + 5);
    }

    @Test
    void coloursTellLbkitJettyJavaKernelAndNativeApart() {
        assertThat(
                        List.of(
                                        FlameGraphSvg.colour("dev/lbkit/balancer/Backend.pick"),
                                        FlameGraphSvg.colour(
                                                "org/eclipse/jetty/http/HttpParser.parseNext"),
                                        FlameGraphSvg.colour("java/util/HashMap.get"),
                                        FlameGraphSvg.colour("tcp_sendmsg_[k]"),
                                        FlameGraphSvg.colour("epoll_wait"))
                                .stream()
                                .distinct()
                                .count())
                .isEqualTo(5);
    }
}
