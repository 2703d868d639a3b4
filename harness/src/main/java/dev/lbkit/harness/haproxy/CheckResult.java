package dev.lbkit.harness.haproxy;

/**
 * What {@code haproxy -c} said about a configuration.
 *
 * @param exitCode 0 when the configuration is valid (warnings allowed)
 * @param output stdout and stderr together: alerts with {@code [file:line]}, warnings, notices
 */
public record CheckResult(int exitCode, String output) {

    public boolean valid() {
        return exitCode == 0;
    }
}
