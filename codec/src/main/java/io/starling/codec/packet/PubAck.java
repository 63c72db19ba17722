package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;

/** PUBACK: a step of the QoS 1 flow. In 3.1 and 3.1.1 only the packet identifier goes on the wire. */
public record PubAck(int packetId, ReasonCode reasonCode, Properties properties) implements PublishAck {
    public PubAck {
        PacketChecks.requirePacketId(packetId);
        PacketChecks.requireAllowed(reasonCode, PacketType.PUBACK);
        properties.requireAllowedIn(PacketType.PUBACK, false);
    }

    /** A successful PUBACK without properties. */
    public PubAck(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBACK;
    }
}
