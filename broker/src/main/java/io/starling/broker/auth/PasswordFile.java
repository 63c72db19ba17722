package io.starling.broker.auth;

import io.starling.broker.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A password file as Mosquitto 2.0 reads it: one {@code user:hash} line per user, where the hash
 * is {@code $7$...} (PBKDF2-SHA512, what {@code mosquitto_passwd} writes) or {@code $6$...} (SHA-512,
 * Mosquitto 1.6), plus Starling's {@code $scram-sha-256$...} lines. Blank lines and lines starting
 * with {@code #} are skipped; the first {@code :} ends the user name. A line whose text after the
 * colon is not a hash is a clear-text password (the format Starling read before): it still
 * loads, with a {@link #warnings() warning} naming {@code starling passwd -U}. A user may appear
 * once. Immutable.
 */
public final class PasswordFile {
    private final String file;
    private final Map<String, PasswordHash> users;
    private final List<String> warnings;
    /** What an unknown user's password is checked against, so that it costs what a known one's does. */
    private final PasswordHash dummy;

    private PasswordFile(String file, Map<String, PasswordHash> users, List<String> warnings) {
        this.file = file;
        this.users = Collections.unmodifiableMap(users);
        this.warnings = List.copyOf(warnings);
        this.dummy = mostCommonCost(users).dummy();
    }

    /** Reads {@code file}; a line that is not {@code user:password} or a malformed hash fails with the file and line. */
    public static PasswordFile load(Path file) throws ConfigException {
        return parse(file.toString(), CredentialFiles.lines(file, "password file"));
    }

    /** Reads {@code lines} of the file named {@code file} (for messages). */
    public static PasswordFile parse(String file, List<String> lines) throws ConfigException {
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        List<String> clearText = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ConfigException(file, lineNumber, "expected user:password");
            }
            String user = line.substring(0, colon);
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(line.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, lineNumber, "user '" + user + "': " + e.getMessage());
            }
            if (hash instanceof PasswordHash.ClearText) {
                clearText.add(user + " (line " + lineNumber + ")");
            }
            if (users.put(user, hash) != null) {
                throw new ConfigException(file, lineNumber, "user '" + user + "' appears twice");
            }
        }
        List<String> warnings = clearText.isEmpty() ? List.of()
                : List.of(file + ": clear-text password" + (clearText.size() == 1 ? "" : "s") + " for " + String.join(", ", clearText)
                        + "; hash them with 'starling passwd -U " + file + "' (Mosquitto 2 does not read clear-text lines)");
        return new PasswordFile(file, users, warnings);
    }

    /** The file as named when loaded. */
    public String file() {
        return file;
    }

    /** What a reader should fix, one sentence each: clear-text passwords. Empty when nothing. */
    public List<String> warnings() {
        return warnings;
    }

    /** The user names, in file order. */
    public List<String> users() {
        return List.copyOf(users.keySet());
    }

    /** What the file holds for {@code user}, or null. */
    public @Nullable PasswordHash entry(String user) {
        return users.get(user);
    }

    public int size() {
        return users.size();
    }

    /**
     * Whether {@code user} exists and {@code password} is its password. An unknown user, or a
     * known one without a password, costs one hash of the file's most common cost all the same,
     * so that the time taken does not tell whether a user exists.
     */
    public boolean check(String user, byte @Nullable [] password) {
        PasswordHash entry = users.get(user);
        boolean matches = (entry != null ? entry : dummy).matches(password != null ? password : new byte[0]);
        return entry != null && password != null && matches;
    }

    /** The dummy hash unknown users are checked against: the file's most common form and cost. */
    PasswordHash dummy() {
        return dummy;
    }

    private static PasswordHash mostCommonCost(Map<String, PasswordHash> users) {
        Map<String, Integer> counts = new HashMap<>();
        PasswordHash best = new PasswordHash.ClearText(new byte[8]);
        int bestCount = 0;
        for (PasswordHash hash : users.values()) {
            String cost = hash.getClass().getSimpleName() + ":" + iterations(hash);
            int n = counts.merge(cost, 1, Integer::sum);
            if (n > bestCount) {
                best = hash;
                bestCount = n;
            }
        }
        return best;
    }

    private static int iterations(PasswordHash hash) {
        if (hash instanceof PasswordHash.Pbkdf2Sha512 p) {
            return p.iterations();
        }
        if (hash instanceof PasswordHash.ScramSha256 s) {
            return s.iterations();
        }
        return 1;
    }
}
