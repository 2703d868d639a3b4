package dev.lbkit.harness;

import dev.lbkit.harness.haproxy.HaproxyForTests;

/**
 * The HAProxy the tests meet ({@link HaproxyForTests}: skip or fail policy), as a {@link
 * SideBySide} starter.
 */
final class HaproxyForParity {
    private HaproxyForParity() {}

    static SideBySide.HaproxyStarter get() {
        return SideBySide.HaproxyStarter.of(HaproxyForTests.get());
    }
}
