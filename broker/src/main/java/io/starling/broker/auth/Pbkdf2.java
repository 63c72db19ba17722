package io.starling.broker.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * PBKDF2 (RFC 8018 section 5.2) over HMAC, and HMAC itself, on raw bytes. The JDK's own
 * PBKDF2 takes the password as characters and encodes them as UTF-8, but an MQTT password is
 * binary data that Mosquitto hashes byte for byte.
 */
public final class Pbkdf2 {
    public static final String HMAC_SHA256 = "HmacSHA256";
    public static final String HMAC_SHA512 = "HmacSHA512";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Pbkdf2() {}

    /** {@code length} bytes from a strong random generator: salts, nonces. */
    public static byte[] random(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The first {@code length} bytes of PBKDF2 with {@code hmac} ({@link #HMAC_SHA256} or {@link #HMAC_SHA512}). */
    public static byte[] derive(String hmac, byte[] password, byte[] salt, int iterations, int length) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be 1 or more, not " + iterations);
        }
        Mac mac = mac(hmac, password);
        int hLen = mac.getMacLength();
        byte[] out = new byte[length];
        byte[] u = new byte[hLen];
        byte[] t = new byte[hLen];
        try {
            for (int block = 1, offset = 0; offset < length; block++, offset += hLen) {
                // U1 = PRF(P, S || INT(i)), Uj = PRF(P, Uj-1), T = U1 ^ ... ^ Uc
                mac.update(salt);
                mac.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
                mac.doFinal(u, 0);
                System.arraycopy(u, 0, t, 0, hLen);
                for (int i = 1; i < iterations; i++) {
                    mac.update(u);
                    mac.doFinal(u, 0);
                    for (int k = 0; k < hLen; k++) {
                        t[k] ^= u[k];
                    }
                }
                System.arraycopy(t, 0, out, offset, Math.min(hLen, length - offset));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** HMAC of {@code data} with {@code key}. */
    public static byte[] hmac(String hmac, byte[] key, byte[] data) {
        return mac(hmac, key).doFinal(data);
    }

    /** The message digest {@code algorithm} ({@code SHA-256}, {@code SHA-512}) of {@code data}. */
    public static byte[] digest(String algorithm, byte[]... data) {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            for (byte[] d : data) {
                digest.update(d);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has " + algorithm, e);
        }
    }

    private static Mac mac(String hmac, byte[] key) {
        try {
            Mac mac = Mac.getInstance(hmac);
            // HMAC pads its key with zero bytes, so an empty key is the same as one zero byte,
            // which SecretKeySpec accepts (it refuses an empty one)
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, hmac));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has " + hmac, e);
        }
    }
}
