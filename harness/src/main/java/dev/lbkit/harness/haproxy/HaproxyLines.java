package dev.lbkit.harness.haproxy;

import dev.lbkit.balancer.config.HaproxyLine;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * A real HAProxy of a given line, as a container: the official {@code haproxy:<line>} image when it
 * is local or can be pulled ({@link HaproxyImages}), else {@code local/haproxy:<line>}
 * (.ci/build-haproxy-image.sh builds 2.6 and .ci/build-haproxy-versions.sh builds 3.0, 3.2 and 3.4
 * from Debian's packages). Tests that compare lbkit with every line a learner meets ask here; the
 * version the container reports must be of the line asked for, so a mislabelled image fails instead
 * of proving the wrong thing.
 *
 * <p>Missing image: skipped with the command that builds it, or a failure when CI=true (or {@code
 * -Dlbkit.haproxy.required=true}).
 */
public final class HaproxyLines {
    private static final Map<HaproxyLine, Haproxy> FOUND = new ConcurrentHashMap<>();

    private HaproxyLines() {}

    /** The images tried for {@code line}, official first. */
    public static List<String> images(HaproxyLine line) {
        return List.of("haproxy:" + line.text(), "local/haproxy:" + line.text());
    }

    /**
     * A HAProxy of {@code line}; skips or fails the test (per the CI policy) when there is none.
     */
    public static Haproxy get(HaproxyLine line) {
        Haproxy cached = FOUND.get(line);
        if (cached != null) {
            return cached;
        }
        String missing;
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            missing = "Docker does not answer" + DockerEnvironment.whyTestcontainersMayNotReachIt();
        } else {
            HaproxyImages.Resolved resolved = HaproxyImages.resolve(HaproxyImages.official(line));
            if (resolved.image().isPresent()) {
                String image = resolved.image().get();
                Haproxy haproxy = Haproxy.container(image);
                HaproxyLine met = HaproxyLine.ofVersion(haproxy.version());
                if (met != line) {
                    return Assertions.fail(
                            "image "
                                    + image
                                    + " reports HAProxy "
                                    + haproxy.version()
                                    + ", not a "
                                    + line.text()
                                    + ": rebuild it (.ci/build-haproxy-versions.sh) or remove it");
                }
                System.out.printf("[lbkit] HAProxy %s: %s%n", line.text(), haproxy.describe());
                FOUND.put(line, haproxy);
                return haproxy;
            }
            missing = resolved.missing();
        }
        String message =
                "No HAProxy "
                        + line.text()
                        + ": "
                        + missing
                        + ". Build it offline with "
                        + (line == HaproxyLine.V2_6
                                ? ".ci/build-haproxy-image.sh local/haproxy:2.6"
                                : ".ci/build-haproxy-versions.sh " + line.text())
                        + ", or docker pull haproxy:"
                        + line.text()
                        + ".";
        if (HaproxyForTests.required()) {
            return Assertions.fail(
                    message + " (failing, not skipping: CI=true requires every line)");
        }
        return Assumptions.abort(message);
    }
}
