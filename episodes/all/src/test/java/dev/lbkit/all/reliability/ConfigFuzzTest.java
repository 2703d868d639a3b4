package dev.lbkit.all.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.balancer.Main;
import dev.lbkit.balancer.config.ConfigException;
import dev.lbkit.balancer.config.ConfigParser;
import dev.lbkit.balancer.config.HaproxyLine;
import dev.lbkit.harness.NegativeControl;
import dev.lbkit.harness.haproxy.CheckResult;
import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyForTests;
import dev.lbkit.harness.haproxy.HaproxyLines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mutates the valid corpus configs at random (a token dropped, swapped, duplicated, a number out of
 * range, random bytes, a line dropped or repeated) and checks each mutant with lbkit: never a stack
 * trace, always either valid or an {@code [ALERT]} naming a line. The verdict (valid or not, and
 * the first line named) is compared with {@code haproxy -c} of the HAProxy found here (the binary
 * when this machine has one, else the container), lbkit reading as its line, and with a container
 * of each line after 2.6. Seeded: {@code -Dlbkit.fuzz.seed=N} replays a run, {@code
 * -Dlbkit.fuzz.cases=N} sizes it.
 */
class ConfigFuzzTest {
    static final long SEED = Long.getLong("lbkit.fuzz.seed", 20_260_417L);
    static final int CASES = Integer.getInteger("lbkit.fuzz.cases", 300);
    static final int LINE_CASES = Integer.getInteger("lbkit.fuzz.line-cases", 150);
    private static final String FILE = "fuzz.cfg";

    /** "[.../fuzz.cfg:12]" or "(haproxy.cfg:12)": both tools name the file with its path. */
    private static final Pattern LINE_NAMED =
            Pattern.compile("[\\[(](?:[^\\s\\[\\]()]*/)?(?:fuzz|haproxy)\\.cfg:(\\d+)[\\])]");

    private static final List<String> ODD_NUMBERS =
            List.of(
                    "-1",
                    "0",
                    "65536",
                    "257",
                    "2147483648",
                    "99999999999999999999",
                    "1e3",
                    "0x10",
                    "007",
                    "-0",
                    "4294967296",
                    "1.5");

    /** One mutant and what each checker said about it. */
    record Case(
            int index, String kind, String keyword, String text, Verdict lbkit, Verdict haproxy) {
        boolean sameValidity() {
            return haproxy == null || lbkit.valid() == haproxy.valid();
        }

        /**
         * The one class where lbkit is knowingly stricter: a port HAProxy reads leniently (it stops
         * at the first non-digit, "1.5" is port 1, "80(80" port 80, and lets 4294967296 wrap),
         * which lbkit refuses, naming the line: a number out of range, or random bytes in it.
         */
        boolean knownStricterPort() {
            return haproxy != null
                    && haproxy.valid()
                    && !lbkit.valid()
                    && (kind.equals("number out of range") || kind.equals("random bytes"))
                    && (keyword.equals("bind") || keyword.equals("server"))
                    && lbkit.output().contains("port");
        }

        /**
         * A section line with a stray argument ("backend backend app"): both refuse the file; lbkit
         * names that line, HAProxy the one after it (where it notices it is in no valid section).
         */
        boolean knownSectionLine() {
            return haproxy != null
                    && !haproxy.valid()
                    && !lbkit.valid()
                    && List.of("frontend", "backend", "listen", "defaults").contains(keyword)
                    && lbkit.line().isPresent()
                    && haproxy.line().isPresent()
                    && haproxy.line().get() == lbkit.line().get() + 1;
        }

        boolean sameLine() {
            return haproxy == null
                    || lbkit.valid()
                    || haproxy.valid()
                    || lbkit.line().equals(haproxy.line());
        }
    }

    record Verdict(boolean valid, Optional<Integer> line, String output) {}

    /**
     * Against the HAProxy found here (the binary when there is one), lbkit reading as its line; a
     * HAProxy of a line lbkit does not model is met by a 2.6 instead.
     */
    @Test
    void mutatedConfigsAreJudgedWithoutStackTracesAndAsHaproxyDoes() throws Exception {
        Haproxy haproxy = HaproxyForTests.preferringBinary();
        HaproxyLine line = HaproxyLine.ofVersion(haproxy.version());
        if (line == null || !line.modelled()) {
            haproxy = HaproxyForTests.modelled26(haproxy, "config fuzzing");
            line = HaproxyLine.V2_6;
        }
        Fuzz fuzz = fuzz(haproxy, line, line, CASES);
        assertThat(fuzz.disagreements().keySet())
                .as("mutation classes where lbkit and haproxy -c disagree")
                .isEmpty();
    }

    /**
     * The same against a container of each line after 2.6, on fewer cases ({@code
     * -Dlbkit.fuzz.line-cases=N}), lbkit reading as that line.
     */
    @ParameterizedTest(name = "HAProxy {0}")
    @EnumSource(
            value = HaproxyLine.class,
            names = {"V3_0", "V3_2", "V3_4"})
    void mutatedConfigsAreJudgedAsEachLineDoes(HaproxyLine line) throws Exception {
        Fuzz fuzz = fuzz(HaproxyLines.get(line), line, line, LINE_CASES);
        assertThat(fuzz.disagreements().keySet())
                .as("mutation classes where lbkit as %s and haproxy -c %s disagree", line, line)
                .isEmpty();
    }

    /**
     * Negative control: lbkit reading with 2.6's rules, on the mutants met against 3.4, must be
     * caught (3.4 takes a proxy name with a forbidden character, with an alert; 2.6 refuses it).
     */
    @Test
    @Tag(NegativeControl.TAG)
    void readingAs26IsCaughtAgainst34() throws Exception {
        Fuzz fuzz =
                fuzz(
                        HaproxyLines.get(HaproxyLine.V3_4),
                        HaproxyLine.V3_4,
                        HaproxyLine.V2_6,
                        LINE_CASES);
        NegativeControl.record(
                "config-fuzz-2.6-rules-on-3.4",
                "config fuzzing: validity and first line named, against haproxy -c of 3.4",
                "lbkit reads as 2.6",
                "rejected: " + fuzz.disagreements().keySet());
        assertThat(fuzz.disagreements().keySet())
                .as("mutation classes where lbkit as 2.6 and haproxy -c 3.4 disagree")
                .isNotEmpty();
    }

    /**
     * HAProxy's verdicts per HAProxy and number of mutants (the mutants are the same for both:
     * seeded), so the negative control reuses those of the run against 3.4.
     */
    private static final Map<String, Map<String, CheckResult>> CHECKED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@code haproxy -c} on each mutant, in slices side by side: the binary checks each file in a
     * few milliseconds, a container checks a slice in one batch (a container per file would cost a
     * second each).
     */
    private static Map<String, CheckResult> check(Haproxy haproxy, List<String[]> mutants) {
        // A container costs its start per slice: two of them were faster than eight here.
        int count = haproxy.kind() == Haproxy.Kind.BINARY ? 8 : 2;
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<Map<String, CheckResult>>> slices = new ArrayList<>();
            for (int slice = 0; slice < count; slice++) {
                Map<String, String> configs = new java.util.LinkedHashMap<>();
                for (int i = slice; i < mutants.size(); i += count) {
                    configs.put(checkedName(i), mutants.get(i)[2]);
                }
                slices.add(pool.submit(() -> haproxy.checkEach(configs)));
            }
            Map<String, CheckResult> checked = new java.util.HashMap<>();
            for (Future<Map<String, CheckResult>> slice : slices) {
                checked.putAll(slice.get());
            }
            return checked;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while haproxy -c ran", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("haproxy -c failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    /** What one fuzz run found: each mutation class where the two disagree, with its cases. */
    record Fuzz(Map<String, List<Case>> disagreements) {}

    /**
     * Mutates {@code count} configs, checks each with lbkit reading as {@code lbkitLine} and with
     * {@code haproxy} (of {@code line}), and prints the agreement; lbkit's own output is asserted
     * here (never a stack trace, an alert naming a line).
     */
    static Fuzz fuzz(Haproxy haproxy, HaproxyLine line, HaproxyLine lbkitLine, int count)
            throws Exception {
        assertThat(HaproxyLine.ofVersion(haproxy.version()))
                .as("the HAProxy met is of line %s", line.text())
                .isEqualTo(line);
        List<String> seeds = seedConfigs();
        Random random = new Random(SEED);
        System.out.println(
                "[lbkit] config fuzz: seed "
                        + SEED
                        + " (replay with -Dlbkit.fuzz.seed="
                        + SEED
                        + ")");
        List<String[]> mutants = new ArrayList<>();
        int skippedForDns = 0;
        while (mutants.size() < count) {
            String[] mutant = mutate(seeds.get(random.nextInt(seeds.size())), random);
            if (needsDns(mutant[2])) {
                skippedForDns++;
                continue;
            }
            mutants.add(mutant);
        }
        Map<String, CheckResult> checked =
                CHECKED.computeIfAbsent(
                        haproxy.describe() + " x" + count, key -> check(haproxy, mutants));
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < mutants.size(); i++) {
            String[] m = mutants.get(i);
            cases.add(
                    new Case(
                            i,
                            m[0],
                            m[1],
                            m[2],
                            lbkit(m[2], lbkitLine),
                            haproxy(checked.get(checkedName(i)), checkedName(i))));
        }

        long sameValidity = cases.stream().filter(Case::sameValidity).count();
        long sameLine = cases.stream().filter(c -> c.sameValidity() && c.sameLine()).count();
        long invalid = cases.stream().filter(c -> !c.lbkit().valid()).count();
        System.out.printf(
                "[lbkit] config fuzz, lbkit as %s against %s: %d cases (%d mutants skipped: a"
                        + " non-numeric address would make haproxy -c resolve it), %d invalid;"
                        + " validity agrees with haproxy -c on %d/%d (%.1f%%), validity and first"
                        + " line named on %d/%d (%.1f%%)%n",
                lbkitLine.text(),
                haproxy.describe(),
                cases.size(),
                skippedForDns,
                invalid,
                sameValidity,
                cases.size(),
                100.0 * sameValidity / cases.size(),
                sameLine,
                cases.size(),
                100.0 * sameLine / cases.size());
        Map<String, List<Case>> disagreements = new TreeMap<>();
        long knownStricter = cases.stream().filter(Case::knownStricterPort).count();
        long knownSection = cases.stream().filter(Case::knownSectionLine).count();
        System.out.printf(
                "[lbkit] config fuzz: known classes: %d x 'lbkit refuses a port HAProxy reads leniently',"
                        + " %d x 'section line with a stray argument: HAProxy names the next line'%n",
                knownStricter, knownSection);
        cases.stream()
                .filter(
                        c ->
                                !(c.sameValidity() && c.sameLine())
                                        && !c.knownStricterPort()
                                        && !c.knownSectionLine())
                .forEach(
                        c ->
                                disagreements
                                        .computeIfAbsent(
                                                c.kind() + " on '" + c.keyword() + "'",
                                                k -> new ArrayList<>())
                                        .add(c));
        disagreements.forEach(
                (key, list) -> {
                    Case first = list.get(0);
                    System.out.printf(
                            "[lbkit] config fuzz disagreement: %s x%d, e.g. case %d: lbkit %s %s / haproxy %s %s%n"
                                    + "    lbkit: %s%n    haproxy: %s%n",
                            key,
                            list.size(),
                            first.index(),
                            first.lbkit().valid() ? "valid" : "invalid",
                            first.lbkit().line().orElse(0),
                            first.haproxy().valid() ? "valid" : "invalid",
                            first.haproxy().line().orElse(0),
                            firstAlert(first.lbkit().output()),
                            firstAlert(first.haproxy().output()));
                });

        for (Case c : cases) {
            assertThat(c.lbkit().output())
                    .as("case %d: lbkit never prints a stack trace%n%s", c.index(), c.text())
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
            if (!c.lbkit().valid()) {
                // "[fuzz.cfg:12]", or for whole-proxy checks HAProxy's "Proxy 'web': ..." plus the
                // section's line ("line 12") or the rule's place ("at .../fuzz.cfg:12")
                assertThat(
                                c.lbkit().line().isPresent()
                                        || c.lbkit()
                                                .output()
                                                .matches("(?s).*(\\bline \\d+|\\.cfg:\\d+\\b).*"))
                        .as(
                                "case %d: lbkit's alert names a line%n%s%n%s",
                                c.index(), c.lbkit().output(), c.text())
                        .isTrue();
                assertThat(c.lbkit().output())
                        .as("case %d: lbkit's refusal is an [ALERT]", c.index())
                        .contains("[ALERT]");
            }
        }
        return new Fuzz(disagreements);
    }

    private static String firstAlert(String output) {
        return output.lines()
                .filter(l -> l.contains("[ALERT]"))
                .findFirst()
                .orElse(output.lines().findFirst().orElse(""));
    }

    /**
     * lbkit's verdict: the parser's, and {@code lbkit -c} run in-process must print no stack trace
     * either.
     */
    static Verdict lbkit(String text, HaproxyLine line) throws Exception {
        Path dir = Files.createTempDirectory("lbkit-fuzz-");
        Path file = Files.writeString(dir.resolve(FILE), text, StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String cli;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            try {
                Main.run(
                        new String[] {
                            "-c", "-f", file.toString(), "--haproxy-version", line.text()
                        },
                        o,
                        e);
            } catch (RuntimeException crash) {
                java.io.StringWriter trace = new java.io.StringWriter();
                crash.printStackTrace(new java.io.PrintWriter(trace));
                e.print(trace);
            }
            cli = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        }
        try {
            ConfigParser.parse(file, line);
            return new Verdict(true, Optional.empty(), cli);
        } catch (ConfigException e) {
            String alerts = String.join("\n", e.alerts());
            return new Verdict(false, lineNamed(alerts), alerts + "\n" + cli);
        } catch (RuntimeException crash) {
            return new Verdict(false, Optional.empty(), "Exception: " + crash + "\n" + cli);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * HAProxy's verdict on mutant {@code name}; its alerts name that file, read here as {@value
     * #FILE}.
     */
    static Verdict haproxy(CheckResult result, String name) {
        String alerts =
                result.output()
                        .lines()
                        .filter(l -> l.contains("[ALERT]"))
                        .reduce("", (a, b) -> a + b + "\n");
        // "Configuration file has no error but will not start (no listener) => exit(2)": the file
        // is
        // valid, as ConfigParser says; only starting it would listen nowhere (lbkit -c says the
        // same).
        boolean valid =
                result.valid()
                        || (result.exitCode() == 2
                                && result.output().contains("has no error but will not start"));
        return new Verdict(
                valid, lineNamed(alerts.replace(name + ":", FILE + ":")), result.output());
    }

    /** The file name mutant {@code index} is checked under by haproxy -c. */
    private static String checkedName(int index) {
        return "fuzz-" + index + ".cfg";
    }

    static Optional<Integer> lineNamed(String alerts) {
        Matcher m = LINE_NAMED.matcher(alerts);
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    /**
     * A server's or bind's address with letters in it would be resolved by haproxy -c: keep mutants
     * numeric.
     */
    static boolean needsDns(String text) {
        for (String line : text.split("\n", -1)) {
            String[] words = line.strip().split("\\s+");
            String address = null;
            if (words[0].equals("server") && words.length > 2) {
                address = words[2];
            } else if (words[0].equals("bind") && words.length > 1) {
                address = words[1];
            } else if (words[0].equals("server") || words[0].equals("bind")) {
                continue;
            }
            if (address != null && address.replaceFirst("^ipv[46]@", "").matches(".*[g-zG-Z].*")) {
                return true;
            }
        }
        return false;
    }

    /** {kind, keyword of the mutated line, text}. */
    static String[] mutate(String config, Random random) {
        List<String> lines = new ArrayList<>(List.of(config.split("\n", -1)));
        int at = pickLine(lines, random);
        String line = lines.get(at);
        List<String> words = new ArrayList<>(List.of(line.strip().split("\\s+")));
        String keyword = words.get(0);
        String indent = line.substring(0, line.indexOf(keyword));
        String kind;
        switch (random.nextInt(8)) {
            case 0 -> {
                kind = "token dropped";
                if (words.size() > 1) {
                    words.remove(random.nextInt(words.size()));
                }
            }
            case 1 -> {
                kind = "tokens swapped";
                if (words.size() > 1) {
                    int a = random.nextInt(words.size());
                    int b = random.nextInt(words.size());
                    String w = words.get(a);
                    words.set(a, words.get(b));
                    words.set(b, w);
                }
            }
            case 2 -> {
                kind = "token duplicated";
                int a = random.nextInt(words.size());
                words.add(a, words.get(a));
            }
            case 3 -> {
                kind = "number out of range";
                List<Integer> numeric = new ArrayList<>();
                for (int i = 0; i < words.size(); i++) {
                    if (words.get(i).matches(".*\\d.*")) {
                        numeric.add(i);
                    }
                }
                if (!numeric.isEmpty()) {
                    int i = numeric.get(random.nextInt(numeric.size()));
                    String odd = ODD_NUMBERS.get(random.nextInt(ODD_NUMBERS.size()));
                    words.set(i, words.get(i).replaceFirst("\\d+(?!.*\\d)", odd));
                }
            }
            case 4 -> {
                kind = "random bytes";
                int i = random.nextInt(words.size());
                StringBuilder noise = new StringBuilder();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    noise.append((char) (0x21 + random.nextInt(0x7e - 0x21)));
                }
                String w = words.get(i);
                int pos = random.nextInt(w.length() + 1);
                words.set(i, w.substring(0, pos) + noise + w.substring(pos));
            }
            case 5 -> {
                kind = "line dropped";
                lines.remove(at);
                return new String[] {kind, keyword, String.join("\n", lines)};
            }
            case 6 -> {
                kind = "line duplicated";
                lines.add(at, line);
                return new String[] {kind, keyword, String.join("\n", lines)};
            }
            default -> {
                kind = "keyword misspelt";
                String w = words.get(0);
                int pos = random.nextInt(w.length());
                words.set(0, w.substring(0, pos) + w.substring(pos + 1));
            }
        }
        lines.set(at, indent + String.join(" ", words));
        return new String[] {kind, keyword, String.join("\n", lines)};
    }

    private static int pickLine(List<String> lines, Random random) {
        while (true) {
            int at = random.nextInt(lines.size());
            String s = lines.get(at).strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                return at;
            }
        }
    }

    static List<String> seedConfigs() throws Exception {
        Path valid = Path.of(ConfigFuzzTest.class.getResource("/configs/valid").toURI());
        try (Stream<Path> files = Files.list(valid)) {
            List<String> texts = new ArrayList<>();
            for (Path p : files.filter(p -> p.toString().endsWith(".cfg")).sorted().toList()) {
                texts.add(Files.readString(p));
            }
            return texts;
        }
    }
}
