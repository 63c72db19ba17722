package io.starling.it.tls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.netty.handler.ssl.OpenSsl;
import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.BrokerConfig.CertificateIdentity;
import io.starling.broker.config.BrokerConfig.ClientAuth;
import io.starling.broker.config.BrokerConfig.Tls;
import io.starling.broker.config.BrokerConfig.TlsEngine;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.testing.TestCertificates.Issued;
import io.starling.broker.testing.TestCertificates.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS and mTLS listeners against real clients: Paho (mqttv3), the HiveMQ client and Debian's
 * {@code mosquitto_pub}/{@code mosquitto_sub} ({@code --cafile}, {@code --cert}, {@code --key}),
 * on both engines (OpenSSL through netty-tcnative, which is on this module's class path, and the JDK).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Path MOSQUITTO_PUB = Path.of("/usr/bin/mosquitto_pub");
    private static final Path MOSQUITTO_SUB = Path.of("/usr/bin/mosquitto_sub");

    @TempDir
    Path tmp;
    TestCertificates certs;
    Issued server;

    @BeforeEach
    void certificates() {
        certs = TestCertificates.create(tmp);
        server = certs.server();
    }

    private static Broker start(Tls tls) throws IOException {
        if (tls.engine() == TlsEngine.OPENSSL) {
            Assumptions.assumeTrue(OpenSsl.isAvailable(), "netty-tcnative is not available here");
        }
        return Broker.start(BrokerConfig.defaults().inMemory()
                .withListeners(List.of(new BrokerConfig.Listener("127.0.0.1", 0).withTls(tls))));
    }

    private Tls mtls(TlsEngine engine) {
        return Tls.pem(server.certFile(), server.keyFile()).withEngine(engine)
                .withClientAuth(ClientAuth.REQUIRED, certs.ca().certFile()).withIdentityAsUsername(CertificateIdentity.CN);
    }

    private static MqttClient paho(int port, javax.net.ssl.SSLContext context, String clientId) throws MqttException {
        MqttClient client = new MqttClient("ssl://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(context.getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(true);
        options.setConnectionTimeout(10);
        // not the default, which tries 3.1 after a failed 3.1.1 attempt: one refusal is one handshake
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.connect(options);
        return client;
    }

    private static String identity(Broker broker, String clientId) {
        var session = Objects.requireNonNull(BrokerInternals.sessions(broker).store().get(clientId), clientId);
        return ((Connection) Objects.requireNonNull(session.connection())).peer().certificateIdentity();
    }

    @ParameterizedTest(name = "engine {0}")
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    @DisplayName("Paho over mTLS: a message goes through, the certificate's CN is the identity; without a certificate, refused")
    void paho(TlsEngine engine) throws Exception {
        Issued alice = certs.client("alice");
        try (Broker broker = start(mtls(engine))) {
            MqttClient subscriber = paho(broker.port(), certs.clientContext(alice), "paho-sub");
            List<String> received = new ArrayList<>();
            subscriber.subscribe("tls/paho", 1, (topic, message) -> {
                synchronized (received) {
                    received.add(new String(message.getPayload(), UTF_8));
                }
            });
            MqttClient publisher = paho(broker.port(), certs.clientContext(alice), "paho-pub");
            publisher.publish("tls/paho", "over TLS".getBytes(UTF_8), 1, false);
            await().atMost(WAIT).until(() -> {
                synchronized (received) {
                    return received.equals(List.of("over TLS"));
                }
            });
            assertThat(identity(broker, "paho-pub")).isEqualTo("alice");
            publisher.disconnect();
            publisher.close();
            subscriber.disconnect();
            subscriber.close();
            assertThatThrownBy(() -> paho(broker.port(), certs.clientContext(null), "paho-anonymous"))
                    .isInstanceOf(MqttException.class);
            await().atMost(WAIT).untilAsserted(() -> assertThat(broker.metrics().tlsHandshakesFailed.sum()).isEqualTo(1));
        }
    }

    @ParameterizedTest(name = "engine {0}")
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    @DisplayName("mTLS refuses a certificate of another CA, an expired one and one the CRL revokes; a good one gets in")
    void refusedCertificates(TlsEngine engine) throws Exception {
        Issued foreign = certs.otherCa().issue(Request.client("foreign", "foreign"));
        Issued expired = certs.ca().issue(Request.client("expired", "expired").expired());
        Issued revoked = certs.client("revoked");
        Issued good = certs.client("good");
        try (Broker broker = start(mtls(engine).withCrlFile(certs.ca().crl("ca", revoked)))) {
            int refused = 0;
            for (Issued bad : List.of(foreign, expired, revoked)) {
                assertThatThrownBy(() -> paho(broker.port(), certs.clientContext(bad), "paho-" + bad.name()))
                        .as(bad.name()).isInstanceOf(MqttException.class);
                int expected = ++refused;
                await().atMost(WAIT).untilAsserted(() -> assertThat(broker.metrics().tlsHandshakesFailed.sum()).isEqualTo(expected));
            }
            MqttClient client = paho(broker.port(), certs.clientContext(good), "paho-good");
            assertThat(identity(broker, "paho-good")).isEqualTo("good");
            client.disconnect();
            client.close();
        }
    }

    @ParameterizedTest(name = "engine {0}")
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    @DisplayName("Paho with host name checks refuses a server certificate for another host")
    void pahoWrongHost(TlsEngine engine) throws Exception {
        Issued elsewhere = certs.ca().issue(Request.server("elsewhere", "elsewhere.example"));
        try (Broker broker = start(Tls.pem(elsewhere.certFile(), elsewhere.keyFile()).withEngine(engine))) {
            assertThatThrownBy(() -> paho(broker.port(), certs.clientContext(null), "paho-host"))
                    .isInstanceOf(MqttException.class);
        }
    }

    @ParameterizedTest(name = "engine {0}")
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    @DisplayName("the HiveMQ client over mTLS (its sslConfig), MQTT 5.0: publishes and receives; the CN is the identity")
    void hiveMq(TlsEngine engine) throws Exception {
        Issued bob = certs.client("bob");
        try (Broker broker = start(mtls(engine))) {
            Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("hivemq-tls").serverHost("127.0.0.1")
                    .serverPort(broker.port())
                    .sslConfig().trustManagerFactory(TestCertificates.trustManagers(certs.ca()))
                    .keyManagerFactory(TestCertificates.keyManagers(bob)).applySslConfig()
                    .buildBlocking();
            client.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
                client.subscribeWith().topicFilter("tls/hivemq").qos(MqttQos.AT_LEAST_ONCE).send();
                client.publishWith().topic("tls/hivemq").qos(MqttQos.AT_LEAST_ONCE).payload("hello".getBytes(UTF_8)).send();
                Optional<Mqtt5Publish> received = publishes.receive(10, TimeUnit.SECONDS);
                assertThat(received).isPresent();
                assertThat(new String(received.get().getPayloadAsBytes(), UTF_8)).isEqualTo("hello");
            }
            assertThat(identity(broker, "hivemq-tls")).isEqualTo("bob");
            client.disconnect();
        }
    }

    @ParameterizedTest(name = "engine {0}")
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    @DisplayName("mosquitto_sub and mosquitto_pub with --cafile, --cert and --key: the message arrives; without --cert the broker refuses")
    void mosquitto(TlsEngine engine) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(MOSQUITTO_PUB) && Files.isExecutable(MOSQUITTO_SUB), "mosquitto clients not installed");
        Issued carol = certs.client("carol");
        try (Broker broker = start(mtls(engine))) {
            String port = String.valueOf(broker.port());
            List<String> tls = List.of("--cafile", certs.ca().certFile().toString(), "--cert", carol.certFile().toString(),
                    "--key", carol.keyFile().toString());
            List<String> sub = new ArrayList<>(List.of(MOSQUITTO_SUB.toString(), "-h", "127.0.0.1", "-p", port, "-i", "mosq-sub",
                    "-t", "tls/mosquitto", "-C", "1", "-W", "20", "-q", "1"));
            sub.addAll(tls);
            Process subscriber = new ProcessBuilder(sub).redirectErrorStream(true).start();
            try {
                await().atMost(WAIT).until(() -> "carol".equals(identityIfConnected(broker, "mosq-sub")));
                List<String> pub = new ArrayList<>(List.of(MOSQUITTO_PUB.toString(), "-h", "127.0.0.1", "-p", port, "-i", "mosq-pub",
                        "-t", "tls/mosquitto", "-m", "from mosquitto", "-q", "1"));
                pub.addAll(tls);
                // the subscription may still be on its way: publish until the subscriber has its message (bounded)
                for (int i = 0; i < 20 && subscriber.isAlive(); i++) {
                    assertThat(run(pub)).isEqualTo(0);
                    subscriber.waitFor(500, TimeUnit.MILLISECONDS);
                }
                assertThat(subscriber.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(new String(subscriber.getInputStream().readAllBytes(), UTF_8).lines().toList())
                        .containsExactly("from mosquitto");
                assertThat(subscriber.exitValue()).isZero();
            } finally {
                subscriber.destroyForcibly();
            }
            List<String> anonymous = List.of(MOSQUITTO_PUB.toString(), "-h", "127.0.0.1", "-p", port, "-i", "mosq-anon",
                    "-t", "tls/mosquitto", "-m", "x", "--cafile", certs.ca().certFile().toString());
            assertThat(run(anonymous)).isNotZero();
            await().atMost(WAIT).untilAsserted(() -> assertThat(broker.metrics().tlsHandshakesFailed.sum()).isEqualTo(1));
        }
    }

    private static String identityIfConnected(Broker broker, String clientId) {
        var session = BrokerInternals.sessions(broker).store().get(clientId);
        return session == null || !(session.connection() instanceof Connection connection) ? null : connection.peer().certificateIdentity();
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in 20 s");
        }
        return process.exitValue();
    }
}
