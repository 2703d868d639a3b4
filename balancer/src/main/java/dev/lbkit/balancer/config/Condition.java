package dev.lbkit.balancer.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code if} / {@code unless} part of a rule: terms side by side must all hold, {@code ||} (or
 * {@code or}) separates alternatives, {@code !} negates one term. A term is a named ACL (all its
 * tests, any of which makes it true) or an anonymous one written in braces.
 *
 * @param unless true for {@code unless}: the rule applies when the condition does not hold
 * @param alternatives the {@code ||}-separated groups; a group holds when each of its terms does
 */
public record Condition(boolean unless, List<List<Term>> alternatives) {

    /** One term: the tests of an ACL, any of which makes it true, possibly negated. */
    public record Term(String name, boolean negated, List<AclTest> tests) {
        public Term {
            tests = List.copyOf(tests);
        }

        boolean holds(AclTest.Facts facts) {
            boolean any = false;
            for (AclTest test : tests) {
                if (test.test(facts)) {
                    any = true;
                    break;
                }
            }
            return any != negated;
        }
    }

    public Condition {
        alternatives = alternatives.stream().map(List::copyOf).toList();
    }

    /**
     * Whether a rule with this condition applies to the request. An {@code if} with nothing after
     * it never applies (no alternative holds), and an {@code unless} with nothing after it always
     * does, as in HAProxy (RoutingParityTest).
     */
    public boolean holds(AclTest.Facts facts) {
        boolean holds = false;
        for (List<Term> group : alternatives) {
            boolean all = true;
            for (Term term : group) {
                if (!term.holds(facts)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                holds = true;
                break;
            }
        }
        return holds != unless;
    }

    /**
     * Why lbkit cannot evaluate this condition, one reason per test it cannot evaluate (an ACL on a
     * fetch it does not model, patterns read from a file...); empty when it can.
     */
    public List<String> unmodelled() {
        List<String> reasons = new ArrayList<>();
        for (List<Term> group : alternatives) {
            for (Term term : group) {
                for (AclTest test : term.tests()) {
                    if (test.unmodelled() != null) {
                        reasons.add(test.unmodelled());
                    }
                }
            }
        }
        return reasons;
    }

    /** The condition as read, {@code if <terms>} or {@code unless <terms>}, for messages. */
    public String asWritten() {
        StringBuilder text = new StringBuilder(unless ? "unless" : "if");
        for (int g = 0; g < alternatives.size(); g++) {
            if (g > 0) {
                text.append(" ||");
            }
            for (Term term : alternatives.get(g)) {
                text.append(' ').append(term.negated() ? "!" : "").append(term.name());
            }
        }
        return text.toString();
    }
}
