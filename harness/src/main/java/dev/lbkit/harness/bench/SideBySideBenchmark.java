package dev.lbkit.harness.bench;

import dev.lbkit.harness.SideBySide;
import dev.lbkit.harness.bench.MatrixTable.PointResult;
import dev.lbkit.harness.bench.ScalePoint.BackendKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * [--servers 3] [--body 1k] [--close] [--threads 2] [--backend auto|haproxy|nginx] [--warmup 15]
 * [--lbkit-jvm "-XX:+UseSerialGC -Xmx64m"] [--lbkit-java /usr/lib/jvm/.../bin/java]}, or with
 * {@code --matrix} for every {@link ScalePoint#matrix() scale point} in one go, each on freshly
 * started processes. It needs {@code wrk} and the {@code haproxy} binary, and {@code nginx} for
 * nginx backends; it installs nothing and names the {@code apt-get} command when one is missing.
 * Everything listens on 127.0.0.1 on free ports; every process it starts is stopped by its PID at
 * the end. The report goes to stdout and to {@code target/lbkit-reports/}.
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

    /** Debian's nginx packages (nginx, nginx-light) both install it here. */
    private static final String NGINX = "/usr/sbin/nginx";

    /** Seconds to start a point's processes and see them answer, for the estimate. */
    static final int STARTUP_SECONDS = 5;

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
                        + " The report goes to stdout and target/lbkit-reports/ (docs/benchmarks.md).",
                "Needs wrk (apt-get install -y wrk), and nginx for nginx backends (apt-get install -y nginx-light);"
                        + " installs nothing itself."
            })
    public static final class Flags implements Callable<Integer> {
        @Option(
                names = "--matrix",
                description =
                        "Run every scale point in one go, each on freshly started processes: c = 1, 64, 256, 1024"
                                + " (3 servers, 1 KB, keep-alive); at c = 64: 100 and 1000 servers, 100 KB and 10 MB"
                                + " bodies, a new connection per request. Writes one table of medians and ratios."
                                + " Prints how long it takes before starting. Not with --concurrency, --servers,"
                                + " --body or --close.")
        boolean matrix;

        @Option(
                names = "--duration",
                paramLabel = "S",
                description = "Seconds per measured run (default 10).")
        String duration = "10";

        @Option(
                names = "--warmup",
                paramLabel = "S",
                description =
                        "Warm-up seconds of each proxy per concurrency or scale point, 0 for none (default 15).")
        String warmup = "15";

        @Option(
                names = "--rounds",
                paramLabel = "N",
                description =
                        "Rounds per concurrency or scale point; the tables give medians (default 3).")
        String rounds = "3";

        @Option(
                names = "--concurrency",
                paramLabel = "C,C,...",
                description = "Connections, one table each (default 1,64,256).")
        String concurrency;

        @Option(
                names = "--servers",
                paramLabel = "N",
                description = "Servers in the backend, each on its own port (default 3).")
        String servers;

        @Option(
                names = "--body",
                paramLabel = "SIZE",
                description = "Size of every answer's body: 512, 1k, 100k, 10m (default 1k).")
        String body;

        @Option(
                names = "--close",
                description =
                        "A new client connection per request (wrk sends Connection: close; the"
                                + " benchmark checks that each side closes after its answer).")
        boolean close;

        @Option(
                names = "--threads",
                paramLabel = "N",
                description = "wrk threads, at most one per connection: 1 or 2 (default 2).")
        String threads = "2";

        @Option(
                names = "--backend",
                paramLabel = "KIND",
                description =
                        "The backend servers: haproxy (http-request return, its buffer raised for big"
                                + " bodies), nginx (serving a file), or auto: haproxy up to 1 MB bodies,"
                                + " nginx above (default auto).")
        String backend = "auto";

        @Option(
                names = "--lbkit-jvm",
                paramLabel = "\"OPTIONS\"",
                description =
                        "The balancer's JVM options (default \"${DEFAULT-VALUE}\", as ./lbkit -f"
                                + " runs it).")
        String jvm =
                "-XX:+UseSerialGC -Xms16m -Xmx64m -XX:+IgnoreUnrecognizedVMOptions"
                        + " -XX:TrimNativeHeapInterval=1000 -XX:-TieredCompilation"
                        + " -XX:CICompilerCount=1";

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

    /**
     * The options of one run.
     *
     * @param points the scale points, in the order they run
     * @param matrix whether each point gets its own freshly started processes ({@code --matrix})
     */
    record Options(
            int durationSeconds,
            int warmupSeconds,
            int rounds,
            List<ScalePoint> points,
            boolean matrix,
            int threads,
            BackendKind backend,
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
                        + "'. Options: --matrix, --duration S, --warmup S, --rounds N,"
                        + " --concurrency 1,64,256, --servers N, --body 1k, --close, --threads 1|2,"
                        + " --backend auto|haproxy|nginx, --lbkit-jvm \"JVM options\","
                        + " --lbkit-java /path/to/bin/java.";
            }
            if (badFlag instanceof MissingParameterException missing
                    && !missing.getMissing().isEmpty()
                    && missing.getMissing().get(0) instanceof OptionSpec option) {
                return option.longestName() + " needs a value.";
            }
            return badFlag.getMessage();
        }

        static Options of(Flags flags) {
            List<ScalePoint> points;
            if (flags.matrix) {
                if (flags.concurrency != null
                        || flags.servers != null
                        || flags.body != null
                        || flags.close) {
                    throw new IllegalArgumentException(
                            "--matrix sets the connections, servers, body and keep-alive of each"
                                    + " point itself: leave out --concurrency, --servers, --body and --close.");
                }
                points = ScalePoint.matrix();
            } else {
                int servers = positive("--servers", flags.servers == null ? "3" : flags.servers);
                int body = ScalePoint.parseSize("--body", flags.body == null ? "1k" : flags.body);
                points =
                        Arrays.stream(
                                        (flags.concurrency == null ? "1,64,256" : flags.concurrency)
                                                .split(","))
                                .map(c -> positive("--concurrency", c.trim()))
                                .map(c -> new ScalePoint(c, servers, body, !flags.close))
                                .toList();
            }
            int threads = positive("--threads", flags.threads);
            if (threads > 2) {
                throw new IllegalArgumentException(
                        "--threads takes 1 or 2 (the machine's cores are shared with both proxies"
                                + " and the backends), got "
                                + threads
                                + ".");
            }
            BackendKind backend =
                    switch (flags.backend.trim().toLowerCase(Locale.ROOT)) {
                        case "auto" -> BackendKind.AUTO;
                        case "haproxy" -> BackendKind.HAPROXY;
                        case "nginx" -> BackendKind.NGINX;
                        default ->
                                throw new IllegalArgumentException(
                                        "--backend takes auto, haproxy or nginx, got '"
                                                + flags.backend
                                                + "'.");
                    };
            List<String> jvm =
                    Arrays.stream(flags.jvm.trim().split("\\s+"))
                            .filter(s -> !s.isEmpty())
                            .toList();
            return new Options(
                    positive("--duration", flags.duration),
                    whole("--warmup", flags.warmup),
                    positive("--rounds", flags.rounds),
                    points,
                    flags.matrix,
                    threads,
                    backend,
                    jvm,
                    flags.java);
        }

        /** How many sets of processes the run starts: one per point with --matrix, else one. */
        int stands() {
            return matrix ? points.size() : 1;
        }

        /**
         * About how long the run takes, in seconds: starting the processes, then per point the
         * warm-up of each proxy and three wrk runs per round (direct, HAProxy, lbkit), each with a
         * second of wrk's own start and stop.
         */
        long estimatedSeconds() {
            long perPoint = 2L * warmupSeconds + (long) rounds * 3 * (durationSeconds + 1);
            return (long) stands() * STARTUP_SECONDS + points.size() * perPoint;
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

    /**
     * What wrk measured in one run against one target, plus what the machine saw meanwhile.
     *
     * @param proxyCpuSeconds the proxy's user+system CPU time during the run (NaN when not
     *     measured)
     * @param proxyUserSeconds the user part of it (NaN when not measured): the rest is the kernel
     *     working for the proxy, mostly in its socket calls
     * @param tcpOpens TCP connections opened in this network namespace during the run ({@code
     *     ActiveOpens} of /proc/net/snmp): every process's, so at least one per request when the
     *     client opens a new connection per request; with keep-alive, wrk's own connections and the
     *     server connections a proxy opens or reopens
     */
    record Run(
            String target,
            int connections,
            long requests,
            double seconds,
            long errors,
            long p50us,
            long p99us,
            long p999us,
            double proxyCpuSeconds,
            double proxyUserSeconds,
            long tcpOpens) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        /** Proxy CPU time per request, in microseconds (NaN when not measured). */
        double cpuMicrosPerRequest() {
            return requests == 0 ? Double.NaN : proxyCpuSeconds * 1e6 / requests;
        }

        /** The user part of {@link #cpuMicrosPerRequest}: the proxy's own code. */
        double userMicrosPerRequest() {
            return requests == 0 ? Double.NaN : proxyUserSeconds * 1e6 / requests;
        }

        /** The system part of {@link #cpuMicrosPerRequest}: the kernel, working for the proxy. */
        double systemMicrosPerRequest() {
            return requests == 0
                    ? Double.NaN
                    : (proxyCpuSeconds - proxyUserSeconds) * 1e6 / requests;
        }

        /** New TCP connections (machine-wide) per request. */
        double connectionsPerRequest() {
            return requests == 0 ? Double.NaN : (double) tcpOpens / requests;
        }

        /**
         * Reads the line the Lua {@code done()} hook printed among wrk's output.
         *
         * @throws IllegalStateException with wrk's output when the line is missing
         */
        static Run parse(
                String target, int connections, String wrkOutput, CpuTime proxyCpu, long tcpOpens) {
            Matcher m = RESULT.matcher(wrkOutput);
            if (!m.find()) {
                throw new IllegalStateException(
                        "wrk printed no result line (is the Lua script running?):\n" + wrkOutput);
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
                    proxyCpu.total(),
                    proxyCpu.user(),
                    tcpOpens);
        }
    }

    /**
     * CPU time of a process, in seconds: its own code's (user) and the kernel's for it (system).
     */
    record CpuTime(double user, double system) {
        static final CpuTime UNMEASURED = new CpuTime(Double.NaN, Double.NaN);

        double total() {
            return user + system;
        }

        CpuTime minus(CpuTime before) {
            return new CpuTime(user - before.user, system - before.system);
        }
    }

    /** One round at one scale point: the backends directly, HAProxy, lbkit. */
    record Round(int number, Run direct, Run haproxy, Run lbkit) {
        double throughputRatio() {
            return lbkit.requestsPerSecond() / haproxy.requestsPerSecond();
        }

        double p99Ratio() {
            return (double) lbkit.p99us() / Math.max(1, haproxy.p99us());
        }

        double cpuRatio() {
            return lbkit.cpuMicrosPerRequest() / haproxy.cpuMicrosPerRequest();
        }
    }

    /** The processes of one set of points: the backends and both proxies, and their URLs. */
    private record Stand(
            Path dir,
            BackendKind backend,
            Process backends,
            Process haproxy,
            Process lbkit,
            String direct,
            String viaHaproxy,
            String viaLbkit) {
        List<Process> processes() {
            return List.of(backends, haproxy, lbkit);
        }
    }

    private final Options options;
    private final Path workDir;
    private final Path script;
    private final List<Process> started = new ArrayList<>();
    private final Map<Process, String> names = new HashMap<>();

    private SideBySideBenchmark(Options options) throws IOException {
        this.options = options;
        this.workDir = Files.createTempDirectory("lbkit-bench");
        this.script = Files.writeString(workDir.resolve("percentiles.lua"), WRK_SCRIPT);
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

    /**
     * Runs the benchmark; exit status 0, or 1 when a tool is missing or a check fails (too few file
     * descriptors, a side that keeps a connection it was asked to close).
     */
    static int run(Options options) throws Exception {
        Optional<String> missing = missingTool(options);
        if (missing.isPresent()) {
            System.err.println("lbkit bench: " + missing.get());
            return 1;
        }
        SideBySideBenchmark bench = new SideBySideBenchmark(options);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
        System.err.printf(
                Locale.ROOT,
                "lbkit bench: %d scale point(s), %d round(s) of %d s, %d s warm-up; about %s. Work directory: %s%n",
                options.points().size(),
                options.rounds(),
                options.durationSeconds(),
                options.warmupSeconds(),
                minutes(options.estimatedSeconds()),
                bench.workDir);
        Instant begun = Instant.now();
        String name =
                (options.matrix() ? "matrix-" : "benchmark-") + begun.toString().replace(':', '-');
        Path reports = Path.of("target", "lbkit-reports");
        try {
            List<String> report = bench.run();
            Files.createDirectories(reports);
            Path out = reports.resolve(name + ".md");
            Files.writeString(out, report.get(0));
            System.out.println(report.get(0));
            if (report.size() > 1) {
                Path rounds = reports.resolve(name + "-rounds.md");
                Files.writeString(rounds, report.get(1));
                System.out.println("every round: " + rounds.toAbsolutePath());
            }
            System.out.println("report written to " + out.toAbsolutePath());
            System.err.println(
                    "lbkit bench: took "
                            + minutes(Duration.between(begun, Instant.now()).toSeconds())
                            + ".");
            return 0;
        } catch (IllegalStateException failed) {
            System.err.println("lbkit bench: " + failed.getMessage());
            return 1;
        } finally {
            bench.stopAll();
        }
    }

    static String minutes(long seconds) {
        return seconds < 120
                ? seconds + " s"
                : String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
    }

    /** What to install when wrk, haproxy or (for nginx backends) nginx is missing. */
    private static Optional<String> missingTool(Options options) {
        if (!Files.isExecutable(Path.of(WRK))) {
            return Optional.of(WRK + " is missing. Install it: apt-get install -y wrk");
        }
        if (!Files.isExecutable(Path.of(HAPROXY))) {
            return Optional.of(
                    "no haproxy binary on PATH, in /usr/sbin or /usr/local/sbin. Install it:"
                            + " apt-get install -y haproxy");
        }
        boolean nginx =
                options.points().stream()
                        .anyMatch(p -> p.backend(options.backend()) == BackendKind.NGINX);
        if (nginx && !Files.isExecutable(Path.of(NGINX))) {
            return Optional.of(
                    NGINX
                            + " is missing and "
                            + (options.backend() == BackendKind.NGINX
                                    ? "--backend nginx needs it"
                                    : "bodies above 1 MB are served by nginx")
                            + ". Install it: apt-get install -y nginx-light (or nginx). The benchmark"
                            + " starts it as its own process with a generated config; no site or"
                            + " daemon of the package is used.");
        }
        return Optional.empty();
    }

    /** The report (the summary first) and, with --matrix, every round in a second document. */
    private List<String> run() throws Exception {
        StringBuilder head = new StringBuilder();
        head.append("# lbkit vs HAProxy, side by side\n\n").append(machine()).append('\n');
        head.append(
                String.format(
                        Locale.ROOT,
                        "%d s per run, %d rounds per point (backends directly, HAProxy, lbkit), %d s warm-up"
                                + " of each proxy per point, wrk with `-t min(%d,c)`%s. Backends: %s.%n",
                        options.durationSeconds(),
                        options.rounds(),
                        options.warmupSeconds(),
                        options.threads(),
                        options.matrix() ? ", every point on freshly started processes" : "",
                        backendsSentence()));
        head.append("lbkit JVM: ")
                .append(firstLine(options.lbkitJava(), "-version"))
                .append(", options: `")
                .append(String.join(" ", options.lbkitJvm()))
                .append("`\n\n");
        head.append("Load average at start: ").append(loadAverage()).append("\n\n");

        StringBuilder details = new StringBuilder();
        List<PointResult> results = new ArrayList<>();
        Stand stand = null;
        int number = 0;
        for (ScalePoint point : options.points()) {
            number++;
            if (stand == null || options.matrix()) {
                if (stand != null) {
                    stop(stand.processes());
                }
                stand = start(point, number);
            }
            checkDescriptors(point, stand);
            if (!point.keepAlive()) {
                for (String url : List.of(stand.direct(), stand.viaHaproxy(), stand.viaLbkit())) {
                    checkClosesAfterAnswer(url, Duration.ofSeconds(5));
                }
            }
            System.err.printf(
                    Locale.ROOT,
                    "point %d/%d: %s, %s backends%n",
                    number,
                    options.points().size(),
                    point.label(),
                    stand.backend().display());
            results.add(measure(point, stand));
            details.append(
                            MatrixTable.rounds(
                                    point.label() + " (" + stand.backend().display() + " backends)",
                                    results.get(results.size() - 1).rounds()))
                    .append('\n');
        }
        String end = "Load average at end: " + loadAverage() + "\n";
        String summary =
                "## Medians per scale point\n\n"
                        + MatrixTable.summary(results)
                        + "\nMedians over the rounds; the ratios are medians of each round's"
                        + " lbkit/HAProxy ratio, except peak RSS (VmHWM over the point's warm-up and"
                        + " rounds). New TCP connections per request are counted for the whole"
                        + " machine (/proc/net/snmp ActiveOpens), so other processes add to them;"
                        + " with a new connection per request they are at least 1.\n\n";
        if (options.matrix()) {
            return List.of(
                    head + summary + end,
                    "# Every round of " + head.toString().substring(2) + details);
        }
        return List.of(head.toString() + details + summary + end);
    }

    private String backendsSentence() {
        Set<String> kinds = new LinkedHashSet<>();
        for (ScalePoint p : options.points()) {
            BackendKind kind = p.backend(options.backend());
            kinds.add(
                    kind == BackendKind.NGINX
                            ? firstLine(NGINX, "-v")
                                    + " serving a file ("
                                    + ScalePoint.size(p.bodyBytes())
                                    + ")"
                            : "HAProxy answering `http-request return ... file` ("
                                    + ScalePoint.size(p.bodyBytes())
                                    + (BenchConfigs.haproxyBufsize(p.bodyBytes()) > 0
                                            ? ", `tune.bufsize "
                                                    + BenchConfigs.haproxyBufsize(p.bodyBytes())
                                                    + "`"
                                            : "")
                                    + ")");
        }
        return String.join("; ", kinds) + "; `balance roundrobin`";
    }

    /** Warm-up, then the alternating rounds of one point, and both proxies' peak RSS. */
    private PointResult measure(ScalePoint point, Stand stand) throws Exception {
        int c = point.connections();
        resetPeakRss(stand.haproxy());
        resetPeakRss(stand.lbkit());
        if (options.warmupSeconds() > 0) {
            wrk(point, stand.viaLbkit(), options.warmupSeconds(), "warmup", null);
            wrk(point, stand.viaHaproxy(), options.warmupSeconds(), "warmup", null);
        }
        List<Round> rounds = new ArrayList<>();
        for (int r = 1; r <= options.rounds(); r++) {
            Run d =
                    wrk(
                            point,
                            stand.direct(),
                            options.durationSeconds(),
                            "direct",
                            stand.backends());
            Run h =
                    wrk(
                            point,
                            stand.viaHaproxy(),
                            options.durationSeconds(),
                            "haproxy",
                            stand.haproxy());
            Run l = wrk(point, stand.viaLbkit(), options.durationSeconds(), "lbkit", stand.lbkit());
            rounds.add(new Round(r, d, h, l));
            System.err.printf(
                    Locale.ROOT,
                    "  c=%d round %d: direct %.0f/s, haproxy %.0f/s p99 %.2f ms, lbkit %.0f/s p99 %.2f ms (load %s)%n",
                    c,
                    r,
                    d.requestsPerSecond(),
                    h.requestsPerSecond(),
                    h.p99us() / 1000.0,
                    l.requestsPerSecond(),
                    l.p99us() / 1000.0,
                    loadAverage());
        }
        return new PointResult(
                point,
                stand.backend(),
                rounds,
                peakRssKb(stand.haproxy()),
                peakRssKb(stand.lbkit()));
    }

    /** Starts the backends and both proxies for {@code point} in their own directory. */
    private Stand start(ScalePoint point, int number) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve("point-" + number));
        BackendKind kind = point.backend(options.backend());
        List<Integer> backendPorts = freePorts(point.servers());
        int haproxyPort = SideBySide.freePort();
        int lbkitPort = SideBySide.freePort();
        Path body = dir.resolve("body");
        Files.write(body, bodyBytes(point.bodyBytes()));

        Process backends;
        if (kind == BackendKind.NGINX) {
            // nginx's workers run as the package's unprivileged user when started by root: let
            // them read the body (the directories hold only generated configs and logs)
            for (Path p : List.of(workDir, dir, body)) {
                Files.setPosixFilePermissions(
                        p,
                        PosixFilePermissions.fromString(
                                Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
            Files.createDirectories(dir.resolve("nginx-temp"));
            Path conf =
                    write(
                            dir,
                            "nginx.conf",
                            BenchConfigs.nginxBackends(backendPorts, dir, 3 * point.connections()));
            backends =
                    start(
                            dir,
                            "backends",
                            List.of(
                                    NGINX,
                                    "-e",
                                    dir.resolve("nginx-error.log").toString(),
                                    "-p",
                                    dir.toString(),
                                    "-c",
                                    conf.toString()));
        } else {
            Path conf =
                    write(
                            dir,
                            "backends.cfg",
                            BenchConfigs.haproxyBackends(backendPorts, point.bodyBytes(), body));
            backends = start(dir, "backends", List.of(HAPROXY, "-db", "-f", conf.toString()));
        }
        Process haproxy =
                start(
                        dir,
                        "haproxy",
                        List.of(
                                HAPROXY,
                                "-db",
                                "-f",
                                write(
                                                dir,
                                                "haproxy.cfg",
                                                BenchConfigs.proxy(haproxyPort, backendPorts))
                                        .toString()));
        List<String> lbkitCommand = new ArrayList<>();
        lbkitCommand.add(options.lbkitJava());
        lbkitCommand.addAll(options.lbkitJvm());
        lbkitCommand.addAll(
                List.of(
                        "-cp",
                        lbkitClasspath(),
                        "dev.lbkit.balancer.Main",
                        "-f",
                        write(dir, "lbkit.cfg", BenchConfigs.proxy(lbkitPort, backendPorts))
                                .toString()));
        Process lbkit = start(dir, "lbkit", lbkitCommand);

        Stand stand =
                new Stand(
                        dir,
                        kind,
                        backends,
                        haproxy,
                        lbkit,
                        "http://127.0.0.1:" + backendPorts.get(0) + "/",
                        "http://127.0.0.1:" + haproxyPort + "/",
                        "http://127.0.0.1:" + lbkitPort + "/");
        for (String url : List.of(stand.direct(), stand.viaHaproxy(), stand.viaLbkit())) {
            awaitAnswer(url, Duration.ofSeconds(60), dir);
        }
        return stand;
    }

    /** {@code count} distinct free ports. */
    private static List<Integer> freePorts(int count) throws IOException {
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < count) {
            ports.add(SideBySide.freePort());
        }
        return List.copyOf(ports);
    }

    private static byte[] bodyBytes(int size) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        if (size > 0) {
            body[size - 1] = '\n';
        }
        return body;
    }

    /**
     * Fails with what to do when a proxy, the backends or wrk (which inherits this JVM's limit) may
     * open fewer files than {@code point} needs.
     */
    private void checkDescriptors(ScalePoint point, Stand stand) {
        int needed = point.descriptorsPerProxy();
        List<String> tooFew = new ArrayList<>();
        for (Process p : List.of(stand.haproxy(), stand.lbkit(), stand.backends())) {
            long limit = openFilesLimit(p.pid());
            if (limit >= 0 && limit < needed) {
                tooFew.add(
                        p.info()
                                        .command()
                                        .map(cmd -> Path.of(cmd).getFileName().toString())
                                        .orElse("?")
                                + " (pid "
                                + p.pid()
                                + ") may open "
                                + limit);
            }
        }
        long own = openFilesLimit(ProcessHandle.current().pid());
        if (own >= 0 && own < point.connections() + 64L) {
            tooFew.add("wrk (this JVM's limit, which it inherits) may open " + own);
        }
        if (!tooFew.isEmpty()) {
            throw new IllegalStateException(
                    point.label()
                            + " needs "
                            + needed
                            + " open files per process, but "
                            + String.join(", ", tooFew)
                            + ". Raise the limit in the shell that runs the benchmark (ulimit -n 65536, or"
                            + " LimitNOFILE in a service unit) and run it again.");
        }
    }

    /** The soft "Max open files" of a process, from /proc/PID/limits; -1 when unknown. */
    static long openFilesLimit(long pid) {
        try {
            return openFilesLimit(Files.readString(Path.of("/proc", Long.toString(pid), "limits")));
        } catch (IOException e) {
            return -1;
        }
    }

    /** The soft "Max open files" in the text of /proc/PID/limits; -1 when absent. */
    static long openFilesLimit(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
            }
        }
        return -1;
    }

    /**
     * Sends one request with {@code Connection: close} on a new connection and fails unless the
     * other side closes it after the answer: only then does wrk open a new connection for each
     * request.
     */
    static void checkClosesAfterAnswer(String url, Duration wait) throws IOException {
        URL u = new URL(url);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(u.getHost(), u.getPort()), 2000);
            socket.setSoTimeout((int) wait.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("GET / HTTP/1.1\r\nHost: " + u.getHost() + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[65536];
            long read = 0;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    read += n;
                }
            } catch (SocketTimeoutException stillOpen) {
                throw new IllegalStateException(
                        url
                                + " kept the client connection open "
                                + wait.toMillis()
                                + " ms after answering a request with Connection: close ("
                                + read
                                + " bytes read), so wrk would not open a new connection per request.");
            }
            if (read == 0) {
                throw new IllegalStateException(
                        url
                                + " closed the connection without answering a Connection: close request.");
            }
        }
    }

    /**
     * Runs wrk once at {@code point}; {@code proxy} (may be null) is the process whose CPU time is
     * charged to the run.
     */
    private Run wrk(ScalePoint point, String url, int seconds, String target, Process proxy)
            throws IOException, InterruptedException {
        int connections = point.connections();
        List<String> command =
                new ArrayList<>(
                        List.of(
                                WRK,
                                "-t" + Math.min(options.threads(), connections),
                                "-c" + connections,
                                "-d" + seconds + "s",
                                "--timeout",
                                point.wrkTimeoutSeconds() + "s",
                                "-s",
                                script.toString()));
        if (!point.keepAlive()) {
            command.addAll(List.of("-H", "Connection: close"));
        }
        command.add(url);
        CpuTime cpuBefore = proxy != null ? cpuTime(proxy.pid()) : CpuTime.UNMEASURED;
        long opensBefore = tcpActiveOpens();
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        long wrkFiles = openFilesLimit(wrk.pid());
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(seconds + 60L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk against " + url + " failed:\n" + output);
        }
        if (wrkFiles >= 0 && wrkFiles < connections + 16L) {
            throw new IllegalStateException(
                    "wrk may open only "
                            + wrkFiles
                            + " files, too few for "
                            + connections
                            + " connections. Raise the limit in the shell that runs the benchmark"
                            + " (ulimit -n 65536) and run it again.");
        }
        CpuTime cpu = proxy != null ? cpuTime(proxy.pid()).minus(cpuBefore) : CpuTime.UNMEASURED;
        return Run.parse(target, connections, output, cpu, tcpActiveOpens() - opensBefore);
    }

    /** TCP connections this network namespace has opened so far (ActiveOpens); 0 when unknown. */
    private static long tcpActiveOpens() {
        try {
            return tcpActiveOpens(Files.readString(Path.of("/proc/net/snmp")));
        } catch (IOException e) {
            return 0;
        }
    }

    /** ActiveOpens in the text of /proc/net/snmp: a "Tcp:" line of names, then one of values. */
    static long tcpActiveOpens(String snmp) {
        List<String> tcp = snmp.lines().filter(l -> l.startsWith("Tcp:")).toList();
        if (tcp.size() < 2) {
            return 0;
        }
        List<String> names = Arrays.asList(tcp.get(0).split("\\s+"));
        String[] values = tcp.get(1).split("\\s+");
        int i = names.indexOf("ActiveOpens");
        return i < 0 || i >= values.length ? 0 : Long.parseLong(values[i]);
    }

    /** Resets a process's peak RSS (VmHWM) to its current RSS (Linux: clear_refs 5). */
    private static void resetPeakRss(Process p) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(p.pid()), "clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // an older kernel: the peak then counts from the process's start, still an upper bound
        }
    }

    /** A process's peak RSS in kB (VmHWM), -1 when unknown. */
    private static long peakRssKb(Process p) {
        String hwm = status(p.pid(), "VmHWM");
        Matcher m = Pattern.compile("(\\d+) kB").matcher(hwm);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private Process start(Path dir, String name, List<String> command) throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(name + ".log").toFile());
        if (name.startsWith("lbkit")) {
            // As ./lbkit runs it: two malloc arenas, not one per thread.
            builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        }
        Process process = builder.start();
        synchronized (this) {
            started.add(process);
            names.put(process, name);
        }
        return process;
    }

    /** Stops the given processes (started here), by their PIDs. */
    private synchronized void stop(List<Process> processes) {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        started.removeAll(processes);
    }

    /**
     * Stops every process this benchmark started, by its PID; the work directory stays for its
     * logs.
     */
    private synchronized void stopAll() {
        stop(List.copyOf(started));
    }

    /**
     * Why a process ({@code backends}, {@code haproxy}, {@code lbkit}) stopped: the last line of
     * its log, and what to do when that line is about the file-descriptor limit.
     */
    static String exitedEarly(String name, Path dir) {
        String last = "";
        try {
            last =
                    Files.readAllLines(dir.resolve(name + ".log")).stream()
                            .filter(l -> !l.isBlank())
                            .reduce((a, b) -> b)
                            .orElse("");
        } catch (IOException unreadable) {
            // the log's path is in the message anyway
        }
        return name
                + " exited early"
                + (last.isEmpty() ? "" : ": " + last.trim())
                + (last.contains("FD limit") || last.contains("Too many open files")
                        ? " Raise the open-files limit in the shell that runs the benchmark"
                                + " (ulimit -n 65536) and run it again."
                        : "")
                + " See "
                + dir.resolve(name + ".log")
                + ".";
    }

    private void awaitAnswer(String url, Duration timeout, Path dir) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : List.copyOf(started)) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(exitedEarly(names.get(p), dir));
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
                        + dir);
    }

    /**
     * User and system CPU time of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks
     * of 1/100 s).
     */
    static CpuTime cpuTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15
            return new CpuTime(
                    Long.parseLong(fields[11]) / 100.0, Long.parseLong(fields[12]) / 100.0);
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

    /**
     * The classpath lbkit runs with: what {@code ./lbkit -f} serves with ({@code
     * LBKIT_SERVE_CLASSPATH}, which {@code ./lbkit bench} sets: the balancer and the episodes'
     * algorithms only), else this JVM's own. Every jar on it stays open with its directory in the
     * heap, so the two differ by megabytes of peak RSS.
     */
    static String lbkitClasspath() {
        String serving = System.getenv("LBKIT_SERVE_CLASSPATH");
        return serving == null || serving.isBlank()
                ? System.getProperty("java.class.path")
                : serving;
    }
}
