package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.PacketType;

/** AUTH: MQTT 5.0 extended authentication exchange. */
public record Auth(ReasonCode reasonCode, Properties properties) implements Packet {
    public Auth {
        PacketChecks.requireAllowed(reasonCode, PacketType.AUTH);
        properties.requireAllowedIn(PacketType.AUTH, false);
        boolean bare = reasonCode == ReasonCode.SUCCESS && properties.isEmpty();
        if (!bare && !properties.contains(PropertyId.AUTHENTICATION_METHOD)) {
            throw new IllegalArgumentException("§3.15.2.2.2 an AUTH carries an Authentication Method");
        }
    }

    @Override
    public PacketType type() {
        return PacketType.AUTH;
    }
}
