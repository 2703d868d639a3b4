package dev.lbkit.harness;

import dev.lbkit.harness.haproxy.Haproxy;
import dev.lbkit.harness.haproxy.HaproxyForTests;

/** Adapts the HAProxy the tests meet ({@link HaproxyForTests}: skip or fail policy) to {@link SideBySide}. */
final class HaproxyForParity {
    private HaproxyForParity() {
    }

    static SideBySide.HaproxyStarter get() {
        return starter(HaproxyForTests.get());
    }

    static SideBySide.HaproxyStarter starter(Haproxy haproxy) {
        return new SideBySide.HaproxyStarter() {
            @Override
            public AutoCloseable start(String config) {
                return haproxy.start(config);
            }

            @Override
            public String describe() {
                return "HAProxy " + haproxy.describe();
            }
        };
    }
}
