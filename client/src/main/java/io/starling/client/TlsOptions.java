package io.starling.client;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * How the client speaks TLS. The server's certificate is checked against {@code caFile} (PEM
 * certificates), else {@code trustStore} (a PKCS#12 or JKS key store), else the JVM's default
 * trust anchors; its host name is checked against the certificate unless {@code verifyHostname}
 * is off. A client certificate comes from {@code certFile} + {@code keyFile} (PEM, the key in
 * PKCS#8), or from {@code keyStore}.
 */
public record TlsOptions(
        @Nullable Path caFile,
        @Nullable Path trustStore,
        @Nullable String trustStorePassword,
        @Nullable Path certFile,
        @Nullable Path keyFile,
        @Nullable Path keyStore,
        @Nullable String keyStorePassword,
        boolean verifyHostname) {

    public TlsOptions {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs both the certificate file and its key file");
        }
    }

    /** TLS trusting the JVM's default certificate authorities, with host name verification. */
    public static TlsOptions defaults() {
        return new TlsOptions(null, null, null, null, null, null, null, true);
    }

    /** Trusting the certificate authorities in a PEM file instead. */
    public TlsOptions withCaFile(Path caFile) {
        return new TlsOptions(caFile, trustStore, trustStorePassword, certFile, keyFile, keyStore, keyStorePassword, verifyHostname);
    }

    /** Trusting the certificates in a PKCS#12 or JKS key store instead. */
    public TlsOptions withTrustStore(Path trustStore, @Nullable String password) {
        return new TlsOptions(caFile, trustStore, password, certFile, keyFile, keyStore, keyStorePassword, verifyHostname);
    }

    /** Presenting this client certificate (PEM) and private key (PEM, PKCS#8). */
    public TlsOptions withClientCertificate(Path certFile, Path keyFile) {
        return new TlsOptions(caFile, trustStore, trustStorePassword, certFile, keyFile, keyStore, keyStorePassword, verifyHostname);
    }

    /** Presenting the client certificate and key of a PKCS#12 or JKS key store. */
    public TlsOptions withKeyStore(Path keyStore, @Nullable String password) {
        return new TlsOptions(caFile, trustStore, trustStorePassword, certFile, keyFile, keyStore, password, verifyHostname);
    }

    /** Without checking the server's host name (mosquitto's {@code --insecure}): for tests only. */
    public TlsOptions withoutHostnameVerification() {
        return new TlsOptions(caFile, trustStore, trustStorePassword, certFile, keyFile, keyStore, keyStorePassword, false);
    }
}
