package io.starling.codec.decode;

import io.starling.codec.packet.Auth;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.PacketType;
import org.jspecify.annotations.Nullable;

/**
 * Decodes the packets that are an identifier, a reason code and properties: PUBACK, PUBREC,
 * PUBREL, PUBCOMP (sections 3.4 to 3.7), DISCONNECT (3.14) and AUTH (3.15). In 3.1 and 3.1.1
 * the acknowledgements are exactly a packet identifier and DISCONNECT is empty. In 5.0 a short
 * packet leaves the reason code (Success) and the properties (none) out.
 */
final class AckDecoder {
    private AckDecoder() {}

    static Packet publishAck(PacketReader in, PacketType type) {
        if (!in.isV5() && in.remaining() != 2) {
            throw in.malformed("§" + section(type), type + " has a remaining length of 2, not " + in.remaining());
        }
        int packetId = packetId(in, type);
        ReasonCode code = ReasonCode.SUCCESS;
        Properties properties = Properties.EMPTY;
        if (in.hasRemaining()) {
            code = reasonCode(in, type);
            if (in.hasRemaining()) {
                properties = PropertiesDecoder.read(in, type, false);
            }
        }
        return switch (type) {
            case PUBACK -> new PubAck(packetId, code, properties);
            case PUBREC -> new PubRec(packetId, code, properties);
            case PUBREL -> new PubRel(packetId, code, properties);
            case PUBCOMP -> new PubComp(packetId, code, properties);
            default -> throw new IllegalArgumentException(type + " is not a publish acknowledgement");
        };
    }

    static Disconnect disconnect(PacketReader in) {
        if (!in.isV5()) {
            if (in.hasRemaining()) {
                throw in.malformed("§3.14", "DISCONNECT has a remaining length of 0, not " + in.remaining());
            }
            return Disconnect.NORMAL;
        }
        if (!in.hasRemaining()) {
            return Disconnect.NORMAL;
        }
        ReasonCode code = reasonCode(in, PacketType.DISCONNECT);
        Properties properties = in.hasRemaining() ? PropertiesDecoder.read(in, PacketType.DISCONNECT, false) : Properties.EMPTY;
        return new Disconnect(code, properties);
    }

    static Auth auth(PacketReader in) {
        if (!in.hasRemaining()) {
            return new Auth(ReasonCode.SUCCESS, Properties.EMPTY);
        }
        ReasonCode code = reasonCode(in, PacketType.AUTH);
        Properties properties = in.hasRemaining() ? PropertiesDecoder.read(in, PacketType.AUTH, false) : Properties.EMPTY;
        // §3.15.2.2.2: only a bare Success AUTH (no properties) may leave the method out
        boolean bare = code == ReasonCode.SUCCESS && properties.isEmpty();
        if (!bare && !properties.contains(PropertyId.AUTHENTICATION_METHOD)) {
            throw in.protocolError("§3.15.2.2.2", "an AUTH must carry an Authentication Method");
        }
        return new Auth(code, properties);
    }

    /** A packet identifier, which is never 0 [MQTT-2.3.1-1] (5.0: [MQTT-2.2.1-3]). */
    static int packetId(PacketReader in, PacketType type) {
        int packetId = in.u16("packet identifier");
        if (packetId == 0) {
            throw in.malformed(in.rule("MQTT-2.3.1-1", "MQTT-2.2.1-3"), type + " must carry a non-zero packet identifier");
        }
        return packetId;
    }

    /** A reason code byte that a packet of {@code type} may carry. */
    static ReasonCode reasonCode(PacketReader in, PacketType type) {
        int value = in.u8("reason code");
        @Nullable ReasonCode code = ReasonCode.of(type, value);
        if (code == null) {
            throw in.malformed(reasonCodeRule(type), "0x" + Integer.toHexString(value) + " is not a reason code of " + type);
        }
        return code;
    }

    /** The 5.0 statement that limits each packet to its own reason codes. */
    private static String reasonCodeRule(PacketType type) {
        return switch (type) {
            case PUBACK -> "MQTT-3.4.2-1";
            case PUBREC -> "MQTT-3.5.2-1";
            case PUBREL -> "MQTT-3.6.2-1";
            case PUBCOMP -> "MQTT-3.7.2-1";
            case SUBACK -> "MQTT-3.9.3-2";
            case UNSUBACK -> "MQTT-3.11.3-2";
            case DISCONNECT -> "MQTT-3.14.2-1";
            case AUTH -> "MQTT-3.15.2-1";
            default -> "§2.4";
        };
    }

    private static String section(PacketType type) {
        return switch (type) {
            case PUBACK -> "3.4.1";
            case PUBREC -> "3.5.1";
            case PUBREL -> "3.6.1";
            default -> "3.7.1";
        };
    }
}
