package io.starling.cli.bench.engine;

import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import org.jspecify.annotations.Nullable;

/**
 * What an MQTT 5.0 CONNACK binds a bench connection to (5.0 §3.2.2.3): Receive Maximum caps a
 * publisher's in-flight window [MQTT-3.3.4-7], Maximum Packet Size the packets it sends
 * [MQTT-3.2.2-15], Maximum QoS the QoS it publishes at [MQTT-3.2.2-11], and Server Keep Alive
 * replaces the keep alive of its CONNECT [MQTT-3.2.2-21]. A 3.1 or 3.1.1 CONNACK has no
 * properties, so it sets none of them.
 *
 * @param receiveMaximum QoS 1 and 2 messages in flight at most, 1 to 65535
 * @param maximumPacketSize largest packet the broker accepts, fixed header included
 * @param maximumQos highest QoS the broker accepts in a PUBLISH
 * @param keepAlive keep alive to use, in seconds, 0 for none
 */
record ServerLimits(int receiveMaximum, long maximumPacketSize, QoS maximumQos, int keepAlive) {
    /** The Receive Maximum when CONNACK has none (§3.2.2.3.3), also the largest a publisher may use. */
    static final int DEFAULT_RECEIVE_MAXIMUM = 65_535;

    /** The limits of {@code connAck}, for a connection that asked for {@code keepAlive} seconds. */
    static ServerLimits of(ConnAck connAck, int keepAlive) {
        Properties p = connAck.properties();
        if (p.isEmpty()) {
            return new ServerLimits(DEFAULT_RECEIVE_MAXIMUM, PacketDecoder.MAX_PACKET_SIZE, QoS.EXACTLY_ONCE, keepAlive);
        }
        long maximumQos = p.integer(PropertyId.MAXIMUM_QOS).orElse(2);
        return new ServerLimits(
                (int) p.integer(PropertyId.RECEIVE_MAXIMUM).orElse(DEFAULT_RECEIVE_MAXIMUM),
                p.integer(PropertyId.MAXIMUM_PACKET_SIZE).orElse(PacketDecoder.MAX_PACKET_SIZE),
                maximumQos >= 2 ? QoS.EXACTLY_ONCE : QoS.of((int) maximumQos),
                (int) p.integer(PropertyId.SERVER_KEEP_ALIVE).orElse(keepAlive));
    }

    /**
     * Why a connection cannot keep to these limits when it publishes at {@code publishQos} (null
     * for one that does not publish) and its largest packet is {@code largestPacket} bytes; null
     * when it can. The bench does not silently send less than it was asked to.
     */
    @Nullable String violation(@Nullable QoS publishQos, int largestPacket) {
        if (publishQos != null && publishQos.value() > maximumQos.value()) {
            return "the broker's Maximum QoS is " + maximumQos.value() + ", below the QoS " + publishQos.value()
                    + " to publish at (-q)";
        }
        if (largestPacket > maximumPacketSize) {
            return "the broker's Maximum Packet Size is " + maximumPacketSize + " bytes, below the " + largestPacket
                    + " bytes of the largest packet the bench sends (-s: payload size)";
        }
        return null;
    }
}
