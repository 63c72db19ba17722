package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.testing.TestCertificates.Issued;
import io.starling.broker.testing.TestCertificates.Request;
import io.starling.cli.bench.NettyLeakCheck;
import io.starling.cli.bench.stats.BenchSummary;
import io.starling.codec.packet.QoS;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --cafile}: the bench over TLS against a TLS listener, checking the broker's certificate. */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsBenchTest {
    @TempDir
    Path tmp;

    private static Broker start(Issued server) throws Exception {
        return Broker.start(BrokerConfig.defaults().inMemory().withListeners(List.of(
                new BrokerConfig.Listener("127.0.0.1", 0).withTls(BrokerConfig.Tls.pem(server.certFile(), server.keyFile())))));
    }

    private static BenchSettings settings(Broker broker, Path caFile) {
        return BenchSettings.defaults().withBroker("127.0.0.1", broker.port()).withThreads(2).withProgress(false)
                .withTls(new BenchTls(caFile));
    }

    @Test
    @DisplayName("conn and pubsub over TLS: every connection completes its TLS handshake and CONNACK, every message arrives")
    void overTls() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        try (Broker broker = start(certs.server())) {
            BenchSummary conn = ConnBench.run(new ConnOptions(settings(broker, certs.ca().certFile())
                    .withDuration(Duration.ofMillis(300)), 20, 0));
            assertThat(conn.connections()).isEqualTo(20);
            assertThat(conn.connectFailed()).isZero();
            assertThat(broker.metrics().tlsHandshakesFailed.sum()).isZero();

            long received = broker.metrics().messagesReceived.sum();
            BenchSummary s = PubSubBench.run(PubSubOptions.of(settings(broker, certs.ca().certFile())
                    .withQos(QoS.AT_LEAST_ONCE).withDuration(Duration.ofMillis(1000)), Shape.FAN_IN).withPublishers(2));
            assertThat(s.disconnected()).isZero();
            assertThat(s.sent()).isPositive();
            assertThat(s.received()).as(s.toText()).isEqualTo(s.sent());
            assertThat(s.lost()).isZero();
            assertThat(broker.metrics().messagesReceived.sum() - received).isEqualTo(s.sent());
        }
    }

    @Test
    @DisplayName("a broker certificate of another CA, or for another host, fails the run with the reason")
    void refusedCertificate() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        Issued elsewhere = certs.ca().issue(Request.server("elsewhere", "elsewhere.example"));
        try (Broker broker = start(elsewhere)) {
            assertThatThrownBy(() -> ConnBench.run(new ConnOptions(settings(broker, certs.ca().certFile())
                    .withDuration(Duration.ofMillis(300)), 1, 0))).isInstanceOf(BenchException.class);
        }
        try (Broker broker = start(certs.server())) {
            assertThatThrownBy(() -> ConnBench.run(new ConnOptions(settings(broker, certs.otherCa().certFile())
                    .withDuration(Duration.ofMillis(300)), 1, 0))).isInstanceOf(BenchException.class);
        }
    }
}
