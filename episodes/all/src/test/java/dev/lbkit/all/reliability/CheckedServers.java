package dev.lbkit.all.reliability;

import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.RuntimeApiClient;
import dev.lbkit.harness.ShowStat;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What the per-line health comparisons share: a config of one frontend and backend {@code be} whose
 * server lines each test gives, and a wait for the first server's first check.
 */
final class CheckedServers {
    private CheckedServers() {}

    private static final String HEAD =
            SameConfig.GLOBAL_AND_DEFAULTS
                    + """
            frontend fe
                bind 127.0.0.1:{BIND}
                default_backend be

            backend be
            """;

    /** The config with {@code servers} (indented lines) as backend {@code be}'s. */
    static String config(String servers) {
        return HEAD + servers;
    }

    /**
     * A HAProxy of {@code haproxyLine} and lbkit running as {@code lbkitLine}, on {@code template}.
     */
    static SameConfig start(String template, HaproxyLine haproxyLine, HaproxyLine lbkitLine)
            throws Exception {
        return SameConfig.against(
                template, UnaryOperator.identity(), HaproxyLines.get(haproxyLine), lbkitLine);
    }

    /**
     * {@code show stat} of the side on {@code statsPort} once s1's first check has run: "INI"
     * before it, "* INI" while it runs (HAProxy's mark of a check in progress). The state read then
     * by {@code read}; after 5 s, whatever it is.
     */
    static <T> T afterFirstCheck(int statsPort, Function<String, T> read)
            throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            String csv = RuntimeApiClient.send(statsPort, "show stat");
            if (!ShowStat.text(csv, "be", "check_status").get("s1").contains("INI")
                    || System.nanoTime() > deadline) {
                return read.apply(csv);
            }
            Thread.sleep(20);
        }
    }
}
