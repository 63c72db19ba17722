package io.starling.broker.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.BrokerConfig.Tls;
import io.starling.broker.config.ConfigException;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.testing.TestCertificates.Issued;
import io.starling.broker.testing.TestCertificates.Request;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT over TLS (mqtts) without client certificates: the server's certificate, key formats, protocols, and what is refused. */
class TlsListenerTest {
    @TempDir
    Path tmp;
    TestCertificates certs;

    @BeforeEach
    void certificates() {
        certs = TestCertificates.create(tmp);
    }

    @Test
    @DisplayName("a TLS listener with a PEM certificate and key accepts MQTT over TLS, and the client sees that certificate")
    void pemCertificate() throws Exception {
        Issued server = certs.server();
        try (Broker broker = TlsBrokers.start(Tls.pem(server.certFile(), server.keyFile()));
                TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(null), "pem")) {
            assertThat(client.serverCertificate().getSerialNumber()).isEqualTo(server.serial());
            client.ping();
            assertThat(broker.metrics().tlsHandshakesFailed.sum()).isZero();
        }
    }

    @Test
    @DisplayName("a PKCS#12 keystore serves as the server's key and certificate")
    void keystore() throws Exception {
        Issued server = certs.server();
        try (Broker broker = TlsBrokers.start(Tls.keystore(server.keyStore(), TestCertificates.PASSWORD));
                TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(null), "p12")) {
            assertThat(client.serverCertificate().getSerialNumber()).isEqualTo(server.serial());
        }
    }

    @Test
    @DisplayName("an RSA key in PKCS#1 PEM (openssl genrsa) is read as well as PKCS#8")
    void pkcs1RsaKey() throws Exception {
        Issued server = certs.ca().issue(Request.server("rsa", "localhost", "127.0.0.1").rsaPkcs1());
        assertThat(java.nio.file.Files.readString(server.keyFile())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        try (Broker broker = TlsBrokers.start(Tls.pem(server.certFile(), server.keyFile()));
                TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(null), "rsa")) {
            assertThat(client.serverCertificate().getSerialNumber()).isEqualTo(server.serial());
        }
    }

    @Test
    @DisplayName("TLS 1.2 and 1.3 are offered by default; protocols limits them")
    void protocols() throws Exception {
        Issued server = certs.server();
        Tls tls = Tls.pem(server.certFile(), server.keyFile());
        try (Broker broker = TlsBrokers.start(tls)) {
            try (TlsTestClient v13 = TlsTestClient.connect(broker.port(), certs.clientContext(null), "a", "127.0.0.1", "TLSv1.3");
                    TlsTestClient v12 = TlsTestClient.connect(broker.port(), certs.clientContext(null), "b", "127.0.0.1", "TLSv1.2")) {
                assertThat(v13.protocol()).isEqualTo("TLSv1.3");
                assertThat(v12.protocol()).isEqualTo("TLSv1.2");
            }
        }
        try (Broker broker = TlsBrokers.start(tls.withProtocols(List.of("TLSv1.3"), List.of()))) {
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(null), "c", "127.0.0.1", "TLSv1.2"))
                    .isInstanceOf(SSLHandshakeException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().tlsHandshakesFailed.sum() == 1);
        }
    }

    @Test
    @DisplayName("a client that checks host names refuses a server certificate for another host")
    void wrongHost() throws Exception {
        Issued elsewhere = certs.ca().issue(Request.server("elsewhere", "elsewhere.example"));
        try (Broker broker = TlsBrokers.start(Tls.pem(elsewhere.certFile(), elsewhere.keyFile()))) {
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(null), "h"))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("127.0.0.1");
            // the same certificate is good for the name it was made for
            try (TlsTestClient client = TlsTestClient.connect(broker.port(), certs.clientContext(null), "h", "elsewhere.example", null)) {
                client.ping();
            }
        }
    }

    @Test
    @DisplayName("an expired server certificate is refused by the client")
    void expiredServerCertificate() throws Exception {
        Issued expired = certs.ca().issue(Request.server("expired", "localhost", "127.0.0.1").expired());
        try (Broker broker = TlsBrokers.start(Tls.pem(expired.certFile(), expired.keyFile()))) {
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(null), "e"))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    @DisplayName("a server certificate of a CA the client does not trust is refused")
    void untrustedServerCertificate() throws Exception {
        Issued foreign = certs.otherCa().issue(Request.server("foreign", "localhost", "127.0.0.1"));
        try (Broker broker = TlsBrokers.start(Tls.pem(foreign.certFile(), foreign.keyFile()))) {
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(null), "u"))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    @DisplayName("plain MQTT on a TLS port gets no CONNACK: the connection is closed and counted as a failed handshake")
    void plainClientOnTlsPort() throws Exception {
        Issued server = certs.server();
        try (Broker broker = TlsBrokers.start(Tls.pem(server.certFile(), server.keyFile()));
                Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5000);
            plain.setSoTimeout(5000);
            plain.getOutputStream().write(TlsTestClient.connect("plain"));
            InputStream in = plain.getInputStream();
            byte[] answer = in.readNBytes(4);
            // whatever the engine wrote (an alert record, or nothing), it is not CONNACK, and the connection ends
            assertThat(answer).isNotEqualTo(new byte[] {0x20, 0x02, 0x00, 0x00});
            assertThat(in.readAllBytes().length + answer.length).isLessThan(64);
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().tlsHandshakesFailed.sum() == 1);
        }
    }

    @Test
    @DisplayName("engine openssl without netty-tcnative on the class path stops the start with the reason")
    void openSslMissing() {
        org.junit.jupiter.api.Assumptions.assumeFalse(io.netty.handler.ssl.OpenSsl.isAvailable(), "netty-tcnative is here");
        Issued server = certs.server();
        Tls tls = Tls.pem(server.certFile(), server.keyFile()).withEngine(BrokerConfig.TlsEngine.OPENSSL);
        assertThatThrownBy(() -> ServerTls.check(tls)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("netty-tcnative");
        assertThatThrownBy(() -> TlsBrokers.start(tls)).isInstanceOf(IOException.class).hasMessageContaining("netty-tcnative");
        assertThat(ServerTls.provider(BrokerConfig.TlsEngine.AUTO)).isEqualTo(io.netty.handler.ssl.SslProvider.JDK);
    }
}
