package io.starling.codec.packet;

import io.starling.codec.property.Properties;

/** AUTH: MQTT 5.0 extended authentication exchange. */
public record Auth(ReasonCode reasonCode, Properties properties) implements Packet {
    public Auth {
        PacketChecks.requireAllowed(reasonCode, PacketType.AUTH);
        properties.requireAllowedIn(PacketType.AUTH, false);
    }

    @Override
    public PacketType type() {
        return PacketType.AUTH;
    }
}
