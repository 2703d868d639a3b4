package dev.lbkit.harness.bench;

import dev.lbkit.harness.SideBySide;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Throughput and latency of lbkit next to HAProxy, from the same config, in front of the same fast
 * backends, driven by {@code wrk} in alternating rounds (HAProxy, lbkit, HAProxy, lbkit, ...), with
 * the backends measured directly in every round as the machine's ceiling.
 *
 * <p>Run it with {@code ./lbkit bench [--duration 10] [--rounds 3] [--concurrency 1,64,256]
 * [--warmup 15] [--lbkit-jvm "-XX:+UseSerialGC -Xmx128m"] [--lbkit-java
 * /usr/lib/jvm/.../bin/java]}. It needs {@code wrk} (Debian: {@code apt-get install wrk}) and the
 * {@code haproxy} binary. Everything listens on 127.0.0.1 on free ports; every process it starts is
 * stopped by its PID at the end. The report goes to stdout and to {@code
 * target/lbkit-reports/benchmark-<time>.md}.
 */
public final class SideBySideBenchmark {
    /**
     * The haproxy binary as the parity tests find it (PATH, then /usr/sbin, /usr/local/sbin);
     * "haproxy" when there is none.
     */
    private static final String HAPROXY =
            dev.lbkit.harness.haproxy.HaproxyLocator.binaryOnThisMachine()
                    .map(Path::toString)
                    .orElse("haproxy");

    private static final String WRK = "/usr/bin/wrk";
    private static final Pattern RESULT =
            Pattern.compile(
                    "LBKIT_RESULT requests=(\\d+) duration_us=(\\d+) errors=(\\d+) p50_us=(\\d+) p99_us=(\\d+) p999_us=(\\d+) max_us=(\\d+)");

    /**
     * wrk's {@code done()} hook prints one parseable line: the request count, the errors (connect,
     * read, write, timeout and non-2xx/3xx statuses together) and the latency percentiles in
     * microseconds, 99.9 included (wrk's own {@code --latency} stops at 99).
     */
    private static final String WRK_SCRIPT =
            """
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("LBKIT_RESULT requests=%d duration_us=%d errors=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\\n",
                summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
                latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
            end
            """;

    /** The benchmark's flags, as picocli reads them; {@link #call()} runs the benchmark. */
    @Command(
            name = "bench",
            sortOptions = false,
            separator = " ",
            description = {
                "Throughput and latency of lbkit next to HAProxy (/usr/sbin/haproxy), from the same config,"
                        + " driven by wrk in alternating rounds, with the backends measured directly as the machine's ceiling."
                        + " The report goes to stdout and target/lbkit-reports/ (docs/benchmarks.md)."
            })
    public static final class Flags implements Callable<Integer> {
        @Option(
                names = "--duration",
                paramLabel = "S",
                description = "Seconds per measured run (default 10).")
        String duration = "10";

        @Option(
                names = "--warmup",
                paramLabel = "S",
                description = "Warm-up seconds per concurrency, 0 for none (default 15).")
        String warmup = "15";

        @Option(
                names = "--rounds",
                paramLabel = "N",
                description = "Rounds per concurrency (default 3).")
        String rounds = "3";

        @Option(
                names = "--concurrency",
                paramLabel = "C,C,...",
                description = "Connections, one table each (default 1,64,256).")
        String concurrency = "1,64,256";

        @Option(
                names = "--lbkit-jvm",
                paramLabel = "\"OPTIONS\"",
                description =
                        "The balancer's JVM options (default"
                                + " \"-XX:+UseSerialGC -Xmx128m\", as ./lbkit runs it).")
        String jvm = "-XX:+UseSerialGC -Xmx128m";

        @Option(
                names = "--lbkit-java",
                paramLabel = "JAVA",
                description = "The java binary that runs the balancer" + " (default: this JVM's).")
        String java = ProcessHandle.current().info().command().orElse("java");

        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;

        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Options options;
            try {
                options = Options.of(this);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
                return 1;
            }
            return SideBySideBenchmark.run(options);
        }
    }

    /** The command, as {@code lbkit bench} runs it. */
    public static Callable<Integer> command() {
        return new Flags();
    }

    /** The options of one run. */
    record Options(
            int durationSeconds,
            int warmupSeconds,
            int rounds,
            List<Integer> concurrencies,
            List<String> lbkitJvm,
            String lbkitJava) {
        /**
         * @throws IllegalArgumentException naming the bad option and what it takes
         */
        static Options parse(String[] args) {
            Flags flags = new Flags();
            try {
                new CommandLine(flags).parseArgs(args);
            } catch (ParameterException badFlag) {
                throw new IllegalArgumentException(explain(badFlag));
            }
            return of(flags);
        }

        static String explain(ParameterException badFlag) {
            if (badFlag instanceof UnmatchedArgumentException unknown
                    && !unknown.getUnmatched().isEmpty()) {
                return "unknown option '"
                        + unknown.getUnmatched().get(0)
                        + "'. Options: --duration S, --warmup S,"
                        + " --rounds N, --concurrency 1,64,256, --lbkit-jvm \"JVM options\", --lbkit-java /path/to/bin/java.";
            }
            if (badFlag instanceof MissingParameterException missing
                    && !missing.getMissing().isEmpty()
                    && missing.getMissing().get(0) instanceof OptionSpec option) {
                return option.longestName() + " needs a value.";
            }
            return badFlag.getMessage();
        }

        static Options of(Flags flags) {
            List<Integer> concurrencies =
                    Arrays.stream(flags.concurrency.split(","))
                            .map(c -> positive("--concurrency", c.trim()))
                            .toList();
            List<String> jvm =
                    Arrays.stream(flags.jvm.trim().split("\\s+"))
                            .filter(s -> !s.isEmpty())
                            .toList();
            return new Options(
                    positive("--duration", flags.duration),
                    whole("--warmup", flags.warmup),
                    positive("--rounds", flags.rounds),
                    concurrencies,
                    jvm,
                    flags.java);
        }

        private static int whole(String option, String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException notANumber) {
                // reported below
            }
            throw new IllegalArgumentException(
                    option + " must be a whole number of 0 or more, got '" + value + "'.");
        }

        private static int positive(String option, String value) {
            int n = whole(option, value);
            if (n <= 0) {
                throw new IllegalArgumentException(option + " must be positive, got " + n + ".");
            }
            return n;
        }
    }

    /** What wrk measured in one run against one target, plus the CPU the proxy spent meanwhile. */
    record Run(
            String target,
            int connections,
            long requests,
            double seconds,
            long errors,
            long p50us,
            long p99us,
            long p999us,
            double proxyCpuSeconds) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        /** Proxy CPU time per request, in microseconds (NaN when not measured). */
        double cpuMicrosPerRequest() {
            return requests == 0 ? Double.NaN : proxyCpuSeconds * 1e6 / requests;
        }
    }

    /** One round at one concurrency: the backends directly, HAProxy, lbkit. */
    record Round(int number, Run direct, Run haproxy, Run lbkit) {
        double throughputRatio() {
            return lbkit.requestsPerSecond() / haproxy.requestsPerSecond();
        }

        double p99Ratio() {
            return (double) lbkit.p99us() / Math.max(1, haproxy.p99us());
        }
    }

    private final Options options;
    private final Path workDir;
    private final List<Process> started = new ArrayList<>();

    private SideBySideBenchmark(Options options) throws IOException {
        this.options = options;
        this.workDir = Files.createTempDirectory("lbkit-bench");
    }

    public static void main(String[] args) {
        CommandLine command = new CommandLine(command());
        command.setParameterExceptionHandler(
                (badFlag, ignored) -> {
                    badFlag.getCommandLine()
                            .getErr()
                            .println("lbkit bench: " + Options.explain(badFlag));
                    return 1;
                });
        System.exit(command.execute(args));
    }

    /** Runs the benchmark; exit status 0, or 1 when wrk or haproxy is missing. */
    static int run(Options options) throws Exception {
        for (String tool : List.of(WRK, HAPROXY)) {
            if (!Files.isExecutable(Path.of(tool))) {
                System.err.println(
                        "lbkit bench: "
                                + tool
                                + " is missing. Install it: apt-get install "
                                + Path.of(tool).getFileName()
                                + ".");
                return 1;
            }
        }
        SideBySideBenchmark bench = new SideBySideBenchmark(options);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
        String report = bench.run();
        System.out.println(report);
        Path out =
                Path.of(
                        "target",
                        "lbkit-reports",
                        "benchmark-" + Instant.now().toString().replace(':', '-') + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println("report written to " + out.toAbsolutePath());
        bench.stopAll();
        return 0;
    }

    private String run() throws Exception {
        int[] backendPorts = {SideBySide.freePort(), SideBySide.freePort(), SideBySide.freePort()};
        int haproxyPort = SideBySide.freePort();
        int lbkitPort = SideBySide.freePort();
        Path script = Files.writeString(workDir.resolve("percentiles.lua"), WRK_SCRIPT);

        Process backends =
                start(
                        "backends",
                        List.of(
                                HAPROXY,
                                "-db",
                                "-f",
                                write("backends.cfg", backendsConfig(backendPorts)).toString()));
        Process haproxy =
                start(
                        "haproxy",
                        List.of(
                                HAPROXY,
                                "-db",
                                "-f",
                                write("haproxy.cfg", proxyConfig(haproxyPort, backendPorts))
                                        .toString()));
        List<String> lbkitCommand = new ArrayList<>();
        lbkitCommand.add(options.lbkitJava());
        lbkitCommand.addAll(options.lbkitJvm());
        lbkitCommand.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.lbkit.balancer.Main",
                        "-f",
                        write("lbkit.cfg", proxyConfig(lbkitPort, backendPorts)).toString()));
        Process lbkit = start("lbkit", lbkitCommand);

        String direct = "http://127.0.0.1:" + backendPorts[0] + "/";
        String viaHaproxy = "http://127.0.0.1:" + haproxyPort + "/";
        String viaLbkit = "http://127.0.0.1:" + lbkitPort + "/";
        for (String url : List.of(direct, viaHaproxy, viaLbkit)) {
            awaitAnswer(url, Duration.ofSeconds(60));
        }

        StringBuilder report = new StringBuilder();
        report.append("# lbkit vs HAProxy, side by side\n\n").append(machine()).append('\n');
        report.append(
                        "Backends: HAProxy answering `http-request return` (3 servers, `balance roundrobin`), ")
                .append(options.durationSeconds())
                .append(" s per run, ")
                .append(options.rounds())
                .append(" rounds per concurrency, keep-alive, wrk with `-t min(2,c)`.\n");
        report.append("lbkit JVM: ")
                .append(firstLine(options.lbkitJava(), "-version"))
                .append(", options: `")
                .append(String.join(" ", options.lbkitJvm()))
                .append("`\n\n");
        report.append("Load average at start: ").append(loadAverage()).append("\n\n");

        for (int connections : options.concurrencies()) {
            if (options.warmupSeconds() > 0) {
                wrk(script, viaLbkit, connections, options.warmupSeconds(), "warmup", null);
                wrk(script, viaHaproxy, connections, options.warmupSeconds(), "warmup", null);
            }
            List<Round> rounds = new ArrayList<>();
            for (int r = 1; r <= options.rounds(); r++) {
                Run d =
                        wrk(
                                script,
                                direct,
                                connections,
                                options.durationSeconds(),
                                "direct",
                                backends);
                Run h =
                        wrk(
                                script,
                                viaHaproxy,
                                connections,
                                options.durationSeconds(),
                                "haproxy",
                                haproxy);
                Run l =
                        wrk(
                                script,
                                viaLbkit,
                                connections,
                                options.durationSeconds(),
                                "lbkit",
                                lbkit);
                rounds.add(new Round(r, d, h, l));
                System.err.printf(
                        Locale.ROOT,
                        "c=%d round %d: direct %.0f/s, haproxy %.0f/s p99 %.2f ms, lbkit %.0f/s p99 %.2f ms (load %s)%n",
                        connections,
                        r,
                        d.requestsPerSecond(),
                        h.requestsPerSecond(),
                        h.p99us() / 1000.0,
                        l.requestsPerSecond(),
                        l.p99us() / 1000.0,
                        loadAverage());
            }
            report.append(table(connections, rounds)).append('\n');
        }
        report.append("lbkit peak RSS (VmHWM): ")
                .append(status(lbkit.pid(), "VmHWM"))
                .append("; HAProxy peak RSS: ")
                .append(status(haproxy.pid(), "VmHWM"))
                .append("; lbkit total CPU: ")
                .append(String.format(Locale.ROOT, "%.1f s", cpuSeconds(lbkit.pid())))
                .append("\n\nLoad average at end: ")
                .append(loadAverage())
                .append('\n');
        return report.toString();
    }

    private static String table(int connections, List<Round> rounds) {
        StringBuilder t = new StringBuilder();
        t.append("## ")
                .append(connections)
                .append(connections == 1 ? " connection" : " connections")
                .append("\n\n");
        t.append(
                "| round | backend direct req/s | HAProxy req/s | lbkit req/s | HAProxy p50 / p99 / p99.9 ms"
                        + " | lbkit p50 / p99 / p99.9 ms | lbkit/HAProxy req/s | lbkit/HAProxy p99 | CPU µs/req HAProxy / lbkit | errors |\n");
        t.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Round r : rounds) {
            t.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.0f | %.0f | %.0f | %s | %s | %.2f | %.2f | %.0f / %.0f | %d / %d / %d |%n",
                            r.number(),
                            r.direct().requestsPerSecond(),
                            r.haproxy().requestsPerSecond(),
                            r.lbkit().requestsPerSecond(),
                            latencies(r.haproxy()),
                            latencies(r.lbkit()),
                            r.throughputRatio(),
                            r.p99Ratio(),
                            r.haproxy().cpuMicrosPerRequest(),
                            r.lbkit().cpuMicrosPerRequest(),
                            r.direct().errors(),
                            r.haproxy().errors(),
                            r.lbkit().errors()));
        }
        t.append(
                String.format(
                        Locale.ROOT,
                        "| **median** | %.0f | %.0f | %.0f | | | **%.2f** | **%.2f** | | |%n",
                        median(
                                rounds.stream()
                                        .mapToDouble(r -> r.direct().requestsPerSecond())
                                        .toArray()),
                        median(
                                rounds.stream()
                                        .mapToDouble(r -> r.haproxy().requestsPerSecond())
                                        .toArray()),
                        median(
                                rounds.stream()
                                        .mapToDouble(r -> r.lbkit().requestsPerSecond())
                                        .toArray()),
                        median(rounds.stream().mapToDouble(Round::throughputRatio).toArray()),
                        median(rounds.stream().mapToDouble(Round::p99Ratio).toArray())));
        return t.toString();
    }

    private static String latencies(Run run) {
        return String.format(
                Locale.ROOT,
                "%.2f / %.2f / %.2f",
                run.p50us() / 1000.0,
                run.p99us() / 1000.0,
                run.p999us() / 1000.0);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Runs wrk once; {@code proxy} (may be null) is the process whose CPU time is charged to the
     * run.
     */
    private Run wrk(
            Path script, String url, int connections, int seconds, String target, Process proxy)
            throws IOException, InterruptedException {
        int threads = Math.min(2, connections);
        double cpuBefore = proxy != null ? cpuSeconds(proxy.pid()) : 0;
        Process wrk =
                new ProcessBuilder(
                                WRK,
                                "-t" + threads,
                                "-c" + connections,
                                "-d" + seconds + "s",
                                "--timeout",
                                "5s",
                                "-s",
                                script.toString(),
                                url)
                        .redirectErrorStream(true)
                        .start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk against " + url + " failed:\n" + output);
        }
        double cpu = proxy != null ? cpuSeconds(proxy.pid()) - cpuBefore : Double.NaN;
        Matcher m = RESULT.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException(
                    "wrk printed no result line (is the Lua script running?):\n" + output);
        }
        return new Run(
                target,
                connections,
                Long.parseLong(m.group(1)),
                Long.parseLong(m.group(2)) / 1e6,
                Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)),
                Long.parseLong(m.group(5)),
                Long.parseLong(m.group(6)),
                cpu);
    }

    /** The global and defaults sections of both generated configs. */
    private static final String GLOBAL_AND_DEFAULTS =
            """
            global
                maxconn 4000
            defaults
                mode http
                timeout client 30s
                timeout connect 5s
                timeout server 30s
            """;

    /**
     * The backends: one HAProxy answering every request itself with {@code http-request return} on
     * three ports. A C event loop with no upstream is far faster than either proxy in front of it
     * (each round measures it directly to show that), and it is installed already.
     */
    private static String backendsConfig(int[] ports) {
        StringBuilder c = new StringBuilder(GLOBAL_AND_DEFAULTS);
        for (int i = 0; i < ports.length; i++) {
            String app = "app" + (i + 1);
            c.append("frontend ")
                    .append(app)
                    .append('\n')
                    .append("    bind 127.0.0.1:")
                    .append(ports[i])
                    .append('\n')
                    .append(
                            "    http-request return status 200 content-type text/plain string \"hello from ")
                    .append(app)
                    .append("\\n\" hdr X-Served-By ")
                    .append(app)
                    .append('\n');
        }
        return c.toString();
    }

    /** The config both proxies run; only the listening port differs. */
    private static String proxyConfig(int port, int[] backendPorts) {
        StringBuilder c = new StringBuilder(GLOBAL_AND_DEFAULTS).append("frontend fe\n");
        c.append("    bind 127.0.0.1:")
                .append(port)
                .append('\n')
                .append("    default_backend app\nbackend app\n    balance roundrobin\n");
        for (int i = 0; i < backendPorts.length; i++) {
            c.append("    server app")
                    .append(i + 1)
                    .append(" 127.0.0.1:")
                    .append(backendPorts[i])
                    .append('\n');
        }
        return c.toString();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(workDir.resolve(name), text);
    }

    private Process start(String name, List<String> command) throws IOException {
        Process process =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(workDir.resolve(name + ".log").toFile())
                        .start();
        started.add(process);
        return process;
    }

    /**
     * Stops every process this benchmark started, by its PID; the work directory stays for its
     * logs.
     */
    private synchronized void stopAll() {
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        started.clear();
    }

    private void awaitAnswer(String url, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : started) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(
                            "a process exited early ("
                                    + p.info().commandLine().orElse("?")
                                    + "); see the logs in "
                                    + workDir);
                }
            }
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                int status = c.getResponseCode();
                String servedBy = c.getHeaderField("X-Served-By");
                try (InputStream in = c.getInputStream()) {
                    in.readAllBytes();
                }
                if (status == 200 && servedBy != null) {
                    return;
                }
                last = "status " + status + ", X-Served-By " + servedBy;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                url
                        + " did not answer 200 with X-Served-By within "
                        + timeout
                        + " ("
                        + last
                        + "); see the logs in "
                        + workDir);
    }

    /**
     * User plus system CPU time of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks
     * of 1/100 s).
     */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String status(long pid, String key) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith(key + ":"))
                    .map(l -> l.substring(key.length() + 1).trim())
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu =
                    Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                            .filter(l -> l.startsWith("model name"))
                            .map(l -> l.substring(l.indexOf(':') + 1).trim())
                            .findFirst()
                            .orElse("?");
        } catch (IOException ignored) {
            // not Linux: leave it unknown
        }
        return String.format(
                Locale.ROOT,
                "Machine: %d CPUs (%s), Java %s, %s, %s.%n",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                System.getProperty("java.version"),
                firstLine(HAPROXY, "-v"),
                firstLine(WRK, "-v"));
    }

    private static String firstLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("?").trim();
        } catch (IOException | InterruptedException e) {
            return command[0] + " (version unknown)";
        }
    }
}
