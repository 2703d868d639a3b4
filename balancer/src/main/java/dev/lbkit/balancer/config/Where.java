package dev.lbkit.balancer.config;

/** A place in a configuration file, printed the way HAProxy prints it: {@code file:line}. */
public record Where(String file, int line) {
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
