package dev.lbkit.all.reliability;

import dev.lbkit.balancer.Lbkit;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import dev.lbkit.harness.haproxy.HaproxyLocator;
import dev.lbkit.harness.haproxy.RunningHaproxy;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assertions;

/**
 * lbkit and (when this machine has one) a real HAProxy, the binary when there is one, else the
 * container, each started from the same config text with its own ports and its own {@link
 * RecordingBackend}, so a test can send both the same bytes and compare answers and what each
 * forwarded. The config is a template: {@code {BIND}} is replaced by the listening port, {@code
 * {SERVER}} by the backend's port and {@code {STATS}} by a free port for the stats socket, {@code
 * {FREE1}} and {@code {FREE2}} by two more free ports.
 */
final class SameConfig implements AutoCloseable {
    /**
     * The start of a template: one thread, the stats socket on {@code {STATS}}, and defaults in
     * {@code mode http} with short timeouts; the proxies follow.
     */
    static final String GLOBAL_AND_DEFAULTS =
            """
            global
                nbthread 1
                stats socket ipv4@127.0.0.1:{STATS} level admin

            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s

            """;

    private final Lbkit lbkit;
    private final RecordingBackend lbkitBackend;
    private final int lbkitPort;
    private final int lbkitStats;
    private final RunningHaproxy haproxy;
    private final RecordingBackend haproxyBackend;
    private final int haproxyPort;
    private final int haproxyStats;
    private final String haproxyMissing;

    private SameConfig(
            Lbkit lbkit,
            RecordingBackend lbkitBackend,
            int lbkitPort,
            int lbkitStats,
            RunningHaproxy haproxy,
            RecordingBackend haproxyBackend,
            int haproxyPort,
            int haproxyStats,
            String haproxyMissing) {
        this.lbkit = lbkit;
        this.lbkitBackend = lbkitBackend;
        this.lbkitPort = lbkitPort;
        this.lbkitStats = lbkitStats;
        this.haproxy = haproxy;
        this.haproxyBackend = haproxyBackend;
        this.haproxyPort = haproxyPort;
        this.haproxyStats = haproxyStats;
        this.haproxyMissing = haproxyMissing;
    }

    /** Starts lbkit, and HAProxy when there is one (in CI a missing one fails). */
    static SameConfig start(String template) throws IOException, ConfigException {
        return start(template, java.util.function.UnaryOperator.identity());
    }

    /**
     * A negative control: as {@link #start(String)}, but lbkit is given {@code mistake} applied to
     * its filled-in config (HAProxy gets the config as written).
     */
    static SameConfig start(String template, java.util.function.UnaryOperator<String> mistake)
            throws IOException, ConfigException {
        return start(template, mistake, EnumSet.of(HaproxyLine.V2_6));
    }

    /**
     * As {@link #start(String, java.util.function.UnaryOperator)}, against the HAProxy found here
     * whatever its line, for comparisons that hold on every line (health checks).
     */
    static SameConfig startOnAnyLine(
            String template, java.util.function.UnaryOperator<String> mistake)
            throws IOException, ConfigException {
        return start(template, mistake, EnumSet.allOf(HaproxyLine.class));
    }

    /**
     * As {@link #start(String)}, for a comparison lbkit models on {@code lines}: when the HAProxy
     * found here is of one of them, lbkit runs as that line and meets it; otherwise lbkit runs as
     * 2.6 and meets a HAProxy 2.6 ({@link HaproxyForTests#modelled26}).
     */
    static SameConfig startOnLines(String template, Set<HaproxyLine> lines)
            throws IOException, ConfigException {
        return start(template, java.util.function.UnaryOperator.identity(), lines);
    }

    /**
     * @param modelled the lines whose answers lbkit models for this comparison; a HAProxy of
     *     another line found here is replaced by a 2.6 ({@link HaproxyForTests#modelled26})
     */
    private static SameConfig start(
            String template,
            java.util.function.UnaryOperator<String> mistake,
            Set<HaproxyLine> modelled)
            throws IOException, ConfigException {
        HaproxyLocator.Lookup lookup = HaproxyLocator.findPreferringBinary();
        HaproxyLine foundLine =
                lookup.haproxy().map(h -> HaproxyLine.ofVersion(h.version())).orElse(null);
        boolean meetsFound = foundLine != null && modelled.contains(foundLine);
        HaproxyLine line = meetsFound ? foundLine : HaproxyLine.V2_6;
        if (lookup.haproxy().isEmpty()) {
            if (HaproxyForTests.required()) {
                Assertions.fail("no HAProxy to compare with: " + lookup.missing());
            }
            System.out.println(
                    "[lbkit] reliability: no HAProxy ("
                            + lookup.missing()
                            + "); lbkit's answers are checked, the HAProxy comparison is skipped");
            return launch(template, mistake, null, line, lookup.missing());
        }
        dev.lbkit.harness.haproxy.Haproxy met =
                meetsFound
                        ? lookup.haproxy().get()
                        : HaproxyForTests.modelled26(
                                lookup.haproxy().get(), "reliability comparison");
        return against(template, mistake, met, line);
    }

    /**
     * lbkit running as {@code line} (given {@code mistake} applied to its config) and {@code met},
     * from the same template: for comparisons with a HAProxy of a chosen line.
     */
    static SameConfig against(
            String template,
            java.util.function.UnaryOperator<String> mistake,
            dev.lbkit.harness.haproxy.Haproxy met,
            HaproxyLine line)
            throws IOException, ConfigException {
        return launch(template, mistake, met, line, "");
    }

    /**
     * As {@link #against}; {@code met} null: lbkit alone, as there is no HAProxy here ({@code
     * missing} says why; {@link #haproxyOrSkip} reports it).
     */
    private static SameConfig launch(
            String template,
            java.util.function.UnaryOperator<String> mistake,
            dev.lbkit.harness.haproxy.Haproxy met,
            HaproxyLine line,
            String missing)
            throws IOException, ConfigException {
        RecordingBackend lbkitBackend = new RecordingBackend();
        int lbkitPort = SideBySide.freePort();
        int lbkitStats = SideBySide.freePort();
        Lbkit lbkit =
                Lbkit.start(
                        ConfigParser.parse(
                                mistake.apply(
                                        fill(template, lbkitPort, lbkitBackend.port(), lbkitStats)),
                                "reliability.cfg",
                                line));
        if (met == null) {
            return new SameConfig(
                    lbkit, lbkitBackend, lbkitPort, lbkitStats, null, null, 0, 0, missing);
        }
        RecordingBackend haproxyBackend = new RecordingBackend();
        int haproxyPort = SideBySide.freePort();
        int haproxyStats = SideBySide.freePort();
        RunningHaproxy haproxy =
                met.start(fill(template, haproxyPort, haproxyBackend.port(), haproxyStats));
        System.out.println(
                "[lbkit] reliability: HAProxy "
                        + met.describe()
                        + ", lbkit runs as "
                        + line.text());
        return new SameConfig(
                lbkit,
                lbkitBackend,
                lbkitPort,
                lbkitStats,
                haproxy,
                haproxyBackend,
                haproxyPort,
                haproxyStats,
                "");
    }

    private static final java.util.Map<String, Integer> FREE_PORTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    static String fill(String template, int bind, int server, int stats) throws IOException {
        String text =
                template.replace("{BIND}", Integer.toString(bind))
                        .replace("{SERVER}", Integer.toString(server))
                        .replace("{STATS}", Integer.toString(stats));
        for (String name : java.util.List.of("FREE1", "FREE2")) {
            int port = SideBySide.freePort();
            FREE_PORTS.put(bind + "/" + name, port);
            text = text.replace("{" + name + "}", Integer.toString(port));
        }
        return text;
    }

    /** The port that replaced {@code {FREE1}} or {@code {FREE2}} in lbkit's config. */
    int lbkitFree(String name) {
        return FREE_PORTS.get(lbkitPort + "/" + name);
    }

    /** The port that replaced {@code {FREE1}} or {@code {FREE2}} in HAProxy's config. */
    int haproxyFree(String name) {
        return FREE_PORTS.get(haproxyPort + "/" + name);
    }

    Lbkit lbkit() {
        return lbkit;
    }

    int lbkitPort() {
        return lbkitPort;
    }

    int lbkitStats() {
        return lbkitStats;
    }

    RecordingBackend lbkitBackend() {
        return lbkitBackend;
    }

    boolean hasHaproxy() {
        return haproxy != null;
    }

    /**
     * The harness policy ({@code HaproxyForTests}) for the HAProxy half of a case: with no HAProxy,
     * the case is reported SKIPPED after its lbkit checks (never passed), and in CI ({@code
     * CI=true} or {@code -Dlbkit.haproxy.required=true}) it fails.
     */
    void haproxyOrSkip(String what) {
        if (haproxy != null) {
            return;
        }
        String message = what + " needs a HAProxy: " + haproxyMissing;
        if (HaproxyForTests.required()) {
            Assertions.fail(message + " (failing, not skipping: a HAProxy is required)");
        }
        org.junit.jupiter.api.Assumptions.abort(message + "; lbkit's own answer was checked");
    }

    int haproxyPort() {
        return haproxyPort;
    }

    int haproxyStats() {
        return haproxyStats;
    }

    Optional<RecordingBackend> haproxyBackend() {
        return Optional.ofNullable(haproxyBackend);
    }

    String haproxyLogs() {
        return haproxy == null ? "" : haproxy.logs();
    }

    @Override
    public void close() {
        lbkit.close();
        lbkitBackend.close();
        if (haproxy != null) {
            haproxy.close();
            haproxyBackend.close();
        }
    }
}
