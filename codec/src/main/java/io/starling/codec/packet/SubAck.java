package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;
import java.util.List;

/**
 * SUBACK: one code per subscription of the SUBSCRIBE, in order [MQTT-3.8.4-6]. 3.1 and 3.1.1
 * write granted QoS 0 to 2 as themselves and every failure as 0x80.
 */
public record SubAck(int packetId, List<ReasonCode> reasonCodes, Properties properties) implements Packet {
    public SubAck {
        PacketChecks.requirePacketId(packetId);
        reasonCodes = List.copyOf(reasonCodes);
        if (reasonCodes.isEmpty()) {
            throw new IllegalArgumentException("a SUBACK answers at least one subscription");
        }
        for (ReasonCode code : reasonCodes) {
            PacketChecks.requireAllowed(code, PacketType.SUBACK);
        }
        properties.requireAllowedIn(PacketType.SUBACK, false);
    }

    public SubAck(int packetId, List<ReasonCode> reasonCodes) {
        this(packetId, reasonCodes, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.SUBACK;
    }
}
