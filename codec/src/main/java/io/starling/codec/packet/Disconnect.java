package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;

/** DISCONNECT. In 3.1 and 3.1.1 it is two bytes and always means a normal disconnection. */
public record Disconnect(ReasonCode reasonCode, Properties properties) implements Packet {
    public static final Disconnect NORMAL = new Disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.EMPTY);

    public Disconnect {
        PacketChecks.requireAllowed(reasonCode, PacketType.DISCONNECT);
        properties.requireAllowedIn(PacketType.DISCONNECT, false);
    }

    public Disconnect(ReasonCode reasonCode) {
        this(reasonCode, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.DISCONNECT;
    }
}
