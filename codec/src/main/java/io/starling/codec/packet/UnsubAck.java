package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;
import java.util.List;

/**
 * UNSUBACK. In 5.0 it has one reason code per topic filter of the UNSUBSCRIBE; in 3.1 and 3.1.1
 * it has none, and a decoded 3.1.1 UNSUBACK has an empty list.
 */
public record UnsubAck(int packetId, List<ReasonCode> reasonCodes, Properties properties) implements Packet {
    public UnsubAck {
        PacketChecks.requirePacketId(packetId);
        reasonCodes = List.copyOf(reasonCodes);
        for (ReasonCode code : reasonCodes) {
            PacketChecks.requireAllowed(code, PacketType.UNSUBACK);
        }
        properties.requireAllowedIn(PacketType.UNSUBACK, false);
    }

    /** A 3.1.1-style UNSUBACK with no reason codes. */
    public UnsubAck(int packetId) {
        this(packetId, List.of(), Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBACK;
    }
}
