package dev.lbkit.balancer.config;

/**
 * A {@code use_backend <name> [if|unless <condition>]} line: requests that meet the condition go to
 * that backend; the first line that applies wins, and {@code default_backend} takes the rest.
 *
 * @param condition null when the line has no {@code if} or {@code unless}: it applies to every
 *     request
 */
public record UseBackend(String backend, Condition condition, Where where) {

    public boolean appliesTo(AclTest.Facts facts) {
        return condition == null || condition.holds(facts);
    }
}
