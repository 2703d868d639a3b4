package dev.lbkit.harness.haproxy;

import dev.lbkit.balancer.config.HaproxyLine;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one place tests get a real HAProxy, with the project's policy for a missing one.
 *
 * <pre>{@code
 * Haproxy haproxy = HaproxyForTests.get();   // skips (or fails in CI) when there is none
 * }</pre>
 *
 * <p>Missing HAProxy: outside CI the test is skipped with a message saying how to get one; with env
 * {@code CI=true} or {@code -Dlbkit.haproxy.required=true} it fails. A kind asked for explicitly
 * ({@code -Dlbkit.haproxy=container|binary}) that is missing always fails: the run was meant to use
 * it. The first test to meet a HAProxy prints one line saying which, e.g. {@code [lbkit] HAProxy:
 * container local/haproxy:2.6 — HAProxy version 2.6.12-1+deb12u4}.
 */
public final class HaproxyForTests {

    public static final String REQUIRED_PROPERTY = "lbkit.haproxy.required";

    private static final String HOW_TO_ENABLE =
            "To run these tests: install haproxy (e.g. apt-get install haproxy), "
                    + "or start Docker with an HAProxy image (-Dhaproxy.image=local/haproxy:2.6); "
                    + "choose with -Dlbkit.haproxy=auto|container|binary.";
    private static final Set<Haproxy.Kind> ANNOUNCED = EnumSet.noneOf(Haproxy.Kind.class);

    private HaproxyForTests() {}

    /**
     * The HAProxy that {@code -Dlbkit.haproxy} selects; skips or fails the test when there is none.
     */
    public static Haproxy get() {
        HaproxyLocator.Choice choice = HaproxyLocator.choice();
        long startNanos = System.nanoTime();
        HaproxyLocator.Lookup lookup = HaproxyLocator.find();
        announce(lookup, startNanos);
        return use(
                lookup,
                choice != HaproxyLocator.Choice.AUTO && choice != HaproxyLocator.Choice.NONE,
                required());
    }

    /**
     * As {@link #get()}, but the binary first when this machine has one ({@link
     * HaproxyLocator#findPreferringBinary()}): for tests that start or check HAProxy many times.
     * Without a binary they meet the container.
     */
    public static Haproxy preferringBinary() {
        HaproxyLocator.Choice choice = HaproxyLocator.choice();
        long startNanos = System.nanoTime();
        HaproxyLocator.Lookup lookup = HaproxyLocator.findPreferringBinary();
        announce(lookup, startNanos);
        return use(
                lookup,
                choice != HaproxyLocator.Choice.AUTO && choice != HaproxyLocator.Choice.NONE,
                required());
    }

    /**
     * For comparisons whose lbkit side models HAProxy 2.6's answers only (the stats page's
     * numbering, and the comparisons a test runs on 2.6 alone): {@code found} when it is a 2.6,
     * else a HAProxy 2.6 from {@link HaproxyLines} (the official image, pulled when it can be, or
     * the local build), saying so. A newer HAProxy answers some of these differently, and lbkit
     * does not model that yet. (Error pages, answers to bad input and the runtime API's words are
     * modelled per line: their comparisons meet the HAProxy found, with lbkit running as its line.)
     */
    public static Haproxy modelled26(Haproxy found, String what) {
        if (HaproxyLine.ofVersion(found.version()) == HaproxyLine.V2_6) {
            return found;
        }
        System.out.printf(
                "[lbkit] %s: lbkit models HAProxy 2.6's answers here, and the HAProxy found is %s,"
                        + " so it meets a HAProxy 2.6 instead%n",
                what, found.describe());
        return HaproxyLines.get(HaproxyLine.V2_6);
    }

    /**
     * That kind of HAProxy, for tests that run against each kind. Skipped when {@code
     * -Dlbkit.haproxy} chose another kind; skipped or failed per the policy when it is missing.
     */
    public static Haproxy get(Haproxy.Kind kind) {
        HaproxyLocator.Choice choice = HaproxyLocator.choice();
        if (!choice.allows(kind)) {
            Assumptions.abort(
                    "HAProxy "
                            + kind.id()
                            + " not tested: -D"
                            + HaproxyLocator.CHOICE_PROPERTY
                            + "="
                            + choice.name().toLowerCase(java.util.Locale.ROOT)
                            + " selects another kind");
        }
        long startNanos = System.nanoTime();
        HaproxyLocator.Lookup lookup = HaproxyLocator.find(kind);
        announce(lookup, startNanos);
        return use(lookup, choice != HaproxyLocator.Choice.AUTO, required());
    }

    /**
     * The kinds of HAProxy a test "for each kind" runs against here (a {@code @MethodSource}): with
     * {@code -Dlbkit.haproxy=auto}, every kind this machine offers, so a machine with Docker and no
     * binary runs those tests against the container instead of skipping (or, in CI, failing) the
     * binary's half; a kind asked for explicitly, only that one. When no kind is here, all of them,
     * so each test meets the missing-HAProxy policy of {@link #get(Haproxy.Kind)}.
     */
    public static java.util.List<Haproxy.Kind> kindsHere() {
        HaproxyLocator.Choice choice = HaproxyLocator.choice();
        java.util.List<Haproxy.Kind> all = java.util.List.of(Haproxy.Kind.values());
        if (choice == HaproxyLocator.Choice.NONE) {
            return all;
        }
        java.util.List<Haproxy.Kind> here =
                all.stream()
                        .filter(choice::allows)
                        .filter(
                                kind ->
                                        choice != HaproxyLocator.Choice.AUTO
                                                || HaproxyLocator.find(kind).haproxy().isPresent())
                        .toList();
        if (here.isEmpty()) {
            return all;
        }
        for (Haproxy.Kind kind : all) {
            if (!here.contains(kind) && choice == HaproxyLocator.Choice.AUTO) {
                announceLeftOut(kind, HaproxyLocator.find(kind).missing());
            }
        }
        return here;
    }

    private static final Set<Haproxy.Kind> LEFT_OUT = EnumSet.noneOf(Haproxy.Kind.class);

    private static void announceLeftOut(Haproxy.Kind kind, String why) {
        synchronized (LEFT_OUT) {
            if (LEFT_OUT.add(kind)) {
                System.out.println(
                        "[lbkit] no HAProxy "
                                + kind.id()
                                + " here ("
                                + why
                                + "): the tests for each kind run"
                                + " against the other kind only");
            }
        }
    }

    /**
     * True with env {@code CI=true} or {@code -Dlbkit.haproxy.required=true}: a missing HAProxy
     * fails tests.
     */
    public static boolean required() {
        return Boolean.parseBoolean(System.getProperty(REQUIRED_PROPERTY, "false"))
                || "true".equalsIgnoreCase(Optional.ofNullable(System.getenv("CI")).orElse(""));
    }

    /**
     * The policy itself: the HAProxy found, else a skipped test, else (required or asked for) a
     * failed one.
     */
    static Haproxy use(HaproxyLocator.Lookup lookup, boolean askedForExplicitly, boolean required) {
        if (lookup.haproxy().isPresent()) {
            return modelledOrRefused(lookup.haproxy().get(), required);
        }
        String message = "No HAProxy: " + lookup.missing() + ". " + HOW_TO_ENABLE;
        if (required || askedForExplicitly) {
            String why =
                    askedForExplicitly
                            ? "it was asked for with -D" + HaproxyLocator.CHOICE_PROPERTY
                            : "CI=true or -D" + REQUIRED_PROPERTY + "=true requires one";
            return Assertions.fail(message + " (failing, not skipping: " + why + ")");
        }
        announceSkip(message);
        return Assumptions.abort(message);
    }

    /**
     * The HAProxy found, if lbkit models its line. A parity test against a line lbkit does not
     * model would fail for the wrong reason (or pass while teaching another line's behaviour), so
     * it is skipped with a message naming the modelled lines, and fails in CI.
     */
    static Haproxy modelledOrRefused(Haproxy haproxy, boolean required) {
        return modelledOrRefused(haproxy, required, HaproxyLine.modelledLines());
    }

    /** As above, with the lines taken as modelled given (the policy's own test narrows them). */
    static Haproxy modelledOrRefused(
            Haproxy haproxy, boolean required, java.util.List<HaproxyLine> modelled) {
        HaproxyLine line = HaproxyLine.ofVersion(haproxy.version());
        if (line != null && modelled.contains(line)) {
            return haproxy;
        }
        String message =
                "HAProxy "
                        + haproxy.version()
                        + " ("
                        + haproxy.describe()
                        + ") is of a line lbkit does not"
                        + " model"
                        + (line == null ? "" : " yet")
                        + "; lbkit models HAProxy "
                        + String.join(", ", modelled.stream().map(HaproxyLine::text).toList())
                        + ". Point the tests at one of those: -Dhaproxy.image=local/haproxy:"
                        + HaproxyLine.DEFAULT.text()
                        + " (.ci/build-haproxy-image.sh builds it) or -Dlbkit.haproxy=binary with a "
                        + HaproxyLine.DEFAULT.text()
                        + " haproxy on PATH.";
        if (required) {
            return Assertions.fail(
                    message
                            + " (failing, not skipping: CI=true or -D"
                            + REQUIRED_PROPERTY
                            + "=true requires a HAProxy lbkit models)");
        }
        announceSkip(message);
        return Assumptions.abort(message);
    }

    private static boolean skipAnnounced;

    /**
     * Says once per test JVM, on the console, why the HAProxy tests are skipped and how to run
     * them.
     */
    private static synchronized void announceSkip(String message) {
        if (!skipAnnounced) {
            skipAnnounced = true;
            System.out.println("[lbkit] parity tests against HAProxy are SKIPPED here. " + message);
        }
    }

    /**
     * Prints which HAProxy the tests meet, once per kind; the time is the lookup's (Docker client,
     * haproxy -v).
     */
    private static void announce(HaproxyLocator.Lookup lookup, long startNanos) {
        lookup.haproxy()
                .ifPresent(
                        haproxy -> {
                            synchronized (ANNOUNCED) {
                                if (ANNOUNCED.add(haproxy.kind())) {
                                    System.out.printf(
                                            "[lbkit] HAProxy: %s (found in %d ms)%n",
                                            haproxy.describe(),
                                            (System.nanoTime() - startNanos) / 1_000_000);
                                }
                            }
                        });
    }
}
