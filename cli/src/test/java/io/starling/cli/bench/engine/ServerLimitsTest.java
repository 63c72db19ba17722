package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ServerLimitsTest {
    @Test
    @DisplayName("a CONNACK without properties (3.1.1, or a 5.0 broker without limits) limits nothing")
    void none() {
        ServerLimits limits = ServerLimits.of(new ConnAck(false, ReasonCode.SUCCESS), 60);
        assertThat(limits).isEqualTo(new ServerLimits(65_535, PacketDecoder.MAX_PACKET_SIZE, QoS.EXACTLY_ONCE, 60));
        assertThat(limits.violation(QoS.EXACTLY_ONCE, PacketDecoder.MAX_PACKET_SIZE)).isNull();
    }

    @Test
    @DisplayName("Receive Maximum, Maximum Packet Size, Maximum QoS and Server Keep Alive come from the 5.0 CONNACK (§3.2.2.3)")
    void fromProperties() {
        ConnAck connAck = new ConnAck(false, ReasonCode.SUCCESS, Properties.of(
                Property.of(PropertyId.RECEIVE_MAXIMUM, 20),
                Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 1000),
                Property.of(PropertyId.MAXIMUM_QOS, 1),
                Property.of(PropertyId.SERVER_KEEP_ALIVE, 5)));
        assertThat(ServerLimits.of(connAck, 60)).isEqualTo(new ServerLimits(20, 1000, QoS.AT_LEAST_ONCE, 5));
        ConnAck onlyQos0 = new ConnAck(false, ReasonCode.SUCCESS, Properties.of(Property.of(PropertyId.MAXIMUM_QOS, 0)));
        assertThat(ServerLimits.of(onlyQos0, 60)).isEqualTo(new ServerLimits(65_535, PacketDecoder.MAX_PACKET_SIZE,
                QoS.AT_MOST_ONCE, 60));
    }

    @Test
    @DisplayName("[MQTT-3.2.2-11] [MQTT-3.2.2-15] publishing above Maximum QoS, or packets above Maximum Packet Size, is a violation")
    void violations() {
        ServerLimits limits = new ServerLimits(20, 100, QoS.AT_LEAST_ONCE, 60);
        assertThat(limits.violation(QoS.AT_LEAST_ONCE, 100)).isNull();
        assertThat(limits.violation(null, 100)).as("a subscriber does not publish").isNull();
        assertThat(limits.violation(QoS.EXACTLY_ONCE, 100))
                .isEqualTo("the broker's Maximum QoS is 1, below the QoS 2 to publish at (-q)");
        assertThat(limits.violation(QoS.AT_MOST_ONCE, 101))
                .isEqualTo("the broker's Maximum Packet Size is 100 bytes, below the 101 bytes of the largest packet the bench sends (-s: payload size)");
        assertThat(limits.violation(null, 101)).isNotNull();
    }
}
