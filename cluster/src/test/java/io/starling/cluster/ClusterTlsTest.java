package io.starling.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.model.Message;
import io.starling.broker.testing.TestCertificates;
import io.starling.cluster.stack.ClusterTls;
import io.starling.codec.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterTlsTest {
    @TempDir
    Path dir;
    private final List<ClusterNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() throws InterruptedException {
        for (ClusterNode node : nodes) {
            node.close();
        }
    }

    private static BrokerConfig.Tls trusting(BrokerConfig.Tls tls, Path caFile) {
        return new BrokerConfig.Tls(tls.certFile(), tls.keyFile(), tls.keystore(), tls.keystorePassword(), caFile,
                BrokerConfig.ClientAuth.NONE, tls.protocols(), tls.ciphers(), null, null, BrokerConfig.TlsEngine.JDK);
    }

    @Test
    @DisplayName("two nodes over TLS, one with PEM files and one with a PKCS#12 keystore, form a view and forward")
    void pemAndKeystoreNodesTalk() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TestCertificates.Issued server = certs.server();
        Path ca = certs.ca().certFile();
        List<Integer> ports = ClusterNodeTest.freePorts(2);
        List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        BrokerConfig.Tls pem = trusting(BrokerConfig.Tls.pem(server.certFile(), server.keyFile()), ca);
        BrokerConfig.Tls p12 = trusting(BrokerConfig.Tls.keystore(server.keyStore(), TestCertificates.PASSWORD), ca);
        FakePort a = new FakePort();
        FakePort b = new FakePort();
        nodes.add(ClusterNode.start(new BrokerConfig.Cluster("tls", "a", "127.0.0.1", ports.get(0), seeds, null, pem), a));
        nodes.add(ClusterNode.start(new BrokerConfig.Cluster("tls", "b", "127.0.0.1", ports.get(1), seeds, null, p12), b));
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).members().size() == 2 && nodes.get(1).members().size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.events != null);
        a.events.forward("b", new Message("secret", QoS.AT_LEAST_ONCE, false, "s".getBytes(StandardCharsets.UTF_8), "p"), List.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> b.delivered.size() == 1);
        assertThat(b.delivered.get(0).topic()).isEqualTo("secret");
    }

    @Test
    @DisplayName("a PKCS#1 key is refused with what to do about it")
    void pkcs1KeyRefused() throws Exception {
        Path cert = dir.resolve("node.pem");
        Path key = dir.resolve("node.key");
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
        Files.copy(certs.server().certFile(), cert);
        Files.writeString(key, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ClusterTls.sslContext(BrokerConfig.Tls.pem(cert, key)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cluster.tls.key_file " + key + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with:"
                        + " openssl pkcs8 -topk8 -nocrypt -in node.key, or give a PKCS#12 keystore");
    }
}
