package io.starling.broker.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * What a password file holds for one user, after {@code user:}: one of the forms below, each
 * able to tell whether a password is the user's. The salt and hash fields are Base64 with
 * padding, as OpenSSL writes them for Mosquitto.
 */
public sealed interface PasswordHash {
    /** The salt length Mosquitto writes and requires for {@code $6$} and {@code $7$}. */
    int MOSQUITTO_SALT_LENGTH = 12;
    /** The iterations {@code starling passwd} uses unless told otherwise ({@code -I}). */
    int DEFAULT_ITERATIONS = 10_000;

    /** Whether {@code password} is this user's; the comparison takes the same time wherever they differ. */
    boolean matches(byte[] password);

    /** The text after {@code user:} in the file. */
    String encoded();

    /**
     * A hash of the same form and cost for a random password: checking a password against it
     * costs what checking against this one costs, for users who do not exist.
     */
    PasswordHash dummy();

    /** A line of the old format: the password itself. Loaded with a warning. */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    record ClearText(byte[] password) implements PasswordHash {
        @Override
        public boolean matches(byte[] given) {
            return MessageDigest.isEqual(password, given);
        }

        @Override
        public String encoded() {
            return new String(password, StandardCharsets.UTF_8);
        }

        @Override
        public PasswordHash dummy() {
            return new ClearText(random(password.length));
        }
    }

    /** {@code $6$salt$hash}: one SHA-512 of the password and the salt (Mosquitto 1.6 and before). */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    record Sha512(byte[] salt, byte[] hash) implements PasswordHash {
        @Override
        public boolean matches(byte[] password) {
            return MessageDigest.isEqual(hash, Pbkdf2.digest("SHA-512", password, salt));
        }

        @Override
        public String encoded() {
            return "$6$" + base64(salt) + "$" + base64(hash);
        }

        @Override
        public PasswordHash dummy() {
            return new Sha512(random(salt.length), random(hash.length));
        }
    }

    /** {@code $7$iterations$salt$hash}: PBKDF2 with HMAC-SHA512, 64 bytes (Mosquitto 2.0's default). */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    record Pbkdf2Sha512(int iterations, byte[] salt, byte[] hash) implements PasswordHash {
        @Override
        public boolean matches(byte[] password) {
            return MessageDigest.isEqual(hash, Pbkdf2.derive(Pbkdf2.HMAC_SHA512, password, salt, iterations, hash.length));
        }

        @Override
        public String encoded() {
            return "$7$" + iterations + "$" + base64(salt) + "$" + base64(hash);
        }

        @Override
        public PasswordHash dummy() {
            return new Pbkdf2Sha512(iterations, random(salt.length), random(hash.length));
        }
    }

    /**
     * {@code $scram-sha-256$iterations$salt$storedKey$serverKey}: the SCRAM-SHA-256 credentials of
     * RFC 5802 section 3 with RFC 7677's hash (Starling only; Mosquitto skips such lines). They
     * check a plain password too: its StoredKey is derived and compared.
     */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    record ScramSha256(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) implements PasswordHash {
        public static final String PREFIX = "$scram-sha-256$";

        @Override
        public boolean matches(byte[] password) {
            byte[] salted = Pbkdf2.derive(Pbkdf2.HMAC_SHA256, password, salt, iterations, 32);
            return MessageDigest.isEqual(storedKey, storedKey(clientKey(salted)));
        }

        @Override
        public String encoded() {
            return PREFIX + iterations + "$" + base64(salt) + "$" + base64(storedKey) + "$" + base64(serverKey);
        }

        @Override
        public PasswordHash dummy() {
            return new ScramSha256(iterations, random(salt.length), random(32), random(32));
        }

        /** ClientKey := HMAC(SaltedPassword, "Client Key"). */
        public static byte[] clientKey(byte[] saltedPassword) {
            return Pbkdf2.hmac(Pbkdf2.HMAC_SHA256, saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
        }

        /** StoredKey := H(ClientKey). */
        public static byte[] storedKey(byte[] clientKey) {
            return Pbkdf2.digest("SHA-256", clientKey);
        }

        /** ServerKey := HMAC(SaltedPassword, "Server Key"). */
        public static byte[] serverKey(byte[] saltedPassword) {
            return Pbkdf2.hmac(Pbkdf2.HMAC_SHA256, saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** A new {@code $7$} hash of {@code password} with a random salt, as {@code mosquitto_passwd} writes. */
    static Pbkdf2Sha512 pbkdf2Sha512(byte[] password, int iterations) {
        byte[] salt = random(MOSQUITTO_SALT_LENGTH);
        return new Pbkdf2Sha512(iterations, salt, Pbkdf2.derive(Pbkdf2.HMAC_SHA512, password, salt, iterations, 64));
    }

    /** A new {@code $6$} hash of {@code password} with a random salt ({@code -H sha512}). */
    static Sha512 sha512(byte[] password) {
        byte[] salt = random(MOSQUITTO_SALT_LENGTH);
        return new Sha512(salt, Pbkdf2.digest("SHA-512", password, salt));
    }

    /** New SCRAM-SHA-256 credentials for {@code password} with a random 16-byte salt. */
    static ScramSha256 scramSha256(byte[] password, int iterations) {
        byte[] salt = random(16);
        byte[] salted = Pbkdf2.derive(Pbkdf2.HMAC_SHA256, password, salt, iterations, 32);
        return new ScramSha256(iterations, salt, ScramSha256.storedKey(ScramSha256.clientKey(salted)), ScramSha256.serverKey(salted));
    }

    /** The hash forms {@code starling passwd} writes. */
    enum Form {
        /** {@code -H sha512-pbkdf2}, the default. */
        PBKDF2_SHA512,
        /** {@code -H sha512}. */
        SHA512,
        /** {@code --scram}. */
        SCRAM_SHA256
    }

    /** A new hash of {@code password} in {@code form}; {@code iterations} is ignored for {@code SHA512}. */
    static PasswordHash create(Form form, byte[] password, int iterations) {
        return switch (form) {
            case PBKDF2_SHA512 -> pbkdf2Sha512(password, iterations);
            case SHA512 -> sha512(password);
            case SCRAM_SHA256 -> scramSha256(password, iterations);
        };
    }

    /** Whether {@code text} (after {@code user:}) claims to be a hash rather than a clear-text password. */
    static boolean isHashed(String text) {
        return text.startsWith("$6$") || text.startsWith("$7$") || text.startsWith(ScramSha256.PREFIX);
    }

    /**
     * Reads {@code text} (after {@code user:}): a hash when it starts with {@code $6$}, {@code $7$}
     * or {@code $scram-sha-256$}, else a clear-text password. A malformed hash throws {@link
     * IllegalArgumentException} saying what is wrong.
     */
    static PasswordHash parse(String text) {
        if (!isHashed(text)) {
            return new ClearText(text.getBytes(StandardCharsets.UTF_8));
        }
        String[] f = text.substring(1).split("\\$", -1);
        switch (f[0]) {
            case "6" -> {
                expectFields(f, 3, "$6$salt$hash");
                return new Sha512(salt(f[1]), hash(f[2], 64));
            }
            case "7" -> {
                expectFields(f, 4, "$7$iterations$salt$hash");
                return new Pbkdf2Sha512(iterations(f[1]), salt(f[2]), hash(f[3], 64));
            }
            default -> {
                expectFields(f, 5, "$scram-sha-256$iterations$salt$storedKey$serverKey");
                byte[] salt = base64(f[2], "salt");
                if (salt.length == 0) {
                    throw new IllegalArgumentException("the salt is empty");
                }
                return new ScramSha256(iterations(f[1]), salt, hash(f[3], 32), hash(f[4], 32));
            }
        }
    }

    private static void expectFields(String[] fields, int n, String form) {
        if (fields.length != n) {
            throw new IllegalArgumentException("expected " + form);
        }
    }

    private static int iterations(String field) {
        try {
            int i = Integer.parseInt(field);
            if (i >= 1) {
                return i;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("the iteration count must be a number from 1, not '" + field + "'");
    }

    private static byte[] salt(String field) {
        byte[] salt = base64(field, "salt");
        if (salt.length != MOSQUITTO_SALT_LENGTH) {
            // Mosquitto drops such an entry too
            throw new IllegalArgumentException("the salt must be " + MOSQUITTO_SALT_LENGTH + " bytes, not " + salt.length);
        }
        return salt;
    }

    private static byte[] hash(String field, int length) {
        byte[] hash = base64(field, "hash");
        if (hash.length != length) {
            throw new IllegalArgumentException("the hash must be " + length + " bytes, not " + hash.length);
        }
        return hash;
    }

    private static byte[] base64(String field, String what) {
        try {
            return Base64.getDecoder().decode(field);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " is not Base64: " + e.getMessage(), e);
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] random(int length) {
        return Pbkdf2.random(length);
    }
}
