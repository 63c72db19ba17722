package io.starling.cluster.stack;

import io.starling.broker.config.BrokerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jgroups.util.TLSClientAuth;
import org.jspecify.annotations.Nullable;

/**
 * The JDK {@link SSLContext} JGroups' TCP transport takes, built from the same {@code tls} block as
 * an MQTT listener: a PKCS#12 {@code keystore}, or PEM {@code cert_file} and {@code key_file} (the key
 * in PKCS#8, {@code BEGIN PRIVATE KEY}; RSA, EC or Ed25519). Every node is server and client at
 * once, so the same certificate serves both ways; {@code ca_file} (PEM) is what the peers'
 * certificates must chain to, the JDK's trusted authorities without it.
 */
public final class ClusterTls {
    private static final char[] NO_PASSWORD = new char[0];

    private ClusterTls() {}

    /** How {@code client_auth} maps onto JGroups'. */
    static TLSClientAuth clientAuth(BrokerConfig.Tls tls) {
        return switch (tls.clientAuth()) {
            case NONE -> TLSClientAuth.NONE;
            case OPTIONAL -> TLSClientAuth.WANT;
            case REQUIRED -> TLSClientAuth.NEED;
        };
    }

    /**
     * The context for {@code tls}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static SSLContext sslContext(BrokerConfig.Tls tls) {
        try {
            KeyStore keys = tls.keystore() != null ? keystore(tls.keystore(), tls.keystorePassword()) : pem(tls);
            char[] password = tls.keystore() != null && tls.keystorePassword() != null ? tls.keystorePassword().toCharArray() : NO_PASSWORD;
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(tls.caFile() != null ? trustStore(tls.caFile()) : null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cluster.tls: " + e.getMessage(), e);
        }
    }

    private static KeyStore keystore(Path file, @Nullable String password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password != null ? password.toCharArray() : NO_PASSWORD);
        }
        return store;
    }

    private static KeyStore pem(BrokerConfig.Tls tls) throws GeneralSecurityException, IOException {
        Path certFile = tls.certFile();
        Path keyFile = tls.keyFile();
        if (certFile == null || keyFile == null) {
            throw new IllegalArgumentException("cluster.tls needs cert_file and key_file, or a keystore");
        }
        Certificate[] chain = certificates(certFile).toArray(Certificate[]::new);
        if (chain.length == 0) {
            throw new IllegalArgumentException("cluster.tls.cert_file " + certFile + " holds no certificate");
        }
        PrivateKey key = privateKey(keyFile, chain[0].getPublicKey().getAlgorithm());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("node", key, NO_PASSWORD, chain);
        return store;
    }

    private static KeyStore trustStore(Path caFile) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates(caFile)) {
            store.setCertificateEntry("ca" + i++, certificate);
        }
        if (i == 0) {
            throw new IllegalArgumentException("cluster.tls.ca_file " + caFile + " holds no certificate");
        }
        return store;
    }

    private static Collection<? extends Certificate> certificates(Path file) throws GeneralSecurityException, IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static PrivateKey privateKey(Path file, String algorithm) throws GeneralSecurityException, IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("cluster.tls.key_file " + file + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + ", or give a PKCS#12 keystore");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        for (String candidate : List.of(algorithm, "RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(candidate).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("cluster.tls.key_file " + file + ": not an RSA, EC or Ed25519 key");
    }
}
