package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.client.BlockingMqttClient;
import io.starling.client.ConnectResult;
import io.starling.client.MqttClient;
import io.starling.client.PublishResult;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttClientException;
import io.starling.client.MqttMessage;
import io.starling.client.ReconnectPolicy;
import io.starling.client.TlsOptions;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Starling client against an independent peer, Debian's Mosquitto broker: the QoS flows,
 * retained messages, persistent sessions, wills, MQTT 3.1, and TLS with a custom CA and client
 * certificates.
 */
class ClientMosquittoInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final Resources resources = new Resources();

    @TempDir
    Path tmp;

    private MqttClient client(MqttClientBuilder builder) {
        MqttClient client = builder.build();
        resources.add(client);
        return client;
    }

    /** Mosquitto on TLS with the test CA's server certificate, requiring a client certificate from that CA. */
    private MosquittoBroker requiringClientCertificates(TestCertificates certs) throws Exception {
        MosquittoBroker mosquitto = new MosquittoBroker().withConfig(
                "cafile " + certs.ca(), "certfile " + certs.serverCert(), "keyfile " + certs.serverKey(),
                "require_certificate true").start();
        resources.add(mosquitto);
        return mosquitto;
    }

    private MqttClientBuilder plain(MosquittoBroker mosquitto, String clientId) {
        return MqttClient.builder().host("127.0.0.1").port(mosquitto.port()).clientId(clientId);
    }

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(QoS.class)
    @DisplayName("publish and subscribe at each QoS through Mosquitto")
    void qos(QoS qos) throws Exception {
        // Mosquitto 2.0.11 (Debian 12) stalls a subscriber's queue of QoS 2 messages once 20 are in
        // flight (inflight-quota fixes came in 2.0.13, eclipse-mosquitto/mosquitto#2362): no limit here
        MosquittoBroker mosquitto = new MosquittoBroker().withConfig("max_inflight_messages 0").start();
        resources.add(mosquitto);
        MqttClient subscriber = client(plain(mosquitto, "sub"));
        subscriber.connect().join();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        assertThat(subscriber.subscribe("m/#", qos, received::add).join().reasonCodes()).containsExactly(ReasonCode.granted(qos));
        MqttClient publisher = client(plain(mosquitto, "pub"));
        publisher.connect().join();
        List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add(publisher.publish("m/" + i, ("p" + i).getBytes(UTF_8), qos, false));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
        await().atMost(WAIT).until(() -> received.size() == 100);
        for (int i = 0; i < 100; i++) {
            assertThat(received.get(i).topic()).isEqualTo("m/" + i);
            assertThat(received.get(i).payloadAsString()).isEqualTo("p" + i);
            assertThat(received.get(i).qos()).isEqualTo(qos);
        }
    }

    @Test
    @DisplayName("retained messages, MQTT 3.1, unsubscribe and the will, through Mosquitto")
    void retainedWillAndV31() throws Exception {
        MosquittoBroker mosquitto = new MosquittoBroker().start();
        resources.add(mosquitto);
        MqttClient old = client(plain(mosquitto, "v31").version(MqttVersion.V3_1));
        old.connect().join();
        old.publish("r/t", "kept".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true).join();

        MqttClient watcher = client(plain(mosquitto, "watcher"));
        watcher.connect().join();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        watcher.subscribe("r/#", QoS.AT_LEAST_ONCE, received::add).join();
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).retain()).isTrue();
        assertThat(received.get(0).payloadAsString()).isEqualTo("kept");

        // a will goes out when its client's connection ends without DISCONNECT: here, a
        // take-over by a second client with the same id
        MqttClient dying = client(plain(mosquitto, "dying").reconnect(ReconnectPolicy.DISABLED)
                .will(new MqttMessage("r/will", "bye".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false)));
        dying.connect().join();
        MqttClient usurper = client(plain(mosquitto, "dying").reconnect(ReconnectPolicy.DISABLED));
        usurper.connect().join();
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received.get(1).topic()).isEqualTo("r/will");
        assertThat(received.get(1).payloadAsString()).isEqualTo("bye");

        watcher.unsubscribe("r/#").join();
        watcher.subscribe("marker", QoS.AT_LEAST_ONCE, received::add).join();
        old.publish("r/t", "after".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        old.publish("marker", "m".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        await().atMost(WAIT).until(() -> received.size() == 3);
        assertThat(received.get(2).topic()).isEqualTo("marker");
    }

    @Test
    @DisplayName("a persistent session on Mosquitto: session present on return, and the queued messages arrive")
    void persistentSession() throws Exception {
        MosquittoBroker mosquitto = new MosquittoBroker().start();
        resources.add(mosquitto);
        MqttClient first = client(plain(mosquitto, "durable").cleanSession(false));
        assertThat(first.connect().join().sessionPresent()).isFalse();
        first.subscribe("d/t", QoS.EXACTLY_ONCE, m -> { }).join();
        first.disconnect().join();

        MqttClient publisher = client(plain(mosquitto, "d-pub"));
        publisher.connect().join();
        publisher.publish("d/t", "1".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        publisher.publish("d/t", "2".getBytes(UTF_8), QoS.EXACTLY_ONCE, false).join();

        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient back = client(plain(mosquitto, "durable").cleanSession(false)
                .messageListener(m -> received.add(m.payloadAsString() + "@" + m.qos().value())));
        ConnectResult result = back.connect().join();
        assertThat(result.sessionPresent()).isTrue();
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).containsExactly("1@1", "2@2");
    }

    @Test
    @DisplayName("TLS: trusted by a custom CA file, with a client certificate Mosquitto requires")
    void tlsWithClientCertificate() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        MosquittoBroker mosquitto = requiringClientCertificates(certs);
        TlsOptions tls = TlsOptions.defaults().withCaFile(certs.ca()).withClientCertificate(certs.clientCert(), certs.clientKey());
        BlockingMqttClient client = client(MqttClient.builder().host("localhost").port(mosquitto.port()).clientId("tls")
                .tls(tls)).blocking();
        assertThat(client.connect().reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        client.subscribe("tls/t", QoS.AT_LEAST_ONCE, received::add);
        client.publish("tls/t", "secret".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).payloadAsString()).isEqualTo("secret");
    }

    @Test
    @DisplayName("TLS: trusted by a PKCS#12 trust store, with the client certificate from a PKCS#12 key store")
    void tlsWithKeyStores() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        MosquittoBroker mosquitto = requiringClientCertificates(certs);
        TlsOptions tls = TlsOptions.defaults().withTrustStore(certs.trustStore(), TestCertificates.STORE_PASSWORD)
                .withKeyStore(certs.clientKeyStore(), TestCertificates.STORE_PASSWORD);
        BlockingMqttClient client = client(MqttClient.builder().host("localhost").port(mosquitto.port()).clientId("stores")
                .tls(tls)).blocking();
        assertThat(client.connect().reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        client.publish("tls/stores", new byte[] {1}, QoS.EXACTLY_ONCE, false);
    }

    @Test
    @DisplayName("TLS: a server certificate for another host name fails the connect unless host name verification is off")
    void tlsHostName() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        MosquittoBroker mosquitto = new MosquittoBroker().withConfig(
                "cafile " + certs.ca(), "certfile " + certs.otherHostCert(), "keyfile " + certs.otherHostKey()).start();
        resources.add(mosquitto);
        TlsOptions tls = TlsOptions.defaults().withCaFile(certs.ca());
        MqttClient checked = client(MqttClient.builder().host("127.0.0.1").port(mosquitto.port()).clientId("h1").tls(tls));
        assertThatThrownBy(() -> checked.blocking().connect()).isInstanceOf(MqttClientException.class)
                .hasMessageContaining("TLS handshake with");
        MqttClient unchecked = client(MqttClient.builder().host("127.0.0.1").port(mosquitto.port()).clientId("h2")
                .tls(tls.withoutHostnameVerification()));
        assertThat(unchecked.blocking().connect().reasonCode()).isEqualTo(ReasonCode.SUCCESS);
    }

    @Test
    @DisplayName("TLS: a server certificate from an unknown CA, and a missing client certificate, fail the connect")
    void tlsRefusals() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        MosquittoBroker mosquitto = requiringClientCertificates(certs);
        TlsOptions good = TlsOptions.defaults().withCaFile(certs.ca()).withClientCertificate(certs.clientCert(), certs.clientKey());

        MqttClient untrusted = client(MqttClient.builder().host("localhost").port(mosquitto.port()).clientId("t1")
                .tls(TlsOptions.defaults().withCaFile(certs.otherCa()).withClientCertificate(certs.clientCert(), certs.clientKey())));
        assertThatThrownBy(() -> untrusted.blocking().connect()).isInstanceOf(MqttClientException.class)
                .hasMessageContaining("TLS handshake with");

        MqttClient noCertificate = client(MqttClient.builder().host("localhost").port(mosquitto.port()).clientId("t4")
                .tls(TlsOptions.defaults().withCaFile(certs.ca())));
        assertThatThrownBy(() -> noCertificate.blocking().connect()).isInstanceOf(MqttClientException.class);
    }
}
