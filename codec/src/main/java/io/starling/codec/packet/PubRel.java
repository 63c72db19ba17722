package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;

/** PUBREL: a step of the QoS 2 flow. In 3.1 and 3.1.1 only the packet identifier goes on the wire. */
public record PubRel(int packetId, ReasonCode reasonCode, Properties properties) implements PublishAck {
    public PubRel {
        PacketChecks.requirePacketId(packetId);
        PacketChecks.requireAllowed(reasonCode, PacketType.PUBREL);
        properties.requireAllowedIn(PacketType.PUBREL, false);
    }

    /** A successful PUBREL without properties. */
    public PubRel(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREL;
    }
}
