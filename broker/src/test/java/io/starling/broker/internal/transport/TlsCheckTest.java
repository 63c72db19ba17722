package io.starling.broker.internal.transport;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.config.BrokerConfig.ClientAuth;
import io.starling.broker.config.BrokerConfig.Tls;
import io.starling.broker.config.ConfigException;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.testing.TestCertificates.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ServerTls#check}: what --check-config says about TLS files, without starting a broker. */
class TlsCheckTest {
    @TempDir
    Path tmp;
    TestCertificates certs;
    Issued server;

    @BeforeEach
    void certificates() {
        certs = TestCertificates.create(tmp);
        server = certs.server();
    }

    @Test
    @DisplayName("good PEM files, keystore, CA and CRL pass")
    void good() {
        assertThatCode(() -> ServerTls.check(Tls.pem(server.certFile(), server.keyFile())
                .withClientAuth(ClientAuth.REQUIRED, certs.ca().certFile()).withCrlFile(certs.ca().crl("ca")))).doesNotThrowAnyException();
        assertThatCode(() -> ServerTls.check(Tls.keystore(server.keyStore(), TestCertificates.PASSWORD))).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a missing file is named")
    void missing() {
        Path nowhere = tmp.resolve("nowhere.crt");
        assertThatThrownBy(() -> ServerTls.check(Tls.pem(nowhere, server.keyFile()))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(nowhere + ": cannot be read");
    }

    @Test
    @DisplayName("a key that is not the certificate's is refused, naming the key file")
    void mismatch() {
        Issued other = certs.client("other");
        assertThatThrownBy(() -> ServerTls.check(Tls.pem(server.certFile(), other.keyFile()))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(other.keyFile() + ": the private key does not belong to the certificate CN=localhost");
    }

    @Test
    @DisplayName("a certificate file with no certificate, and a key file with no key, are refused")
    void notPem() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "nothing here\n");
        assertThatThrownBy(() -> ServerTls.check(Tls.pem(empty, server.keyFile()))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(empty + ": ");
        assertThatThrownBy(() -> ServerTls.check(Tls.pem(server.certFile(), empty))).isInstanceOf(ConfigException.class)
                .hasMessage(empty + ": no PEM private key (-----BEGIN PRIVATE KEY-----) in it");
    }

    @Test
    @DisplayName("a keystore with the wrong password is refused")
    void keystorePassword() {
        assertThatThrownBy(() -> ServerTls.check(Tls.keystore(server.keyStore(), "wrong"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(server.keyStore() + ": wrong keystore_password");
    }

    @Test
    @DisplayName("a CRL not signed by a CA of ca_file is refused, and so is a CA file that is not PEM")
    void crlAndCa() throws Exception {
        Path foreignCrl = certs.otherCa().crl("other");
        Tls tls = Tls.pem(server.certFile(), server.keyFile()).withClientAuth(ClientAuth.REQUIRED, certs.ca().certFile());
        assertThatThrownBy(() -> ServerTls.check(tls.withCrlFile(foreignCrl))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(foreignCrl + ": the CRL of CN=Other Test CA,O=Starling tests is not signed by a certificate of");
        assertThatThrownBy(() -> ServerTls.check(tls.withCrlFile(certs.ca().certFile()))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(certs.ca().certFile() + ": ");
        Path notPem = Files.writeString(tmp.resolve("ca.txt"), "no certificates\n");
        assertThatThrownBy(() -> ServerTls.check(tls.withClientAuth(ClientAuth.REQUIRED, notPem))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(notPem + ": ");
    }

    @Test
    @DisplayName("a protocol or cipher the engine does not know is refused before any client comes")
    void unknownProtocol() {
        Tls tls = Tls.pem(server.certFile(), server.keyFile());
        assertThatThrownBy(() -> ServerTls.check(tls.withProtocols(List.of("TLSv9"), List.of()))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("TLSv9");
        assertThatThrownBy(() -> ServerTls.check(tls.withProtocols(List.of("TLSv1.2"), List.of("NO_SUCH_CIPHER"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NO_SUCH_CIPHER");
    }
}
