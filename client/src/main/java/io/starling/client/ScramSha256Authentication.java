package io.starling.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash) as the MQTT 5.0 enhanced authentication method
 * {@code SCRAM-SHA-256}, as the Starling broker offers it with a password file's {@code
 * $scram-sha-256$} lines: the client-first message goes in the CONNECT's Authentication Data, the
 * client-final one answers the server's AUTH 0x18, and the server's signature ({@code v=}) in the
 * CONNACK (or AUTH 0x00 after a re-authentication) is checked, so the client also knows the server
 * holds the user's credentials.
 *
 * <p>No channel binding (the GS2 header is {@code n,,}) and no authorization identity. The
 * password is used as given, without SASLprep: a {@code String} one as its UTF-8 bytes, which must
 * be the bytes the server's credentials were made from (as {@code starling passwd --scram} does).
 * The server's iteration count must be from {@value #MIN_ITERATIONS} (RFC 7677's minimum) to
 * {@value #MAX_ITERATIONS}, so that a server cannot make the client hash for minutes. The hashing
 * runs on the thread that hands the client the server's challenge.
 *
 * <p>One instance may serve many connections: each {@link #start} has a fresh nonce.
 */
public final class ScramSha256Authentication implements EnhancedAuthentication {
    /** The Authentication Method. */
    public static final String METHOD = "SCRAM-SHA-256";
    /** The fewest iterations accepted from a server (RFC 7677 section 4). */
    public static final int MIN_ITERATIONS = 4096;
    /** The most iterations accepted from a server. */
    public static final int MAX_ITERATIONS = 10_000_000;

    private static final String HMAC_SHA256 = "HmacSHA256";
    /** {@code c=} of the client-final message: the GS2 header {@code n,,} in Base64. */
    private static final String CHANNEL_BINDING = Base64.getEncoder().encodeToString("n,,".getBytes(StandardCharsets.US_ASCII));
    private static final String NOT_PROVEN = "the server did not prove it knows the password";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String username;
    private final byte[] password;
    private final Supplier<String> nonces;

    /** Authenticates as {@code username} with {@code password}, taken byte for byte. */
    public ScramSha256Authentication(String username, byte[] password) {
        this(username, password, ScramSha256Authentication::randomNonce);
    }

    /** Authenticates as {@code username} with the UTF-8 bytes of {@code password}. */
    public ScramSha256Authentication(String username, String password) {
        this(username, password.getBytes(StandardCharsets.UTF_8));
    }

    /** With the client nonces of {@code nonces} (printable, without {@code ','}), for tests. */
    ScramSha256Authentication(String username, byte[] password, Supplier<String> nonces) {
        if (username.isEmpty()) {
            throw new IllegalArgumentException("SCRAM needs a user name");
        }
        this.username = username;
        this.password = password.clone();
        this.nonces = nonces;
    }

    /** The user name authenticated as. */
    public String username() {
        return username;
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public EnhancedAuthentication.Exchange start(boolean reauthentication) {
        return new ScramExchange(nonces.get());
    }

    /** 18 random bytes in Base64: 24 printable characters, none of them {@code ','} or padding. */
    private static String randomNonce() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The user name as a saslname: {@code ','} and {@code '='} escaped (RFC 5802 section 5.1). */
    static String saslName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    private enum State { AWAITING_SERVER_FIRST, AWAITING_SERVER_FINAL, OVER }

    /** One exchange: client-first, server-first, client-final, server-final. */
    private final class ScramExchange implements EnhancedAuthentication.Exchange {
        private final String clientNonce;
        private final String clientFirstBare;
        private State state = State.AWAITING_SERVER_FIRST;
        private byte[] serverSignature = new byte[0];

        ScramExchange(String clientNonce) {
            this.clientNonce = clientNonce;
            this.clientFirstBare = "n=" + saslName(username) + ",r=" + clientNonce;
        }

        @Override
        public byte[] initialData() {
            return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
        }

        /** Answers the server-first message {@code r=nonce,s=salt,i=iterations} (RFC 5802 section 7). */
        @Override
        public byte[] challenge(byte @Nullable [] data) {
            if (state != State.AWAITING_SERVER_FIRST) {
                state = State.OVER;
                throw new MqttClientException("SCRAM-SHA-256: a challenge out of turn, the exchange is past its first one");
            }
            state = State.OVER; // a throw below ends the exchange
            if (data == null) {
                throw new MqttClientException("SCRAM-SHA-256: the server's challenge has no data");
            }
            String serverFirst = new String(data, StandardCharsets.UTF_8);
            if (serverFirst.startsWith("m=")) {
                throw new MqttClientException("SCRAM-SHA-256: the server requires an extension the client does not know");
            }
            String[] attributes = serverFirst.split(",", -1);
            if (attributes.length < 3 || !attributes[0].startsWith("r=") || !attributes[1].startsWith("s=")
                    || !attributes[2].startsWith("i=")) {
                throw new MqttClientException("SCRAM-SHA-256: malformed challenge, expected r=nonce,s=salt,i=iterations");
            }
            String nonce = attributes[0].substring(2);
            if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
                throw new MqttClientException("SCRAM-SHA-256: the server's nonce does not extend the client's");
            }
            byte[] salt = salt(attributes[1].substring(2));
            int iterations = iterations(attributes[2].substring(2));

            // SaltedPassword := Hi(password, salt, i); ClientKey := HMAC(SaltedPassword, "Client Key");
            // ClientProof := ClientKey XOR HMAC(H(ClientKey), AuthMessage) (RFC 5802 section 3)
            byte[] salted = pbkdf2(password, salt, iterations);
            byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
            String withoutProof = "c=" + CHANNEL_BINDING + ",r=" + nonce;
            byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
            byte[] proof = hmac(sha256(clientKey), authMessage);
            for (int i = 0; i < proof.length; i++) {
                proof[i] ^= clientKey[i];
            }
            // ServerSignature := HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage)
            serverSignature = hmac(hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII)), authMessage);
            Arrays.fill(salted, (byte) 0);
            Arrays.fill(clientKey, (byte) 0);
            state = State.AWAITING_SERVER_FINAL;
            return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
        }

        /** Checks the server-final message {@code v=signature}; {@code e=error} is reported as such. */
        @Override
        public void succeeded(byte @Nullable [] data) {
            State was = state;
            state = State.OVER;
            if (was != State.AWAITING_SERVER_FINAL) {
                throw new MqttClientException(NOT_PROVEN + ": it accepted before the SCRAM exchange was over");
            }
            if (data == null) {
                throw new MqttClientException(NOT_PROVEN);
            }
            String serverFinal = new String(data, StandardCharsets.UTF_8);
            int comma = serverFinal.indexOf(',');
            String attribute = comma < 0 ? serverFinal : serverFinal.substring(0, comma);
            if (attribute.startsWith("e=")) {
                throw new MqttClientException("SCRAM-SHA-256: the server reported the error '" + attribute.substring(2) + "'");
            }
            byte[] given = new byte[0];
            try {
                given = attribute.startsWith("v=") ? Base64.getDecoder().decode(attribute.substring(2)) : given;
            } catch (IllegalArgumentException e) {
                // not Base64: no signature, refused below
            }
            if (!MessageDigest.isEqual(given, serverSignature)) {
                throw new MqttClientException(NOT_PROVEN);
            }
        }
    }

    private static byte[] salt(String base64) {
        byte[] salt;
        try {
            salt = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            salt = new byte[0];
        }
        if (salt.length == 0) {
            throw new MqttClientException("SCRAM-SHA-256: the server's salt is not Base64 or is empty");
        }
        return salt;
    }

    private static int iterations(String text) {
        int iterations;
        try {
            iterations = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new MqttClientException("SCRAM-SHA-256: the server's iteration count '" + text + "' is not a number", e);
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new MqttClientException("SCRAM-SHA-256: the server asks for " + iterations + " iterations; the client accepts "
                    + MIN_ITERATIONS + " to " + MAX_ITERATIONS);
        }
        return iterations;
    }

    /**
     * Hi() of RFC 5802: PBKDF2 (RFC 8018) with HMAC-SHA-256, one 32-byte block. Done here on the
     * password's bytes, since the JDK's PBKDF2WithHmacSHA256 takes characters and would change a
     * password that is not UTF-8.
     */
    private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations) {
        Mac mac = mac(password);
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1}); // INT(1): the first and only block
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int k = 0; k < result.length; k++) {
                result[k] ^= u[k];
            }
        }
        return result;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        return mac(key).doFinal(data);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            // HMAC pads its key with zeros, so an empty key is one zero byte (SecretKeySpec refuses an empty one)
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, HMAC_SHA256));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has " + HMAC_SHA256, e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
