package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server redirection from a configuration file, the way a user sets it up: {@code bin/starling
 * broker -c} with {@code server_reference}, and the HiveMQ client connecting over MQTT 5.0 (which
 * learns where to go) and 3.1.1 (which learns only that the server is unavailable).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServerRedirectInteropTest {
    @TempDir
    Path tmp;

    private BrokerProcess start(boolean moved) throws Exception {
        Path config = tmp.resolve("starling.yaml");
        Files.writeString(config, """
                listeners:
                  - port: 0
                persistence: false
                server_reference: mqtt2.example.com:1883
                server_moved: %s
                """.formatted(moved), StandardCharsets.UTF_8);
        return BrokerProcess.start(config, tmp.resolve("broker.log"));
    }

    @Test
    @DisplayName("server_moved: true: a 5.0 client is refused with 0x9D and the Server Reference; a 3.1.1 client with 0x03")
    void serverMoved() throws Exception {
        try (BrokerProcess broker = start(true)) {
            Mqtt5BlockingClient v5 = MqttClient.builder().useMqttVersion5().identifier("redirected-5")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            assertThatThrownBy(v5::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> {
                Mqtt5ConnAck connAck = e.getMqttMessage();
                assertThat(connAck.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_MOVED);
                assertThat(connAck.getServerReference()).hasValueSatisfying(
                        reference -> assertThat(reference.toString()).isEqualTo("mqtt2.example.com:1883"));
                assertThat(connAck.isSessionPresent()).isFalse();
            });

            Mqtt3BlockingClient v3 = MqttClient.builder().useMqttVersion3().identifier("redirected-3")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            assertThatThrownBy(v3::connect).isInstanceOfSatisfying(Mqtt3ConnAckException.class,
                    e -> assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE));
        }
    }

    @Test
    @DisplayName("server_reference alone: a 5.0 client is told to use another server (0x9C)")
    void useAnotherServer() throws Exception {
        try (BrokerProcess broker = start(false)) {
            Mqtt5BlockingClient v5 = MqttClient.builder().useMqttVersion5().identifier("redirected-5b")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            assertThatThrownBy(v5::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                    e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.USE_ANOTHER_SERVER));
        }
    }
}
