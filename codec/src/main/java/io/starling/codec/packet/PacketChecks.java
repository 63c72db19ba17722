package io.starling.codec.packet;

import io.starling.codec.wire.PacketType;

/** Invariants several packet records share. */
final class PacketChecks {
    private PacketChecks() {}

    static void requireAllowed(ReasonCode code, PacketType type) {
        if (!code.isAllowedIn(type)) {
            throw new IllegalArgumentException(code + " is not a reason code of " + type);
        }
    }

    static int requirePacketId(int packetId) {
        if (packetId < 1 || packetId > 0xFFFF) {
            throw new IllegalArgumentException("[MQTT-2.3.1-1] a packet identifier is 1 to 65535, not " + packetId);
        }
        return packetId;
    }
}
