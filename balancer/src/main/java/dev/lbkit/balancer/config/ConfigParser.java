package dev.lbkit.balancer.config;

import java.io.IOException;
import java.nio.file.Path;

/** Reads HAProxy's configuration syntax into a {@link Config}. */
public final class ConfigParser {

    private ConfigParser() {
    }

    /** Parses a file; alerts name it as HAProxy would ({@code [ALERT] parsing [path:line] : ...}). */
    public static Config parse(Path file) throws IOException, ConfigException {
        throw new UnsupportedOperationException("config parser not written yet");
    }

    /** Parses text; {@code fileName} is what alerts print before {@code :line}. */
    public static Config parse(String text, String fileName) throws ConfigException {
        throw new UnsupportedOperationException("config parser not written yet");
    }
}
