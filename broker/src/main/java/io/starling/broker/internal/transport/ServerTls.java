package io.starling.broker.internal.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.metrics.BrokerMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on one listener: the Netty {@link SslContext} its configuration describes, which every new
 * connection's handshake uses, and which {@link #reload()} replaces when the files change (on
 * SIGHUP, or when {@link CertificateWatcher} sees them change). Connections already open keep the
 * context they were made with. A new context is built and checked completely before it replaces
 * the old one, so a broken file leaves the old context in use.
 *
 * <p>Client certificates are checked by a JDK PKIX trust manager with both engines (netty-tcnative
 * calls it back), so that revocation by {@code crl_file} works the same with OpenSSL and the JDK.
 */
public final class ServerTls {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final BrokerConfig.Tls config;
    private final BrokerMetrics metrics;
    private volatile SslContext context;
    /** The files as they were when last read (loaded or not): the watcher reloads when they differ. */
    private volatile List<FileStamp> seen;

    private ServerTls(BrokerConfig.Tls config, BrokerMetrics metrics, Loaded loaded) {
        this.config = config;
        this.metrics = metrics;
        this.context = loaded.context;
        this.seen = loaded.stamps;
    }

    /** A context whose files were all read and checked, with the files' state from before they were read. */
    record Loaded(SslContext context, List<FileStamp> stamps, X509Certificate certificate) {}

    /** One file's identity, size and modification time, or all null when it does not exist. */
    record FileStamp(Path file, @Nullable Object key, long size, @Nullable Object modified) {}

    /** Loads and checks every file {@code config} names. */
    public static ServerTls load(BrokerConfig.Tls config, BrokerMetrics metrics) throws ConfigException {
        Loaded loaded = build(config);
        log.info("TLS: {}", describe(config, loaded));
        return new ServerTls(config, metrics, loaded);
    }

    /**
     * Checks {@code config} without starting anything ({@code --check-config}): every file is
     * readable, the certificate and key parse and match, the CA and CRL files parse and the CRL is
     * signed by a CA of {@code ca_file}, and the engine accepts the protocols and ciphers.
     */
    public static void check(BrokerConfig.Tls config) throws ConfigException {
        build(config);
    }

    /** The engine {@code engine} stands for here: AUTO is OpenSSL when netty-tcnative is on the class path. */
    public static SslProvider provider(BrokerConfig.TlsEngine engine) {
        return switch (engine) {
            case OPENSSL -> SslProvider.OPENSSL;
            case JDK -> SslProvider.JDK;
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** The context new connections use now. */
    SslContext context() {
        return context;
    }

    BrokerConfig.Tls config() {
        return config;
    }

    /** Puts TLS in front of {@code channel}'s pipeline: the SSL handler, then what reads the handshake's outcome. */
    public void addHandlers(Channel channel) {
        channel.pipeline().addLast("tls", context.newHandler(channel.alloc()))
                .addLast("tls-outcome", new TlsHandshakeOutcome(config.identity(), metrics));
    }

    /**
     * Reads the files again and makes new handshakes use them; open connections are left as they
     * are. On failure the context in use stays and the problem is thrown (and not logged here).
     */
    public synchronized void reload() throws ConfigException {
        install(prepare());
    }

    /**
     * Reloads every one of {@code listeners}, or none: all are read and checked before any is
     * replaced.
     */
    public static void reloadAll(List<ServerTls> listeners) throws ConfigException {
        List<Loaded> prepared = new ArrayList<>(listeners.size());
        for (ServerTls tls : listeners) {
            prepared.add(tls.prepare());
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).install(prepared.get(i));
        }
    }

    /** Whether a file changed (or appeared, or went) since it was last read. */
    boolean filesChanged() {
        return !stamps(config).equals(seen);
    }

    private synchronized Loaded prepare() throws ConfigException {
        // recorded even when the files are broken, so that the watcher tries again only once they change again
        seen = stamps(config);
        return build(config);
    }

    private synchronized void install(Loaded loaded) {
        context = loaded.context;
        seen = loaded.stamps;
        log.info("TLS reloaded: {}", describe(config, loaded));
    }

    private static Loaded build(BrokerConfig.Tls config) throws ConfigException {
        List<FileStamp> stamps = stamps(config);
        String serverFile = String.valueOf(config.certFile() != null ? config.certFile() : config.keystore());
        TlsFiles.KeyAndChain server = serverKey(config);
        SslProvider provider = provider(config.engine());
        if (provider == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new ConfigException(serverFile, "engine openssl needs netty-tcnative-boringssl-static on the class path: "
                    + OpenSsl.unavailabilityCause(), OpenSsl.unavailabilityCause());
        }
        SslContextBuilder builder = SslContextBuilder.forServer(server.key(), server.chain().toArray(X509Certificate[]::new))
                .sslProvider(provider)
                .protocols(config.protocols())
                .clientAuth(switch (config.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRED -> ClientAuth.REQUIRE;
                });
        if (!config.ciphers().isEmpty()) {
            builder.ciphers(config.ciphers());
        }
        if (config.caFile() != null) {
            builder.trustManager(trustManagers(config.caFile(), config.crlFile()));
        }
        SslContext context;
        try {
            context = builder.build();
            // an engine is where the JDK checks the protocols and ciphers: refuse them now, not at the first client
            SSLEngine probe = context.newEngine(ByteBufAllocator.DEFAULT);
            probe.closeOutbound();
            ReferenceCountUtil.release(probe);
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException(serverFile, "TLS cannot be set up with protocols " + config.protocols()
                    + (config.ciphers().isEmpty() ? "" : " and ciphers " + config.ciphers()) + ": " + e.getMessage(), e);
        }
        return new Loaded(context, stamps, server.chain().get(0));
    }

    private static TlsFiles.KeyAndChain serverKey(BrokerConfig.Tls config) throws ConfigException {
        TlsFiles.KeyAndChain server;
        String file;
        if (config.keystore() != null) {
            server = TlsFiles.keystore(config.keystore(), config.keystorePassword());
            file = config.keystore().toString();
        } else {
            Path certFile = Objects.requireNonNull(config.certFile());
            Path keyFile = Objects.requireNonNull(config.keyFile());
            server = new TlsFiles.KeyAndChain(TlsFiles.privateKey(keyFile), TlsFiles.certificates(certFile));
            file = keyFile.toString();
        }
        X509Certificate leaf = server.chain().get(0);
        if (!TlsFiles.matches(server.key(), leaf)) {
            throw new ConfigException(file, "the private key does not belong to the certificate "
                    + leaf.getSubjectX500Principal().getName() + " (the first one of the chain)", null);
        }
        if (leaf.getNotAfter().before(new Date())) {
            log.warn("TLS: the server certificate {} expired on {}: clients will refuse it", leaf.getSubjectX500Principal().getName(),
                    leaf.getNotAfter().toInstant());
        }
        return server;
    }

    /**
     * PKIX trust in the certificates of {@code caFile}; with {@code crlFile}, a client certificate
     * its CRLs revoke is refused, and one whose issuer has no current CRL there too, as Mosquitto's
     * {@code crlfile} does (only the client certificate itself is checked, not the CAs above it).
     */
    private static TrustManagerFactory trustManagers(Path caFile, @Nullable Path crlFile) throws ConfigException {
        List<X509Certificate> cas = TlsFiles.certificates(caFile);
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                anchors.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            if (crlFile == null) {
                factory.init(anchors);
                return factory;
            }
            List<X509CRL> crls = TlsFiles.crls(crlFile);
            for (X509CRL crl : crls) {
                if (!signedByOneOf(crl, cas)) {
                    throw new ConfigException(crlFile.toString(), "the CRL of " + crl.getIssuerX500Principal().getName()
                            + " is not signed by a certificate of " + caFile, null);
                }
            }
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            PKIXRevocationChecker revocation = (PKIXRevocationChecker) CertPathBuilder.getInstance("PKIX").getRevocationChecker();
            revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK,
                    PKIXRevocationChecker.Option.ONLY_END_ENTITY));
            parameters.addCertPathChecker(revocation);
            parameters.setRevocationEnabled(true);
            factory.init(new CertPathTrustManagerParameters(parameters));
            return factory;
        } catch (ConfigException e) {
            throw e; // says which file itself
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(caFile.toString(), "cannot be used as trusted CAs: " + e.getMessage(), e);
        }
    }

    private static boolean signedByOneOf(X509CRL crl, List<X509Certificate> cas) {
        for (X509Certificate ca : cas) {
            if (ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
                try {
                    crl.verify(ca.getPublicKey());
                    return true;
                } catch (GeneralSecurityException e) {
                    // another CA of the same name, perhaps
                }
            }
        }
        return false;
    }

    private static List<FileStamp> stamps(BrokerConfig.Tls config) {
        List<FileStamp> stamps = new ArrayList<>(5);
        for (Path file : new Path[] {config.certFile(), config.keyFile(), config.keystore(), config.caFile(), config.crlFile()}) {
            if (file != null) {
                stamps.add(stamp(file));
            }
        }
        return List.copyOf(stamps);
    }

    private static FileStamp stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(file, attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
        } catch (NoSuchFileException e) {
            return new FileStamp(file, null, -1, null);
        } catch (IOException e) {
            return new FileStamp(file, null, -2, null);
        }
    }

    private static String describe(BrokerConfig.Tls config, Loaded loaded) {
        X509Certificate leaf = loaded.certificate;
        return "certificate " + leaf.getSubjectX500Principal().getName() + " (serial " + leaf.getSerialNumber().toString(16)
                + ", valid until " + leaf.getNotAfter().toInstant() + "), engine "
                + provider(config.engine()).name().toLowerCase(Locale.ROOT)
                + ", client certificates " + config.clientAuth().name().toLowerCase(Locale.ROOT)
                + (config.crlFile() != null ? ", CRL " + config.crlFile() : "");
    }
}
