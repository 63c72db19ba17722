package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.concat;
import static io.starling.broker.conformance.Packets.packet;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Broken packets from MQTT 5.0 clients, as raw bytes: each is answered with the reason code the
 * standard names (CONNACK before the connection is accepted, DISCONNECT after), then the close,
 * and only that connection is affected.
 */
class Mqtt5MalformedConformanceTest {
    /** Ill-formed UTF-8: a lone continuation byte. */
    private static final byte[] BAD_UTF8 = bytes(0x00, 0x02, 'a', 0x80);
    @RegisterExtension
    final LiveBroker live = new LiveBroker();

    /** A 5.0 CONNECT with {@code flags}, no properties, and {@code payload}. */
    private static byte[] connect(int flags, byte[] payload) {
        return packet(0x10, bytes(0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, flags, 0x00, 0x3C, 0x00), payload);
    }

    private void refusedWith(byte[] connect, ReasonCode code) {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "broken-connect")) {
            client.sendRaw(connect);
            ConnAck ack = client.expect(ConnAck.class);
            assertThat(ack.reasonCode()).isEqualTo(code);
            assertThat(ack.sessionPresent()).isFalse();
            client.expectClosed();
        }
        stillServing();
    }

    private void disconnectedWith(byte[] packet, ReasonCode code) {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "broken")) {
            client.sendRaw(packet);
            client.expectDisconnect(code);
        }
        stillServing();
    }

    /** Another client is served as before: only the broken connection was closed. */
    private void stillServing() {
        try (Mqtt5Client other = Mqtt5Client.connected(live.port(), "bystander")) {
            other.send(io.starling.codec.packet.PingReq.INSTANCE);
            other.expect(io.starling.codec.packet.PingResp.class);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-3] [MQTT-3.1.3-4] a CONNECT whose Client Identifier is missing or not UTF-8 gets CONNACK 0x81")
    void badClientIdentifier() {
        refusedWith(connect(0x02, new byte[0]), ReasonCode.MALFORMED_PACKET);
        refusedWith(connect(0x02, BAD_UTF8), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-9] [MQTT-3.1.3-1] a CONNECT with the Will Flag but no will properties, topic and payload after the Client Identifier gets CONNACK 0x81")
    void willFlagWithoutWill() {
        refusedWith(connect(0x06, bytes(0x00, 0x01, 'w')), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-11] a will topic that is not UTF-8 gets CONNACK 0x81")
    void badWillTopic() {
        refusedWith(connect(0x06, concat(bytes(0x00, 0x01, 'w', 0x00), BAD_UTF8, bytes(0x00, 0x00))), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-16] [MQTT-3.1.2-17] [MQTT-3.1.3-12] a User Name present without its flag, missing with it, or not UTF-8 gets CONNACK 0x81")
    void userNameAndFlag() {
        refusedWith(connect(0x02, bytes(0x00, 0x01, 'u', 0x00, 0x01, 'x')), ReasonCode.MALFORMED_PACKET);
        refusedWith(connect(0x82, bytes(0x00, 0x01, 'u')), ReasonCode.MALFORMED_PACKET);
        refusedWith(connect(0x82, concat(bytes(0x00, 0x01, 'u'), BAD_UTF8)), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.8.1-1] a SUBSCRIBE with fixed-header flags other than 0010 gets DISCONNECT 0x81")
    void subscribeFlags() {
        disconnectedWith(bytes(0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 'a'), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.15.1-1] an AUTH with fixed-header flags set gets DISCONNECT 0x81")
    void authFlags() {
        disconnectedWith(bytes(0xF1, 0x00), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.14.1-1] a DISCONNECT with reserved flags set gets DISCONNECT 0x81")
    void disconnectFlags() {
        disconnectedWith(bytes(0xE1, 0x00), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-2.2.2-1] a SUBSCRIBE without its Property Length gets DISCONNECT 0x81")
    void missingPropertyLength() {
        disconnectedWith(bytes(0x82, 0x05, 0x00, 0x01, 0x00, 0x01, 'a'), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-1] [MQTT-4.7.3-2] a PUBLISH whose topic is not UTF-8 or holds U+0000 gets DISCONNECT 0x81")
    void badTopicName() {
        disconnectedWith(packet(0x30, BAD_UTF8, bytes(0x00, 'x')), ReasonCode.MALFORMED_PACKET);
        disconnectedWith(packet(0x30, bytes(0x00, 0x03, 'a', 0x00, 'b'), bytes(0x00, 'x')), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-13] [MQTT-3.3.2-19] [MQTT-1.5.7-1] a Response Topic, Content Type or User Property that is not a valid UTF-8 string gets DISCONNECT 0x81")
    void badStringProperties() {
        // PUBLISH "t", QoS 0, properties: one of them ill-formed, payload "x"
        disconnectedWith(packet(0x30, bytes(0x00, 0x01, 't', 0x05, 0x08), BAD_UTF8, bytes('x')), ReasonCode.MALFORMED_PACKET);
        disconnectedWith(packet(0x30, bytes(0x00, 0x01, 't', 0x05, 0x03), BAD_UTF8, bytes('x')), ReasonCode.MALFORMED_PACKET);
        disconnectedWith(packet(0x30, bytes(0x00, 0x01, 't', 0x08, 0x26, 0x00, 0x01, 0x00, 0x00, 0x01, 'v'), bytes('x')),
                ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-1] [MQTT-3.10.3-1] a SUBSCRIBE or UNSUBSCRIBE topic filter that is not UTF-8 gets DISCONNECT 0x81")
    void badTopicFilters() {
        disconnectedWith(packet(0x82, bytes(0x00, 0x01, 0x00), BAD_UTF8, bytes(0x00)), ReasonCode.MALFORMED_PACKET);
        disconnectedWith(packet(0xA2, bytes(0x00, 0x01, 0x00), BAD_UTF8), ReasonCode.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.10.3-2] an UNSUBSCRIBE without a topic filter gets DISCONNECT 0x82")
    void unsubscribeWithoutFilter() {
        disconnectedWith(bytes(0xA2, 0x03, 0x00, 0x01, 0x00), ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-4.7.3-1] an empty topic filter fails alone with SUBACK 0x8F")
    void emptyTopicFilter() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "empty-filter")) {
            client.sendRaw(packet(0x82, bytes(0x00, 0x01, 0x00), bytes(0x00, 0x00, 0x00), bytes(0x00, 0x01, 'a', 0x00)));
            SubAck ack = client.expect(SubAck.class);
            assertThat(ack.reasonCodes()).containsExactly(ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.GRANTED_QOS_0);
        }
    }
}
