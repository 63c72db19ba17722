package io.starling.codec.packet;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.Topics;

/**
 * PUBLISH. The payload is a reference-counted buffer so that one decoded message can be handed
 * to many subscribers without copying; the packet's reference count is its payload's. Packet
 * identifier is 0 for QoS 0 and 1 to 65535 otherwise. An empty topic is only valid in 5.0, with
 * a Topic Alias property.
 */
public record Publish(
        String topic,
        QoS qos,
        boolean dup,
        boolean retained,
        int packetId,
        Properties properties,
        ByteBuf payload) implements Packet, ReferenceCounted {

    public Publish {
        MqttStrings.require(topic, "topic name");
        if (Topics.hasWildcard(topic)) {
            throw new IllegalArgumentException("[MQTT-3.3.2-2] a topic name has no wildcards: " + topic);
        }
        if (qos == QoS.AT_MOST_ONCE) {
            if (packetId != 0) {
                throw new IllegalArgumentException("[MQTT-2.3.1-5] a QoS 0 PUBLISH has no packet identifier");
            }
            if (dup) {
                throw new IllegalArgumentException("[MQTT-3.3.1-2] a QoS 0 PUBLISH has DUP 0");
            }
        } else {
            PacketChecks.requirePacketId(packetId);
        }
        properties.requireAllowedIn(PacketType.PUBLISH, false);
    }

    /** A PUBLISH without properties. */
    public Publish(String topic, QoS qos, boolean dup, boolean retained, int packetId, ByteBuf payload) {
        this(topic, qos, dup, retained, packetId, Properties.EMPTY, payload);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBLISH;
    }

    /** The same message with other per-delivery fields; shares (does not retain) the payload. */
    public Publish withDelivery(QoS qos, boolean dup, boolean retained, int packetId) {
        return new Publish(topic, qos, dup, retained, packetId, properties, payload);
    }

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public Publish retain() {
        payload.retain();
        return this;
    }

    @Override
    public Publish retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public Publish touch() {
        payload.touch();
        return this;
    }

    @Override
    public Publish touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        return payload.release(decrement);
    }
}
