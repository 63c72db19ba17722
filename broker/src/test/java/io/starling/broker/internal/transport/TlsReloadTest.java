package io.starling.broker.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig.ClientAuth;
import io.starling.broker.config.BrokerConfig.Tls;
import io.starling.broker.config.ConfigException;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.testing.TestCertificates.Issued;
import io.starling.broker.testing.TestCertificates.Request;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificate reload without a restart: on request (SIGHUP) and when the files change. */
class TlsReloadTest {
    /** The watcher polls every 2 s; a change is picked up within two polls. */
    private static final Duration WATCHED = Duration.ofSeconds(10);

    @TempDir
    Path tmp;
    TestCertificates certs;
    Path certFile;
    Path keyFile;
    Issued first;

    @BeforeEach
    void certificates() throws IOException {
        certs = TestCertificates.create(tmp.resolve("made"));
        first = certs.server();
        certFile = tmp.resolve("live.crt");
        keyFile = tmp.resolve("live.key");
        install(first);
    }

    private void install(Issued server) throws IOException {
        Files.copy(server.keyFile(), keyFile, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(server.certFile(), certFile, StandardCopyOption.REPLACE_EXISTING);
    }

    private BigInteger serialSeenBy(Broker broker, String clientId) throws IOException {
        try (TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(null), clientId)) {
            return client.serverCertificate().getSerialNumber();
        }
    }

    @Test
    @DisplayName("reloadTls: new connections get the new certificate, an open connection stays up on the old one")
    void reloadOnRequest() throws Exception {
        try (Broker broker = TlsBrokers.start(Tls.pem(certFile, keyFile));
                TlsTestClient open = TlsTestClient.connect(broker.port(), certs.clientContext(null), "open")) {
            assertThat(open.serverCertificate().getSerialNumber()).isEqualTo(first.serial());
            Issued second = certs.ca().issue(Request.server("second", "localhost", "127.0.0.1"));
            install(second);
            broker.reloadTls();
            assertThat(serialSeenBy(broker, "new")).isEqualTo(second.serial());
            open.ping();
            assertThat(open.serverCertificate().getSerialNumber()).isEqualTo(first.serial());
        }
    }

    @Test
    @DisplayName("reloadTls: a broken certificate file is reported with its name and the certificate in use stays")
    void brokenFileKeepsTheOld() throws Exception {
        try (Broker broker = TlsBrokers.start(Tls.pem(certFile, keyFile))) {
            Files.writeString(certFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
            assertThatThrownBy(broker::reloadTls).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(certFile + ": not a PEM certificate file");
            assertThat(serialSeenBy(broker, "after-broken")).isEqualTo(first.serial());
            // a key that does not belong to the certificate is refused as well
            Issued other = certs.ca().issue(Request.server("other", "localhost", "127.0.0.1"));
            Files.copy(first.certFile(), certFile, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(other.keyFile(), keyFile, StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(broker::reloadTls).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(keyFile + ": the private key does not belong to the certificate");
            assertThat(serialSeenBy(broker, "after-mismatch")).isEqualTo(first.serial());
        }
    }

    @Test
    @DisplayName("changed files are picked up without a request; a broken change is skipped and the next good one loaded")
    void watcher() throws Exception {
        try (TlsLog log = new TlsLog(CertificateWatcher.class);
                Broker broker = TlsBrokers.start(Tls.pem(certFile, keyFile));
                TlsTestClient open = TlsTestClient.connect(broker.port(), certs.clientContext(null), "open")) {
            Files.writeString(keyFile, "garbage");
            await().atMost(WATCHED).until(() -> log.messages().stream().anyMatch(m -> m.contains(keyFile + ": no PEM private key")));
            assertThat(serialSeenBy(broker, "during-broken")).isEqualTo(first.serial());
            Issued second = certs.ca().issue(Request.server("second", "localhost", "127.0.0.1"));
            install(second);
            await().atMost(WATCHED).until(() -> serialSeenBy(broker, "poll").equals(second.serial()));
            open.ping();
        }
    }

    @Test
    @DisplayName("a new CA file and CRL take effect on reload: a client certificate revoked after the start is refused from then on")
    void reloadCrl() throws Exception {
        Issued alice = certs.client("alice");
        Path crlFile = tmp.resolve("live.crl");
        Files.copy(certs.ca().crl("empty"), crlFile);
        Tls tls = Tls.pem(certFile, keyFile).withClientAuth(ClientAuth.REQUIRED, certs.ca().certFile()).withCrlFile(crlFile);
        try (Broker broker = TlsBrokers.start(tls);
                TlsTestClient before = TlsTestClient.connect(broker.port(), certs.clientContext(alice), "alice-1")) {
            Files.copy(certs.ca().crl("revoking", alice), crlFile, StandardCopyOption.REPLACE_EXISTING);
            broker.reloadTls();
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(alice), "alice-2"))
                    .isInstanceOf(IOException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().tlsHandshakesFailed.sum() == 1);
            // open connections are not checked again
            before.ping();
        }
    }
}
