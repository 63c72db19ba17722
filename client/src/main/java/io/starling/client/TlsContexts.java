package io.starling.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/** Builds the client's TLS context from {@link TlsOptions}, naming the file at fault on error. */
final class TlsContexts {
    private TlsContexts() {}

    static SslContext build(TlsOptions options) {
        // "HTTPS" is the RFC 2818 host name check: the name or address dialled must be in the certificate
        SslContextBuilder builder = SslContextBuilder.forClient()
                .endpointIdentificationAlgorithm(options.verifyHostname() ? "HTTPS" : null);
        if (options.caFile() != null) {
            Path ca = options.caFile();
            readable(ca, "CA file");
            try {
                builder.trustManager(ca.toFile());
            } catch (IllegalArgumentException e) {
                throw new MqttClientException("TLS: cannot read the CA certificates in " + ca + ": " + e.getMessage(), e);
            }
        } else if (options.trustStore() != null) {
            KeyStore store = load(options.trustStore(), options.trustStorePassword(), "trust store");
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                builder.trustManager(tmf);
            } catch (GeneralSecurityException e) {
                throw new MqttClientException("TLS: cannot use the trust store " + options.trustStore() + ": " + e.getMessage(), e);
            }
        }
        if (options.certFile() != null && options.keyFile() != null) {
            readable(options.certFile(), "certificate file");
            readable(options.keyFile(), "key file");
            try {
                builder.keyManager(options.certFile().toFile(), options.keyFile().toFile());
            } catch (IllegalArgumentException e) {
                throw new MqttClientException("TLS: cannot read the client certificate " + options.certFile() + " or its key "
                        + options.keyFile() + " (the key must be PEM, PKCS#8, unencrypted): " + e.getMessage(), e);
            }
        } else if (options.keyStore() != null) {
            KeyStore store = load(options.keyStore(), options.keyStorePassword(), "key store");
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                char[] password = options.keyStorePassword() == null ? new char[0] : options.keyStorePassword().toCharArray();
                kmf.init(store, password);
                builder.keyManager(kmf);
            } catch (GeneralSecurityException e) {
                throw new MqttClientException("TLS: cannot use the key store " + options.keyStore() + ": " + e.getMessage(), e);
            }
        }
        try {
            return builder.build();
        } catch (IOException e) {
            throw new MqttClientException("TLS: cannot set up the context: " + e.getMessage(), e);
        }
    }

    private static void readable(Path file, String what) {
        if (!Files.isReadable(file)) {
            throw new MqttClientException("TLS: the " + what + " " + file + " does not exist or cannot be read");
        }
    }

    private static KeyStore load(Path file, @Nullable String password, String what) {
        readable(file, what);
        try (InputStream in = Files.newInputStream(file)) {
            String type = file.toString().endsWith(".jks") ? "JKS" : "PKCS12";
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new MqttClientException("TLS: cannot load the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
