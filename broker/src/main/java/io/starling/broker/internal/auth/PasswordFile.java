package io.starling.broker.internal.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A file of {@code user:password} lines, as Mosquitto's password files are before hashing: blank
 * lines and lines starting with {@code #} are skipped; the first {@code :} separates the user
 * name from the password, which may itself contain {@code :}. A user may appear once.
 */
final class PasswordFile {
    private final Map<String, byte[]> passwords;

    private PasswordFile(Map<String, byte[]> passwords) {
        this.passwords = passwords;
    }

    /** Reads {@code file}; a bad line fails with the file and line number. */
    public static PasswordFile load(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read the password file: " + e.getMessage(), e);
        }
        Map<String, byte[]> passwords = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException(file + ":" + (i + 1) + ": expected user:password");
            }
            String user = line.substring(0, colon);
            if (passwords.put(user, line.substring(colon + 1).getBytes(StandardCharsets.UTF_8)) != null) {
                throw new IOException(file + ":" + (i + 1) + ": user '" + user + "' appears twice");
            }
        }
        return new PasswordFile(passwords);
    }

    /** Whether {@code user} exists and {@code password} is its password, compared in constant time. */
    public boolean check(String user, byte @Nullable [] password) {
        byte[] expected = passwords.get(user);
        if (expected == null || password == null) {
            return false;
        }
        return MessageDigest.isEqual(expected, password);
    }

    public int size() {
        return passwords.size();
    }
}
