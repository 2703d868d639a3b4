package dev.lbkit.all.reliability;

import java.util.List;

/** What the step-by-step side-by-side tests share: how many steps both sides saw alike. */
final class Steps {
    private Steps() {}

    /** How many of the steps the two sides recorded alike, position by position. */
    static int alike(List<String> haproxy, List<String> lbkit) {
        int n = 0;
        for (int i = 0; i < Math.min(haproxy.size(), lbkit.size()); i++) {
            n += haproxy.get(i).equals(lbkit.get(i)) ? 1 : 0;
        }
        return n;
    }
}
