package io.starling.broker.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Certificates made for one test with Bouncy Castle, written to a temporary directory as PEM and
 * PKCS#12, so that no key material lives in the repository. {@link #create(Path)} makes a test CA
 * ({@link #ca()}) and a second, unrelated one ({@link #otherCa()}); a CA issues server and client
 * certificates ({@link Authority#issue(Request)}, or the shortcuts {@link #server()} and
 * {@link #client(String)}) and CRLs ({@link Authority#crl(String, Issued...)}).
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.create(tmp);
 * Issued server = certs.server();                 // CN=localhost, SAN localhost and 127.0.0.1
 * Issued alice = certs.client("alice");           // CN=alice
 * Issued old = certs.ca().issue(Request.client("old", "old").expired());
 * Path crl = certs.ca().crl("revoked", alice);    // revoked.crl, revoking alice
 * SSLContext tls = certs.clientContext(alice);    // trusts the CA, presents alice
 * }</pre>
 *
 * <p>Keys are EC P-256 (fast to make) unless a request asks for RSA. Every file of an issued
 * certificate is named after the request: {@code NAME.crt} (the certificate, then the CA's),
 * {@code NAME.key} (PKCS#8 PEM; PKCS#1 for {@link Request#rsaPkcs1()}) and {@code NAME.p12}
 * (password {@link #PASSWORD}).
 */
public final class TestCertificates {
    /** The password of every PKCS#12 file written here. */
    public static final String PASSWORD = "changeit";

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Authority ca;
    private final Authority otherCa;
    private @Nullable Issued server;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.ca = new Authority("ca", "Starling Test CA");
        this.otherCa = new Authority("other-ca", "Other Test CA");
    }

    /** A test CA ({@code ca.crt}, {@code ca.p12} as a trust store) and another CA ({@code other-ca.crt}) in {@code dir}. */
    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestCertificates(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The CA that issued {@link #server()} and {@link #client(String)}. */
    public Authority ca() {
        return ca;
    }

    /** A CA that issued nothing the others trust. */
    public Authority otherCa() {
        return otherCa;
    }

    /** A new CA, written as {@code NAME.crt}. */
    public Authority authority(String name, String commonName) {
        return new Authority(name, commonName);
    }

    /** The server certificate of {@link #ca()} for {@code localhost} and {@code 127.0.0.1} ({@code server.crt}, {@code server.key}); made once. */
    public Issued server() {
        if (server == null) {
            server = ca.issue(Request.server("server", "localhost", "127.0.0.1"));
        }
        return server;
    }

    /** A client certificate of {@link #ca()} with the common name {@code commonName}, in files named after it. */
    public Issued client(String commonName) {
        return ca.issue(Request.client(commonName, commonName));
    }

    /** A client's TLS context: trusts {@link #ca()}; presents {@code client} (whatever CAs the server names), unless null. */
    public SSLContext clientContext(@Nullable Issued client) {
        return context(ca, client);
    }

    /** A TLS context that trusts {@code trusted} and presents {@code client} unless it is null. */
    public static SSLContext context(Authority trusted, @Nullable Issued client) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", trusted.certificate());
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            javax.net.ssl.KeyManager[] keyManagers = client == null ? null : new javax.net.ssl.KeyManager[] {new Presenting(client)};
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers.getTrustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trust managers for {@code trusted} alone (for clients configured with factories, such as the HiveMQ client). */
    public static TrustManagerFactory trustManagers(Authority trusted) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", trusted.certificate());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Key managers presenting {@code client} (the JDK's: only to a server whose list of CAs names its issuer). */
    public static javax.net.ssl.KeyManagerFactory keyManagers(Issued client) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", client.key(), PASSWORD.toCharArray(), client.chain().toArray(X509Certificate[]::new));
            javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, PASSWORD.toCharArray());
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Presents one certificate whatever CAs the server asks for, as a misconfigured or hostile
     * client would: the JDK's own key manager sends none that the server's list of CAs does not
     * name, so a test of an untrusted certificate would otherwise test a missing one.
     */
    private static final class Presenting extends javax.net.ssl.X509ExtendedKeyManager {
        private final Issued client;

        Presenting(Issued client) {
            this.client = client;
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            return "client";
        }

        @Override
        public String @Nullable [] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public @Nullable String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return client.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return client.key();
        }
    }

    /**
     * What to put in a certificate: a file name, the subject's common name, subject alternative
     * names, the validity, the key type, and whether it serves a server or a client.
     */
    public record Request(String name, String commonName, List<String> dnsNames, List<String> ipAddresses, List<String> emails,
            List<String> uris, Instant notBefore, Instant notAfter, boolean serverUse, boolean rsaKey, boolean pkcs1Key) {
        public Request {
            dnsNames = List.copyOf(dnsNames);
            ipAddresses = List.copyOf(ipAddresses);
            emails = List.copyOf(emails);
            uris = List.copyOf(uris);
        }

        /** A server certificate for {@code hosts}: each an IP address (an IP SAN) or a name (a DNS SAN); the CN is the first. */
        public static Request server(String name, String... hosts) {
            List<String> dns = new ArrayList<>();
            List<String> ips = new ArrayList<>();
            for (String host : hosts) {
                (host.matches("[0-9.]+|.*:.*") ? ips : dns).add(host);
            }
            Instant now = Instant.now();
            return new Request(name, hosts[0], dns, ips, List.of(), List.of(), now.minus(Duration.ofHours(1)),
                    now.plus(Duration.ofDays(2)), true, false, false);
        }

        /** A client certificate with the common name {@code commonName} and no alternative names. */
        public static Request client(String name, String commonName) {
            Instant now = Instant.now();
            return new Request(name, commonName, List.of(), List.of(), List.of(), List.of(), now.minus(Duration.ofHours(1)),
                    now.plus(Duration.ofDays(2)), false, false, false);
        }

        /** The same with these alternative names: DNS names, e-mail addresses and URIs. */
        public Request withAlternativeNames(List<String> dnsNames, List<String> emails, List<String> uris) {
            return new Request(name, commonName, dnsNames, ipAddresses, emails, uris, notBefore, notAfter, serverUse, rsaKey, pkcs1Key);
        }

        /** The same, valid from ten days ago until yesterday. */
        public Request expired() {
            Instant now = Instant.now();
            return new Request(name, commonName, dnsNames, ipAddresses, emails, uris, now.minus(Duration.ofDays(10)),
                    now.minus(Duration.ofDays(1)), serverUse, rsaKey, pkcs1Key);
        }

        /** The same with an RSA 2048 key, written as PKCS#8. */
        public Request rsa() {
            return new Request(name, commonName, dnsNames, ipAddresses, emails, uris, notBefore, notAfter, serverUse, true, false);
        }

        /** The same with an RSA 2048 key, written as PKCS#1 ({@code -----BEGIN RSA PRIVATE KEY-----}), as {@code openssl genrsa} does. */
        public Request rsaPkcs1() {
            return new Request(name, commonName, dnsNames, ipAddresses, emails, uris, notBefore, notAfter, serverUse, true, true);
        }

        /** The same with another file name. */
        public Request named(String name) {
            return new Request(name, commonName, dnsNames, ipAddresses, emails, uris, notBefore, notAfter, serverUse, rsaKey, pkcs1Key);
        }
    }

    /**
     * An issued certificate and its files.
     *
     * @param chain the certificate, then its CA's
     * @param certFile the chain as PEM
     * @param keyFile the key as PEM
     * @param keyStore the key and chain as PKCS#12, password {@link #PASSWORD}
     */
    public record Issued(String name, X509Certificate certificate, PrivateKey key, List<X509Certificate> chain, Path certFile,
            Path keyFile, Path keyStore) {
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }
    }

    /** A certificate authority: a self-signed CA certificate ({@code NAME.crt}) and its key. */
    public final class Authority {
        private final String name;
        private final KeyPair keys;
        private final X509Certificate certificate;
        private final Path certFile;

        private Authority(String name, String commonName) {
            this.name = name;
            this.keys = ecKeys();
            X500Name subject = subject(commonName);
            Instant now = Instant.now();
            try {
                JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, nextSerial(),
                        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
                this.certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer(keys.getPrivate())));
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
            this.certFile = dir.resolve(name + ".crt");
            writePem(certFile, certificate);
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /** The CA's certificate as PEM ({@code NAME.crt}): a {@code ca_file}, or {@code --cafile}. */
        public Path certFile() {
            return certFile;
        }

        /** The CA's certificate as a PKCS#12 trust store ({@code NAME-trust.p12}, password {@link #PASSWORD}). */
        public Path trustStore() {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("ca", certificate);
                Path file = dir.resolve(name + "-trust.p12");
                try (OutputStream out = Files.newOutputStream(file)) {
                    trust.store(out, PASSWORD.toCharArray());
                }
                return file;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Issues a certificate as {@code request} says and writes its files. */
        public Issued issue(Request request) {
            KeyPair pair = request.rsaKey() ? rsaKeys() : ecKeys();
            try {
                JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, nextSerial(),
                        Date.from(request.notBefore()), Date.from(request.notAfter()), subject(request.commonName()), pair.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                        .addExtension(Extension.extendedKeyUsage, false,
                                new ExtendedKeyUsage(request.serverUse() ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth))
                        .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()))
                        .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
                GeneralNames alternatives = alternativeNames(request);
                if (alternatives != null) {
                    builder.addExtension(Extension.subjectAlternativeName, false, alternatives);
                }
                X509Certificate issued = new JcaX509CertificateConverter().getCertificate(builder.build(signer(keys.getPrivate())));
                List<X509Certificate> chain = List.of(issued, certificate);
                Path certFile = dir.resolve(request.name() + ".crt");
                Path keyFile = dir.resolve(request.name() + ".key");
                Path keyStore = dir.resolve(request.name() + ".p12");
                writePem(certFile, chain.toArray());
                writePem(keyFile, request.pkcs1Key() ? pair.getPrivate() : new JcaPKCS8Generator(pair.getPrivate(), null));
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("key", pair.getPrivate(), PASSWORD.toCharArray(), chain.toArray(X509Certificate[]::new));
                try (OutputStream out = Files.newOutputStream(keyStore)) {
                    store.store(out, PASSWORD.toCharArray());
                }
                return new Issued(request.name(), issued, pair.getPrivate(), chain, certFile, keyFile, keyStore);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A CRL of this CA revoking {@code revoked} (none: an empty list), valid for a day, written to {@code NAME.crl} as PEM. */
        public Path crl(String fileName, Issued... revoked) {
            Instant now = Instant.now();
            try {
                X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(certificate, Date.from(now.minus(Duration.ofMinutes(5))))
                        .setNextUpdate(Date.from(now.plus(Duration.ofDays(1))))
                        .addExtension(Extension.authorityKeyIdentifier, false,
                                new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate))
                        .addExtension(Extension.cRLNumber, false, new org.bouncycastle.asn1.x509.CRLNumber(nextSerial()));
                for (Issued one : revoked) {
                    builder.addCRLEntry(one.serial(), Date.from(now.minus(Duration.ofMinutes(1))), CRLReason.keyCompromise);
                }
                X509CRL crl = new JcaX509CRLConverter().getCRL(builder.build(signer(keys.getPrivate())));
                Path file = dir.resolve(fileName + ".crl");
                writePem(file, crl);
                return file;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static @Nullable GeneralNames alternativeNames(Request request) {
        List<GeneralName> names = new ArrayList<>();
        request.dnsNames().forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
        request.ipAddresses().forEach(n -> names.add(new GeneralName(GeneralName.iPAddress, n)));
        request.emails().forEach(n -> names.add(new GeneralName(GeneralName.rfc822Name, n)));
        request.uris().forEach(n -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, n)));
        return names.isEmpty() ? null : new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static X500Name subject(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Starling tests").addRDN(BCStyle.CN, commonName).build();
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair rsaKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writePem(Path file, Object... objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                pem.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
