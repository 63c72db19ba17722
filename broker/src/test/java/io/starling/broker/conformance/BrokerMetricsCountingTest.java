package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.connect31;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.publish0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.metrics.CloseReason;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The counters behind /metrics, counted by a live broker for real clients: messages by QoS and protocol, closes by reason. */
class BrokerMetricsCountingTest {
    @RegisterExtension
    final LiveBroker live = new LiveBroker(config -> config.inMemory());

    @Test
    @DisplayName("messages and payload bytes are counted by QoS and protocol version, received and sent")
    void messagesByQosAndProtocol() {
        BrokerMetrics metrics = live.broker().metrics();
        try (RawClient subscriber = RawClient.connected(live.port(), "m-sub").subscribe(1, "m/#", 1);
                Mqtt5Client publisher5 = Mqtt5Client.connected(live.port(), "m-pub5");
                RawClient publisher31 = RawClient.connected(live.port(), "m-pub31", connect31("m-pub31").build(),
                        Packets.CONNACK_ACCEPTED)) {
            for (int id = 1; id <= 3; id++) {
                publisher5.publish("m/five", QoS.AT_LEAST_ONCE, false, id, "hello");
                assertThat(publisher5.expect(PubAck.class).packetId()).isEqualTo(id);
            }
            publisher31.send(publish0("m/three", "abcd"), publish0("m/three", "abcd"));
            for (int i = 0; i < 5; i++) {
                byte[] publish = subscriber.readPacket();
                if ((publish[0] & 0x06) == 0x02) {
                    // QoS 1: 32 0E, topic 00 06 "m/five", then the packet identifier at bytes 10 and 11
                    subscriber.send(puback(((publish[10] & 0xFF) << 8) | (publish[11] & 0xFF)));
                }
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(metrics.messagesReceived(MqttVersion.V5, QoS.AT_LEAST_ONCE)).isEqualTo(3);
                assertThat(metrics.payloadBytesReceived(MqttVersion.V5, QoS.AT_LEAST_ONCE)).isEqualTo(15);
                assertThat(metrics.messagesReceived(MqttVersion.V3_1, QoS.AT_MOST_ONCE)).isEqualTo(2);
                assertThat(metrics.payloadBytesReceived(MqttVersion.V3_1, QoS.AT_MOST_ONCE)).isEqualTo(8);
                assertThat(metrics.messagesSent(MqttVersion.V3_1_1, QoS.AT_LEAST_ONCE)).isEqualTo(3);
                assertThat(metrics.payloadBytesSent(MqttVersion.V3_1_1, QoS.AT_LEAST_ONCE)).isEqualTo(15);
                assertThat(metrics.messagesSent(MqttVersion.V3_1_1, QoS.AT_MOST_ONCE)).isEqualTo(2);
                assertThat(metrics.payloadBytesSent(MqttVersion.V3_1_1, QoS.AT_MOST_ONCE)).isEqualTo(8);
            });
            // nothing under the other labels, and the totals agree
            assertThat(metrics.messagesReceived(MqttVersion.V5, QoS.AT_MOST_ONCE)).isZero();
            assertThat(metrics.messagesReceived(MqttVersion.V3_1_1, QoS.AT_LEAST_ONCE)).isZero();
            assertThat(metrics.messagesSent(MqttVersion.V5, QoS.AT_LEAST_ONCE)).isZero();
            assertThat(metrics.messagesReceived.sum()).isEqualTo(5);
            assertThat(metrics.messagesSent.sum()).isEqualTo(5);
        }
    }

    @Test
    @DisplayName("each closed connection is counted once under its reason: DISCONNECT, keep-alive timeout, malformed, take-over, lost")
    void closesByReason() {
        BrokerMetrics metrics = live.broker().metrics();
        int port = live.port();
        try (RawClient polite = RawClient.connected(port, "c-polite")) {
            polite.send(Packets.disconnect());
            polite.expectClosed();
        }
        try (RawClient silent = RawClient.connected(port, connect311("c-silent").keepAlive(1).build())) {
            silent.expectClosed(Duration.ofSeconds(4));
        }
        try (RawClient malformed = RawClient.connected(port, "c-malformed")) {
            malformed.send(bytes(
                    0x36, 0x05,                // PUBLISH with QoS 3, which is malformed [MQTT-3.3.1-4]
                    0x00, 0x01, 't',           // topic "t"
                    0x00, 0x01));              // packet identifier 1
            malformed.expectClosed();
        }
        try (RawClient first = RawClient.connected(port, "c-same");
                RawClient second = RawClient.connected(port, "c-same")) {
            first.expectClosed();
            second.send(Packets.disconnect());
            second.expectClosed();
        }
        RawClient.connected(port, "c-lost").close();

        Map<CloseReason, Integer> expected = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            expected.put(reason, 0);
        }
        expected.put(CloseReason.CLIENT_DISCONNECT, 2);
        expected.put(CloseReason.KEEP_ALIVE_TIMEOUT, 1);
        expected.put(CloseReason.PROTOCOL_ERROR, 1);
        expected.put(CloseReason.TAKEN_OVER, 1);
        expected.put(CloseReason.CONNECTION_LOST, 1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Map<CloseReason, Integer> counted = new EnumMap<>(CloseReason.class);
            for (CloseReason reason : CloseReason.values()) {
                counted.put(reason, (int) metrics.connectionsClosed(reason));
            }
            assertThat(counted).isEqualTo(expected);
        });
        assertThat(metrics.connectionsOpened.sum()).isEqualTo(6);
        assertThat(metrics.connectionsClosed.sum()).isEqualTo(6);
    }

    @Test
    @DisplayName("a refused CONNECT is counted as refused")
    void refusedConnect() {
        // MQTT 3.1 requires a client identifier: CONNACK 0x02, identifier rejected
        try (RawClient refused = RawClient.connected(live.port(), connect31("").build(), Packets.connack(false, 0x02))) {
            refused.expectClosed();
        }
        BrokerMetrics metrics = live.broker().metrics();
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.connectionsClosed.sum() == 1);
        assertThat(metrics.connectionsClosed(CloseReason.REFUSED)).isEqualTo(1);
    }
}
