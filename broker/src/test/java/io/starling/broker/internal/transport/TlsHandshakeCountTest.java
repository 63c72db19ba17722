package io.starling.broker.internal.transport;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig.Tls;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.testing.TestCertificates.Issued;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS handshakes are counted: those that succeeded and those that failed. */
class TlsHandshakeCountTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("two good handshakes and one a client gives up on count 2 succeeded and 1 failed")
    void counted() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        Issued server = certs.server();
        try (Broker broker = TlsBrokers.start(Tls.pem(server.certFile(), server.keyFile()))) {
            try (TlsTestClient a = TlsTestClient.connect(broker.port(), certs.clientContext(null), "a");
                    TlsTestClient b = TlsTestClient.connect(broker.port(), certs.clientContext(null), "b")) {
                a.ping();
                b.ping();
            }
            // the certificate is for 127.0.0.1 and localhost: a client checking another name refuses it
            assertThatThrownBy(() -> TlsTestClient.connect(broker.port(), certs.clientContext(null), "c", "elsewhere.example", null))
                    .isInstanceOf(SSLHandshakeException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().tlsHandshakesFailed.sum() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().tlsHandshakesSucceeded.sum() == 2);
        }
    }
}
