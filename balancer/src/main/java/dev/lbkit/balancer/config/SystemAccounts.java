package dev.lbkit.balancer.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a {@code user} or {@code group} name of the global section exists on this machine, as
 * HAProxy looks it up when it reads the line ({@code /etc/passwd}, {@code /etc/group}). A numeric
 * id is always taken; when the file cannot be read (not a Unix system), every name is.
 */
final class SystemAccounts {

    private SystemAccounts() {}

    static boolean exists(String keyword, String name) {
        if (name.chars().allMatch(Character::isDigit)) {
            return true;
        }
        Path file = Path.of(keyword.equals("user") ? "/etc/passwd" : "/etc/group");
        try {
            return Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
                    .anyMatch(line -> line.startsWith(name + ":"));
        } catch (IOException e) {
            return true;
        }
    }
}
