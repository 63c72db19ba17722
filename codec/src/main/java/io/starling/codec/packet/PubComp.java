package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;

/** PUBCOMP: a step of the QoS 2 flow. In 3.1 and 3.1.1 only the packet identifier goes on the wire. */
public record PubComp(int packetId, ReasonCode reasonCode, Properties properties) implements PublishAck {
    public PubComp {
        PacketChecks.requirePacketId(packetId);
        PacketChecks.requireAllowed(reasonCode, PacketType.PUBCOMP);
        properties.requireAllowedIn(PacketType.PUBCOMP, false);
    }

    /** A successful PUBCOMP without properties. */
    public PubComp(int packetId) {
        this(packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBCOMP;
    }
}
