package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;

/**
 * CONNACK. In 3.1 and 3.1.1 the reason code is written as the nearest return code 0 to 5
 * ({@link ReasonCode#v3ConnectReturnCode()}); 3.1 has no session-present flag.
 */
public record ConnAck(boolean sessionPresent, ReasonCode reasonCode, Properties properties) implements Packet {
    public ConnAck {
        PacketChecks.requireAllowed(reasonCode, PacketType.CONNACK);
        properties.requireAllowedIn(PacketType.CONNACK, false);
        if (sessionPresent && reasonCode.isError()) {
            throw new IllegalArgumentException("[MQTT-3.2.2-4] a refusing CONNACK has session present 0");
        }
    }

    public ConnAck(boolean sessionPresent, ReasonCode reasonCode) {
        this(sessionPresent, reasonCode, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.CONNACK;
    }
}
