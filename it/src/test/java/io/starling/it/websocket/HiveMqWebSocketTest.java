package io.starling.it.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.testing.TestCertificates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The HiveMQ MQTT client's WebSocket transport (1.3.10, on Netty's WebSocket client, subprotocol
 * "mqtt") against a broker with a plain TCP listener, a ws and a wss listener on /mqtt: messages at
 * each QoS go from a WebSocket client to a TCP subscriber and back, in MQTT 3.1.1 and 5.0.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HiveMqWebSocketTest {
    private static final long WAIT_SECONDS = 10;

    private static Broker broker;
    private static TrustManagerFactory trust;
    @TempDir
    static Path dir;

    private final List<Runnable> disconnects = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        TestCertificates.Issued server = certificates.server();
        trust = TestCertificates.trustManagers(certificates.ca());
        BrokerConfig.Listener tcp = new BrokerConfig.Listener("127.0.0.1", 0);
        broker = Broker.start(BrokerConfig.defaults().inMemory().withListeners(List.of(
                tcp,
                tcp.withWebSocket("/mqtt"),
                tcp.withWebSocket("/mqtt").withTls(BrokerConfig.Tls.pem(server.certFile(), server.keyFile())))));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void disconnect() {
        disconnects.forEach(Runnable::run);
    }

    /** A client builder for {@code transport}: tcp, ws or wss. */
    private static MqttClientBuilder builder(String transport, String clientId) {
        MqttClientBuilder builder = MqttClient.builder().identifier(clientId).serverHost("localhost");
        return switch (transport) {
            case "tcp" -> builder.serverPort(broker.addresses().get(0).getPort());
            case "ws" -> builder.serverPort(broker.addresses().get(1).getPort())
                    .webSocketConfig().serverPath("mqtt").applyWebSocketConfig();
            case "wss" -> builder.serverPort(broker.addresses().get(2).getPort())
                    .webSocketConfig().serverPath("mqtt").applyWebSocketConfig()
                    .sslConfig().trustManagerFactory(trust).applySslConfig();
            default -> throw new IllegalArgumentException(transport);
        };
    }

    private Mqtt3AsyncClient connected3(String transport, String clientId) throws Exception {
        Mqtt3AsyncClient client = builder(transport, clientId).useMqttVersion3().buildAsync();
        client.connectWith().cleanSession(true).send().get(WAIT_SECONDS, TimeUnit.SECONDS);
        disconnects.add(() -> client.disconnect());
        return client;
    }

    private Mqtt5AsyncClient connected5(String transport, String clientId) throws Exception {
        Mqtt5AsyncClient client = builder(transport, clientId).useMqttVersion5().buildAsync();
        client.connectWith().cleanStart(true).send().get(WAIT_SECONDS, TimeUnit.SECONDS);
        disconnects.add(() -> client.disconnect());
        return client;
    }

    @ParameterizedTest(name = "{0}, QoS {1}")
    @CsvSource({"ws,0", "ws,1", "ws,2", "wss,0", "wss,1", "wss,2"})
    @DisplayName("MQTT 3.1.1 over WebSocket: published to a TCP subscriber, and received from a TCP publisher")
    void mqtt311(String transport, int qos) throws Exception {
        MqttQos level = MqttQos.fromCode(qos);
        String prefix = "v3-" + transport + "-" + qos;
        Mqtt3AsyncClient web = connected3(transport, prefix + "-web");
        Mqtt3AsyncClient tcp = connected3("tcp", prefix + "-tcp");
        BlockingQueue<Mqtt3Publish> atTcp = new LinkedBlockingQueue<>();
        BlockingQueue<Mqtt3Publish> atWeb = new LinkedBlockingQueue<>();
        tcp.subscribeWith().topicFilter(prefix + "/up").qos(MqttQos.EXACTLY_ONCE).callback(atTcp::add).send()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        web.subscribeWith().topicFilter(prefix + "/down").qos(MqttQos.EXACTLY_ONCE).callback(atWeb::add).send()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        web.publishWith().topic(prefix + "/up").qos(level).payload("from the browser side".getBytes(UTF_8)).send()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        tcp.publishWith().topic(prefix + "/down").qos(level).payload("from the device side".getBytes(UTF_8)).send()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        Mqtt3Publish up = atTcp.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(up).isNotNull();
        assertThat(up.getPayloadAsBytes()).asString(UTF_8).isEqualTo("from the browser side");
        assertThat(up.getQos()).isEqualTo(level);
        Mqtt3Publish down = atWeb.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(down).isNotNull();
        assertThat(down.getPayloadAsBytes()).asString(UTF_8).isEqualTo("from the device side");
        assertThat(down.getQos()).isEqualTo(level);
        assertThat(atTcp.poll(100, TimeUnit.MILLISECONDS)).as("each message once").isNull();
        assertThat(atWeb).isEmpty();
    }

    @ParameterizedTest(name = "{0}, QoS {1}")
    @CsvSource({"ws,0", "ws,1", "ws,2", "wss,0", "wss,1", "wss,2"})
    @DisplayName("MQTT 5.0 over WebSocket: published to a TCP subscriber with its properties, and received from a TCP publisher")
    void mqtt5(String transport, int qos) throws Exception {
        MqttQos level = MqttQos.fromCode(qos);
        String prefix = "v5-" + transport + "-" + qos;
        Mqtt5AsyncClient web = connected5(transport, prefix + "-web");
        Mqtt5AsyncClient tcp = connected5("tcp", prefix + "-tcp");
        BlockingQueue<Mqtt5Publish> atTcp = new LinkedBlockingQueue<>();
        BlockingQueue<Mqtt5Publish> atWeb = new LinkedBlockingQueue<>();
        tcp.subscribeWith().topicFilter(prefix + "/up").qos(MqttQos.EXACTLY_ONCE).callback(atTcp::add).send()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        web.subscribeWith().topicFilter(prefix + "/down").qos(MqttQos.EXACTLY_ONCE).callback(atWeb::add).send()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        web.publishWith().topic(prefix + "/up").qos(level).contentType("text/plain")
                .payload("from the browser side".getBytes(UTF_8)).send().get(WAIT_SECONDS, TimeUnit.SECONDS);
        tcp.publishWith().topic(prefix + "/down").qos(level).payload("from the device side".getBytes(UTF_8)).send()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        Mqtt5Publish up = atTcp.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(up).isNotNull();
        assertThat(up.getPayloadAsBytes()).asString(UTF_8).isEqualTo("from the browser side");
        assertThat(up.getQos()).isEqualTo(level);
        assertThat(up.getContentType()).hasValueSatisfying(type -> assertThat(type.toString()).isEqualTo("text/plain"));
        Mqtt5Publish down = atWeb.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(down).isNotNull();
        assertThat(down.getPayloadAsBytes()).asString(UTF_8).isEqualTo("from the device side");
        assertThat(down.getQos()).isEqualTo(level);
        assertThat(atTcp.poll(100, TimeUnit.MILLISECONDS)).as("each message once").isNull();
        assertThat(atWeb).isEmpty();
    }
}
