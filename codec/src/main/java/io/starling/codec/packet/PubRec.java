package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;

/** PUBREC: a step of the QoS 2 flow. In 3.1 and 3.1.1 only the packet identifier goes on the wire. */
public record PubRec(int packetId, ReasonCode reasonCode, Properties properties) implements PublishAck {
    public PubRec {
        PacketChecks.requirePacketId(packetId);
        PacketChecks.requireAllowed(reasonCode, PacketType.PUBREC);
        properties.requireAllowedIn(PacketType.PUBREC, false);
    }

    /** A successful PUBREC without properties. */
    public PubRec(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREC;
    }
}
