package io.starling.broker.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig.CertificateIdentity;
import io.starling.broker.config.BrokerConfig.ClientAuth;
import io.starling.broker.config.BrokerConfig.Tls;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.testing.TestCertificates.Issued;
import io.starling.broker.testing.TestCertificates.Request;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client certificates (mTLS): what is refused, revocation by CRL, and the identity a certificate gives. */
class TlsClientCertificateTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;
    TestCertificates certs;
    Tls required;
    TlsLog log;

    @BeforeEach
    void certificates() {
        log = new TlsLog(TlsHandshakeOutcome.class);
        certs = TestCertificates.create(tmp);
        Issued server = certs.server();
        required = Tls.pem(server.certFile(), server.keyFile()).withClientAuth(ClientAuth.REQUIRED, certs.ca().certFile());
    }

    @AfterEach
    void closeLog() {
        log.close();
    }

    /** Waits for {@code n} failed handshakes and checks that the last one was logged with the client's address and {@code reason}. */
    private void awaitRefused(Broker broker, int n, String reason) {
        await().atMost(WAIT).until(() -> broker.metrics().tlsHandshakesFailed.sum() == n);
        await().atMost(WAIT).until(() -> log.messages().size() == n);
        assertThat(log.messages().get(n - 1)).matches("TLS (handshake with|client) /127\\.0\\.0\\.1:\\d+ .*")
                .contains(reason);
    }

    @Test
    @DisplayName("client_auth required: a client without a certificate is refused in the handshake")
    void requiredWithoutCertificate() throws Exception {
        try (Broker broker = TlsBrokers.start(required)) {
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(null), "none"))
                    .isInstanceOf(IOException.class);
            awaitRefused(broker, 1, "failed: no client certificate");
            assertThat(broker.metrics().connectionsOpened.sum()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("client_auth required: certificates of another CA, and expired ones, are refused; a good one is let in")
    void untrustedAndExpired() throws Exception {
        Issued foreign = certs.otherCa().issue(Request.client("foreign", "foreign"));
        Issued expired = certs.ca().issue(Request.client("expired", "expired").expired());
        Issued good = certs.client("good");
        try (Broker broker = TlsBrokers.start(required)) {
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(foreign), "foreign"))
                    .isInstanceOf(IOException.class);
            awaitRefused(broker, 1, "failed: certificate not trusted");
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(expired), "expired"))
                    .isInstanceOf(IOException.class);
            awaitRefused(broker, 2, "failed: certificate expired");
            try (TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(good), "good")) {
                client.ping();
                // no use_identity_as_username: the certificate gives no identity
                assertThat(TlsBrokers.peer(broker, "good").certificateIdentity()).isNull();
            }
            assertThat(broker.metrics().tlsHandshakesFailed.sum()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("client_auth optional: a client without a certificate is let in, one with an untrusted certificate is not")
    void optional() throws Exception {
        Issued foreign = certs.otherCa().issue(Request.client("foreign", "foreign"));
        Tls optional = required.withClientAuth(ClientAuth.OPTIONAL, certs.ca().certFile()).withIdentityAsUsername(CertificateIdentity.CN);
        try (Broker broker = TlsBrokers.start(optional)) {
            try (TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(null), "anonymous")) {
                client.ping();
                assertThat(TlsBrokers.peer(broker, "anonymous").certificateIdentity()).isNull();
            }
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(foreign), "foreign"))
                    .isInstanceOf(IOException.class);
            awaitRefused(broker, 1, "failed: certificate not trusted");
        }
    }

    @Test
    @DisplayName("crl_file: a revoked client certificate is refused, one the CRL does not name is let in")
    void revoked() throws Exception {
        Issued revoked = certs.client("revoked");
        Issued good = certs.client("still-good");
        Path crl = certs.ca().crl("ca", revoked);
        try (Broker broker = TlsBrokers.start(required.withCrlFile(crl))) {
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(revoked), "revoked"))
                    .isInstanceOf(IOException.class);
            awaitRefused(broker, 1, "failed: certificate revoked");
            try (TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(good), "still-good")) {
                client.ping();
            }
        }
    }

    @Test
    @DisplayName("use_identity_as_username: the client certificate's CN is the connection's certificate identity, the address stays")
    void commonNameIdentity() throws Exception {
        Issued alice = certs.client("alice");
        try (Broker broker = TlsBrokers.start(required.withIdentityAsUsername(CertificateIdentity.CN));
                TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(alice), "device-1")) {
            assertThat(TlsBrokers.peer(broker, "device-1").certificateIdentity()).isEqualTo("alice");
            assertThat(TlsBrokers.peer(broker, "device-1").address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(TlsBrokers.peer(broker, "device-1").address().getPort()).isPositive();
        }
    }

    @Test
    @DisplayName("use_identity_as_username with a SAN kind: the first DNS name, e-mail address or URI of the certificate")
    void alternativeNameIdentity() throws Exception {
        Issued device = certs.ca().issue(Request.client("device", "ignored-cn").withAlternativeNames(
                List.of("sensor-7.example", "other.example"), List.of("ops@example.com"), List.of("spiffe://example/sensor-7")));
        for (var expected : List.of(
                new Object[] {CertificateIdentity.SAN_DNS, "sensor-7.example"},
                new Object[] {CertificateIdentity.SAN_EMAIL, "ops@example.com"},
                new Object[] {CertificateIdentity.SAN_URI, "spiffe://example/sensor-7"})) {
            try (Broker broker = TlsBrokers.start(required.withIdentityAsUsername((CertificateIdentity) expected[0]));
                    TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(device), "d")) {
                assertThat(TlsBrokers.peer(broker, "d").certificateIdentity()).isEqualTo(expected[1]);
            }
        }
    }

    @Test
    @DisplayName("use_identity_as_username: a certificate without the configured name is refused before CONNECT")
    void certificateWithoutTheName() throws Exception {
        Issued plain = certs.client("no-san");
        try (Broker broker = TlsBrokers.start(required.withIdentityAsUsername(CertificateIdentity.SAN_URI))) {
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(plain), "x"))
                    .isInstanceOf(IOException.class);
            awaitRefused(broker, 1, "refused: its certificate CN=no-san,O=Starling tests has no URI subject alternative name");
        }
    }

    @Test
    @DisplayName("the reason a handshake failed is named from the engine's exception")
    void reasons() {
        var expired = new java.security.cert.CertPathValidatorException("validity check failed", null, null, -1,
                java.security.cert.CertPathValidatorException.BasicReason.EXPIRED);
        assertThat(TlsHandshakeOutcome.reason(new javax.net.ssl.SSLException("x", expired))).startsWith("certificate expired");
        var revoked = new java.security.cert.CertPathValidatorException("revoked", null, null, -1,
                java.security.cert.CertPathValidatorException.BasicReason.REVOKED);
        assertThat(TlsHandshakeOutcome.reason(new javax.net.ssl.SSLException("x", revoked))).startsWith("certificate revoked");
        assertThat(TlsHandshakeOutcome.reason(new javax.net.ssl.SSLHandshakeException("Empty client certificate chain")))
                .startsWith("no client certificate");
        assertThat(TlsHandshakeOutcome.reason(new javax.net.ssl.SSLHandshakeException(
                "PKIX path building failed: unable to find valid certification path to requested target")))
                .startsWith("certificate not trusted");
    }
}
