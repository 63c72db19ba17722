package io.starling.broker.internal.transport;

import io.starling.broker.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CRL;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads what a TLS listener is configured with: PEM certificate chains, PEM private keys (PKCS#8,
 * or RSA PKCS#1 as {@code openssl genrsa} writes it), PKCS#12 key stores and CRLs (PEM or DER),
 * every problem a {@link ConfigException} naming the file. Only the JDK is used, so that the broker
 * needs no Bouncy Castle at run time.
 */
final class TlsFiles {
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");
    /** rsaEncryption, 1.2.840.113549.1.1.1, with its NULL parameters (RFC 8017 A.1): the algorithm of a PKCS#1 key wrapped in PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {
            0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private TlsFiles() {
    }

    /** A server key and the certificate chain that goes with it, leaf first. */
    record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {
        KeyAndChain {
            chain = List.copyOf(chain);
        }
    }

    /** The X.509 certificates of a PEM (or DER) file, in file order; at least one. */
    static List<X509Certificate> certificates(Path file) throws ConfigException {
        byte[] bytes = read(file);
        Collection<? extends Certificate> read;
        try {
            read = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
            throw new ConfigException(file.toString(), "not a PEM certificate file: " + e.getMessage(), e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (Certificate certificate : read) {
            certificates.add((X509Certificate) certificate);
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(file.toString(), "holds no certificate", null);
        }
        return certificates;
    }

    /** The unencrypted private key of a PEM file: PKCS#8 ({@code PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}). */
    static PrivateKey privateKey(Path file) throws ConfigException {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        Matcher pem = PEM_KEY.matcher(text);
        if (!pem.find()) {
            throw new ConfigException(file.toString(), "no PEM private key (-----BEGIN PRIVATE KEY-----) in it", null);
        }
        String kind = pem.group(1).trim();
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.group(2));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file.toString(), "the private key is not valid base64", e);
        }
        byte[] pkcs8 = switch (kind) {
            case "" -> der;
            case "RSA" -> wrapRsa(der);
            case "ENCRYPTED" -> throw new ConfigException(file.toString(),
                    "the private key is encrypted; give it unencrypted (openssl pkcs8 -nocrypt) or use a PKCS#12 keystore", null);
            default -> throw new ConfigException(file.toString(), "a " + kind + " PRIVATE KEY is not supported; convert it to"
                    + " PKCS#8 with 'openssl pkcs8 -topk8 -nocrypt'", null);
        };
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // the next algorithm
            }
        }
        throw new ConfigException(file.toString(), "the private key is not an RSA, EC or EdDSA key that can be read", null);
    }

    /** The first key entry of a PKCS#12 file, with its chain. */
    static KeyAndChain keystore(Path file, @Nullable String password) throws ConfigException {
        char[] secret = password == null ? new char[0] : password.toCharArray();
        KeyStore store;
        try (InputStream in = new ByteArrayInputStream(read(file))) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, secret);
            for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
                String alias = aliases.nextElement();
                if (store.isKeyEntry(alias) && store.getKey(alias, secret) instanceof PrivateKey key) {
                    List<X509Certificate> chain = new ArrayList<>();
                    Certificate[] certificates = store.getCertificateChain(alias);
                    for (Certificate certificate : certificates == null ? new Certificate[0] : certificates) {
                        chain.add((X509Certificate) certificate);
                    }
                    if (chain.isEmpty()) {
                        throw new ConfigException(file.toString(), "the key '" + alias + "' has no certificate", null);
                    }
                    return new KeyAndChain(key, chain);
                }
            }
        } catch (ConfigException e) {
            throw e; // says which file itself
        } catch (IOException | GeneralSecurityException e) {
            String why = e.getCause() instanceof javax.crypto.BadPaddingException || String.valueOf(e.getMessage()).contains("password")
                    ? "wrong keystore_password, or not a PKCS#12 file" : "not a PKCS#12 keystore: " + e.getMessage();
            throw new ConfigException(file.toString(), why, e);
        }
        throw new ConfigException(file.toString(), "the keystore holds no private key", null);
    }

    /** The CRLs of a PEM or DER file; at least one. */
    static List<X509CRL> crls(Path file) throws ConfigException {
        Collection<? extends CRL> read;
        try {
            read = CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(read(file)));
        } catch (GeneralSecurityException e) {
            throw new ConfigException(file.toString(), "not a certificate revocation list (PEM or DER): " + e.getMessage(), e);
        }
        List<X509CRL> crls = new ArrayList<>();
        for (CRL crl : read) {
            crls.add((X509CRL) crl);
        }
        if (crls.isEmpty()) {
            throw new ConfigException(file.toString(), "holds no certificate revocation list", null);
        }
        return crls;
    }

    /**
     * Whether {@code key} is the private half of {@code certificate}'s public key: a signature
     * made with one is checked with the other, which works for every key type without knowing
     * its structure.
     */
    static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] probe = "starling".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                sign.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verify.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verify.initVerify(certificate.getPublicKey());
            verify.update(probe);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] read(Path file) throws ConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(file.toString(), "cannot be read: it does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException(file.toString(), "cannot be read: permission denied", e);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot be read: " + e.getMessage(), e);
        }
    }

    /** A PKCS#1 RSAPrivateKey as a PKCS#8 PrivateKeyInfo (RFC 5208 §5): version 0, rsaEncryption, the key as an OCTET STRING. */
    private static byte[] wrapRsa(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        writeLength(body, pkcs1.length);
        body.writeBytes(pkcs1);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(0x30);
        writeLength(info, body.size());
        info.writeBytes(body.toByteArray());
        return info.toByteArray();
    }

    /** A DER length: short form below 128, else the count of length bytes then the length, big-endian. */
    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
            return;
        }
        int bytes = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
        out.write(0x80 | bytes);
        for (int i = bytes - 1; i >= 0; i--) {
            out.write(length >>> (8 * i));
        }
    }
}
