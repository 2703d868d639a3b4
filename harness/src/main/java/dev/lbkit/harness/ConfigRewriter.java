package dev.lbkit.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites an episode's haproxy.cfg for one side of a side-by-side run, touching only what must
 * differ between HAProxy and lbkit: the {@code bind} addresses, the server addresses and, for exact
 * runs, {@code nbthread 1} plus a runtime API socket. Balancing lines ({@code balance}, {@code
 * hash-type}, {@code weight}, {@code id}, ...) are never changed, so both sides balance with the
 * config as written.
 */
public final class ConfigRewriter {
    private static final Pattern FIRST_WORD = Pattern.compile("^(\\s*)(\\S+)(.*)$");

    private ConfigRewriter() {}

    /**
     * What to put where.
     *
     * @param bindPorts the port for each {@code bind} line, in file order (all on 127.0.0.1)
     * @param serverPorts the port for each {@code server} line, in file order (all on 127.0.0.1)
     * @param statsPort the runtime API port (admin level, on 127.0.0.1), or 0 for none
     * @param singleThread true to force {@code nbthread 1} (exact runs: HAProxy's random is per
     *     thread)
     */
    public record Plan(
            List<Integer> bindPorts,
            List<Integer> serverPorts,
            int statsPort,
            boolean singleThread) {}

    /**
     * Counts the {@code bind} and {@code server} lines, so a caller knows how many ports to find.
     */
    public static int[] countBindsAndServers(String config) {
        int binds = 0;
        int servers = 0;
        for (String line : config.split("\n", -1)) {
            String word = firstWord(line);
            if (word.equals("bind")) {
                binds++;
            } else if (word.equals("server")) {
                servers++;
            }
        }
        return new int[] {binds, servers};
    }

    /** The server names in declaration order (the second word of every {@code server} line). */
    public static List<String> serverNames(String config) {
        List<String> names = new ArrayList<>();
        for (String line : config.split("\n", -1)) {
            if (firstWord(line).equals("server")) {
                String[] words = line.trim().split("\\s+");
                names.add(words.length > 1 ? words[1] : "?");
            }
        }
        return names;
    }

    /** Applies the plan; the result has the same balancing lines, in the same order. */
    public static String rewrite(String config, Plan plan) {
        List<String> out = new ArrayList<>();
        int bindIndex = 0;
        int serverIndex = 0;
        boolean inGlobal = false;
        boolean sawGlobal = false;
        for (String line : config.split("\n", -1)) {
            Matcher m = FIRST_WORD.matcher(line);
            String word = m.matches() ? m.group(2) : "";
            if (isSectionKeyword(word)) {
                if (inGlobal) {
                    out.addAll(globalAdditions(plan, "    "));
                }
                inGlobal = word.equals("global");
                sawGlobal |= inGlobal;
                out.add(line);
                continue;
            }
            if (inGlobal
                    && (word.equals("nbthread") && plan.singleThread()
                            || word.equals("stats")
                                    && m.group(3).trim().startsWith("socket")
                                    && plan.statsPort() > 0)) {
                out.add(m.group(1) + "# lbkit harness: replaced: " + line.trim());
                continue;
            }
            if (word.equals("bind")) {
                out.add(replaceSecondToken(line, "127.0.0.1:" + plan.bindPorts().get(bindIndex++)));
            } else if (word.equals("server")) {
                out.add(
                        replaceThirdToken(
                                line, "127.0.0.1:" + plan.serverPorts().get(serverIndex++)));
            } else {
                out.add(line);
            }
        }
        if (inGlobal) {
            out.addAll(globalAdditions(plan, "    "));
        }
        String result = String.join("\n", out);
        if (!sawGlobal && (plan.singleThread() || plan.statsPort() > 0)) {
            result =
                    "global\n" + String.join("\n", globalAdditions(plan, "    ")) + "\n\n" + result;
        }
        return result;
    }

    private static List<String> globalAdditions(Plan plan, String indent) {
        List<String> lines = new ArrayList<>();
        if (plan.singleThread()) {
            lines.add(indent + "nbthread 1   # lbkit harness: exact runs use one thread");
        }
        if (plan.statsPort() > 0) {
            lines.add(
                    indent
                            + "stats socket ipv4@127.0.0.1:"
                            + plan.statsPort()
                            + " level admin   # lbkit harness");
        }
        return lines;
    }

    private static boolean isSectionKeyword(String word) {
        return switch (word) {
            case "global",
                    "defaults",
                    "frontend",
                    "backend",
                    "listen",
                    "peers",
                    "resolvers",
                    "userlist",
                    "cache",
                    "program",
                    "http-errors",
                    "ring",
                    "mailers" ->
                    true;
            default -> false;
        };
    }

    private static String firstWord(String line) {
        Matcher m = FIRST_WORD.matcher(line);
        return m.matches() ? m.group(2) : "";
    }

    private static String replaceSecondToken(String line, String replacement) {
        return replaceToken(line, 1, replacement);
    }

    private static String replaceThirdToken(String line, String replacement) {
        return replaceToken(line, 2, replacement);
    }

    /**
     * Replaces the n-th whitespace-separated token (from 0), keeping the rest of the line as
     * written.
     */
    private static String replaceToken(String line, int n, String replacement) {
        Matcher m = Pattern.compile("\\S+").matcher(line);
        int i = 0;
        while (m.find()) {
            if (i++ == n) {
                return line.substring(0, m.start()) + replacement + line.substring(m.end());
            }
        }
        throw new IllegalArgumentException(
                "expected at least " + (n + 1) + " words in: " + line.trim());
    }
}
