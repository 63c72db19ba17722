package io.starling.http.auth;

import io.starling.broker.auth.PasswordFile;
import io.starling.broker.auth.TokenFile;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Who may use the HTTP listener: users of a password file (HTTP Basic) and holders of a bearer
 * token, or anyone where the configuration lets requests in without credentials.
 *
 * <p>A password hash costs tens of milliseconds to check (PBKDF2), and a browser sends the same
 * Basic credentials with every request of the dashboard: a successful check is remembered, by a
 * SHA-256 of the header (never the password itself), until the files are read again.
 */
public final class Credentials {
    /** Remembered successes at most; beyond, the memory starts again (a guard against filling it). */
    private static final int REMEMBERED = 1024;

    /** What the files say, replaced whole on a reload. */
    private record Files(boolean anonymous, @Nullable PasswordFile passwords, @Nullable TokenFile tokens) {}

    private volatile Files files;
    private final Map<String, String> verified = new ConcurrentHashMap<>();

    private Credentials(Files files) {
        this.files = files;
    }

    /** Reads the files {@code http} names. */
    public static Credentials load(BrokerConfig.Http http) throws ConfigException {
        return new Credentials(read(http));
    }

    /** Reads the files again (SIGHUP, {@code POST /api/v1/reload}); on a problem the ones in use stay. */
    public void reload(BrokerConfig.Http http) throws ConfigException {
        Files next = read(http);
        files = next;
        verified.clear();
    }

    private static Files read(BrokerConfig.Http http) throws ConfigException {
        PasswordFile passwords = http.passwordFile() == null ? null : PasswordFile.load(http.passwordFile());
        TokenFile tokens = http.tokenFile() == null ? null : TokenFile.load(http.tokenFile());
        return new Files(http.anonymousAllowed(), passwords, tokens);
    }

    /** Whether a request without credentials is let in. */
    public boolean anonymousAllowed() {
        return files.anonymous();
    }

    /**
     * The user or token name an {@code Authorization} header proves, or null when it proves
     * nothing (absent, malformed, unknown user, wrong password, unknown token).
     */
    public @Nullable String authenticate(@Nullable String authorization) {
        if (authorization == null) {
            return null;
        }
        Files current = files;
        if (startsWithIgnoringCase(authorization, "Bearer ")) {
            TokenFile tokens = current.tokens();
            return tokens == null ? null : tokens.nameOf(authorization.substring("Bearer ".length()).strip());
        }
        if (!startsWithIgnoringCase(authorization, "Basic ") || current.passwords() == null) {
            return null;
        }
        String key = sha256(authorization);
        String known = verified.get(key);
        if (known != null) {
            return known;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring("Basic ".length()).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String user = decoded.substring(0, colon);
        if (!current.passwords().check(user, decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        if (verified.size() >= REMEMBERED) {
            verified.clear();
        }
        // only while the files this success was checked against are still in force
        if (files == current) {
            verified.put(key, user);
        }
        return user;
    }

    private static boolean startsWithIgnoringCase(String text, String prefix) {
        return text.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
